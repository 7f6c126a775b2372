"""The PDF System Security Plan: templates/ssp.html.j2 + ssp.css rendered by WeasyPrint.

Safety: the template is rendered by an autoescaping Jinja environment (input values are data, never
markup or template code), and WeasyPrint gets a URL fetcher that serves only files inside the
shipped templates directory and refuses everything else (file://, http(s)://, data:, ...), so a
hostile name can neither inject markup nor make the renderer fetch anything.

Determinism: the PDF's dates come from the assessment time and its /ID from the assessment
fingerprint, so identical inputs give byte-identical files. WeasyPrint is imported only here.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from scc.resources import pack_dir
from scc.writers._ssp_context import ssp_context
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.report import Report

TEMPLATE = "ssp.html.j2"
_MEDIA_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2",
                ".ttf": "font/ttf", ".otf": "font/otf"}


def render_html(report: Report) -> str:
    """The SSP as HTML (the input WeasyPrint lays out)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(pack_dir("templates"))),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    return env.get_template(TEMPLATE).render(ssp_context(report))


def asset_fetcher(root: Path) -> Any:
    """A WeasyPrint URL fetcher serving only regular files under ``root``; it records every request."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type information
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
            self.root = root.resolve()
            self.requested: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: object = None) -> Any:
            self.requested.append(url)
            path = self._local_path(url)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"scc's SSP renderer refuses to fetch {url[:200]!r}")
            return URLFetcherResponse(url, path.read_bytes(),
                                      {"Content-Type": _MEDIA_TYPES.get(path.suffix, "application/octet-stream")})

        def _local_path(self, url: str) -> Path | None:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                return None
            path = Path(url2pathname(parts.path)).resolve()
            if self.root not in path.parents or not path.is_file():
                return None
            return path

    return AssetFetcher()


def render_pdf(report: Report, fetcher: Any = None) -> bytes:
    """The SSP PDF; ``fetcher`` (default: templates-only) is exposed so tests can inspect its requests."""
    from weasyprint import HTML

    templates = pack_dir("templates").resolve()
    fetcher = fetcher or asset_fetcher(templates)
    html = HTML(string=render_html(report), base_url=templates.as_uri() + "/", url_fetcher=fetcher)
    identifier = hashlib.sha256(("scc-ssp/" + report.fingerprint).encode()).hexdigest()[:32].encode()
    pdf: bytes = html.write_pdf(pdf_identifier=identifier, uncompressed_pdf=False)
    return pdf


class SspPdfWriter(Writer):
    name = "ssp-pdf"
    filename = "ssp.pdf"
    media_type = "application/pdf"
    order = 60

    def render(self, report: Report) -> bytes:
        return render_pdf(report)


WRITER = SspPdfWriter()
