# scc in a container: the README's install steps on Debian, with the libraries the PDF SSP needs.
# Not built by the test suite (the suite runs the same steps on every CI run). See docs/ci.md.
FROM python:3.12-slim-bookworm
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/scc
COPY . .
RUN python3 -m venv /opt/scc/.venv && /opt/scc/.venv/bin/pip install -q --no-cache-dir .
USER 65532:65532
ENV SCC_CONTENT_DIR=/content
ENTRYPOINT ["/opt/scc/.venv/bin/scc"]
CMD ["--help"]
