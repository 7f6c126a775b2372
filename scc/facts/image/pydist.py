"""Installed Python distributions in an image filesystem: wheel .dist-info/METADATA and egg PKG-INFO.

Found wherever syft's python-installed-package cataloger looks (any ``*.dist-info/METADATA``,
``*.egg-info/PKG-INFO`` or ``*.egg-info`` file, upper-case variants too), not only under
site-packages, so the keys meet syft's. Only the header part of each metadata file is kept by
scc.facts.image.vfs (the long description after the first blank line is never read); headers follow
the core-metadata spec (RFC 822 style, continuation lines start with whitespace). The purl is
pkg:pypi/<name>@<version> with the name lower-cased and '_' written '-', as the purl spec says for
pypi. Licenses: License-Expression, else License (its first line), else the License classifiers.
"""
from __future__ import annotations

from scc.facts.image.vfs import PYTHON_METADATA, VirtualFS
from scc.facts.model import Component
from scc.facts.source import InputDocument

_MAX_FIELD = 4096
_MAX_LICENSE = 200


def metadata_fields(text: str) -> dict[str, list[str]]:
    """Header fields (lower-case names) of a core-metadata file, each with all its values, in order."""
    fields: dict[str, list[str]] = {}
    key = ""
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break            # the description body follows
            continue
        if line[:1] in (" ", "\t"):
            if key and fields.get(key):
                fields[key][-1] = (fields[key][-1] + "\n" + line.strip())[:_MAX_FIELD]
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            continue
        key = name.strip().lower()
        fields.setdefault(key, []).append(value.strip()[:_MAX_FIELD])
    return fields


def pypi_name(name: str) -> str:
    """The purl-spec form of a PyPI project name: lower case, '_' as '-'."""
    return name.strip().lower().replace("_", "-")


def _licenses(fields: dict[str, list[str]]) -> tuple[str, ...]:
    expression = next((v for v in fields.get("license-expression", []) if v), "")
    if expression:
        return (expression,)
    declared = next((v for v in fields.get("license", []) if v.strip() and v.strip().upper() != "UNKNOWN"), "")
    if declared:
        first = declared.strip().splitlines()[0].strip()
        return (first[:_MAX_LICENSE],)
    classified = [c.rsplit("::", 1)[-1].strip() for c in fields.get("classifier", [])
                  if c.startswith("License ::") and c.count("::") >= 2]
    return tuple(dict.fromkeys(classified))


def python_packages(fs: VirtualFS, doc: InputDocument) -> list[Component]:
    """One Component per installed distribution (name, version); evidence cites every metadata file."""
    found: dict[tuple[str, str], Component] = {}
    for path, node in fs.walk():
        if node.kind != "file" or not PYTHON_METADATA.search(path) or node.content is None:
            continue
        fields = metadata_fields(node.content.decode("utf-8", errors="replace"))
        name = next(iter(fields.get("name", [])), "").strip()
        version = next(iter(fields.get("version", [])), "").strip()
        if not name or not version or "\n" in name or "\n" in version:
            continue
        evidence = doc.evidence(f"rootfs:/{path}")
        key = (pypi_name(name), version)
        if key in found:
            found[key].evidence.append(evidence)
            continue
        from packageurl import PackageURL

        purl = PackageURL(type="pypi", name=key[0], version=version).to_string()
        found[key] = Component(name, version, "library", purl, licenses=_licenses(fields), evidence=[evidence])
    return list(found.values())
