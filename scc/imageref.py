"""Container image references, normalised as Docker and containerd read them.

``parse_reference("nginx:1.25")`` is ``docker.io/library/nginx:1.25``: the grammar and the
familiar-name rules are those of distribution/reference (``ParseNormalizedNamed``), through the
docker-image-py port of that package (the same regular expressions and ``splitDockerDomain``), so a
reference means here what it means to the runtime that pulls it:

* no registry → ``docker.io``; a single Docker Hub name gets the ``library/`` namespace;
  ``index.docker.io`` is ``docker.io``;
* the first component is a registry only when it holds a ``.`` or a ``:`` or is ``localhost``
  (``registry:5000/app`` names host ``registry`` port 5000; ``app:5000`` is tag 5000 of
  ``docker.io/library/app``);
* ``@algorithm:hex`` is a digest (sha256 / sha384 / sha512 of the right length, lower-case hex);
  tag and digest together keep both (the runtime pulls by digest);
* repository names are lower case; a bare 64-hex id is not a reference.

Registry host names compare case-insensitively (DNS); repository paths compare exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ImageReference", "InvalidReference", "parse_reference"]


class InvalidReference(ValueError):
    """A text that is not an image reference under the distribution/reference grammar."""


@dataclass(frozen=True)
class ImageReference:
    """One normalised image reference: registry[:port], repository path, tag and digest."""

    registry: str          # docker.io, registry.example.mil:5000, [::1]:5000
    repository: str        # library/nginx, hardened/ubi9
    tag: str = ""
    digest: str = ""       # sha256:<64 hex>

    @property
    def name(self) -> str:
        """registry/repository: the name an allow-list is written against."""
        return f"{self.registry}/{self.repository}"

    @property
    def host(self) -> str:
        """The registry host without its port, lower case."""
        host, _port = split_registry(self.registry)
        return host

    @property
    def port(self) -> str:
        """The registry port ('' when none is written)."""
        return split_registry(self.registry)[1]

    @property
    def pinned(self) -> bool:
        """Named by digest: the runtime pulls exactly these bytes, whatever the tag now points at."""
        return bool(self.digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str) -> ImageReference:
    """``text`` normalised (docker.io default, library/ prefix); InvalidReference when it is none."""
    from docker_image import reference as _grammar  # type: ignore[import-untyped]  # ships no type hints

    given = (text or "").strip()
    try:
        parsed = _grammar.Reference.parse_normalized_named(given)
    except (_grammar.InvalidReference, _grammar.digest_.InvalidDigest) as exc:
        raise InvalidReference(f"{given!r} is not an image reference ({exc})") from exc
    domain, path = parsed.split_hostname()
    return ImageReference(registry=_canonical_registry(domain), repository=path,
                          tag=parsed["tag"] or "", digest=parsed["digest"] or "")


def split_registry(registry: str) -> tuple[str, str]:
    """'Registry.Example.mil:5000' -> ('registry.example.mil', '5000'); an IPv6 host keeps its brackets."""
    if registry.startswith("["):
        host, _, rest = registry.partition("]")
        return f"{host}]".lower(), rest.removeprefix(":")
    host, _, port = registry.partition(":")
    return host.lower(), port


def _canonical_registry(domain: str) -> str:
    host, port = split_registry(domain)
    return f"{host}:{port}" if port else host
