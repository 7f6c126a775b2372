"""SPDX 2.x tag-value reader (``SPDXVersion: SPDX-2.3`` text, e.g. ``syft -o spdx-tag-value``).

Parses ``Tag: value`` lines (``<text>...</text>`` values may span lines; ``#`` lines are comments)
into the same package shape the SPDX JSON reader uses, so both serialisations give identical facts.
A package runs from its ``PackageName`` line to the next ``PackageName``/``FileName``/
``SnippetSPDXID``/``LicenseID``; its evidence pointer is ``line N`` of the ``PackageName`` line.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from scc.facts.interface import Reader
from scc.facts.model import ImageFacts
from scc.facts.sbom.spdx_json import SpdxDocument, facts_from_spdx
from scc.facts.source import InputDocument

_TAG_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s*:\s?(.*)$")
_SECTION_STARTS = {"FileName", "SnippetSPDXID", "LicenseID"}
_SIMPLE_PACKAGE_TAGS = {
    "PackageVersion": "versionInfo", "PackageSupplier": "supplier",
    "PackageLicenseConcluded": "licenseConcluded", "PackageLicenseDeclared": "licenseDeclared",
    "PrimaryPackagePurpose": "primaryPackagePurpose",
    "PackageDownloadLocation": "downloadLocation", "PackageHomePage": "homepage",
}


def tag_lines(doc: InputDocument) -> Iterator[tuple[int, str, str]]:
    """(line number, tag, value) for every tag, ``<text>`` blocks joined; raises on an unclosed block."""
    lines = doc.require_text().splitlines()
    index = 0
    while index < len(lines):
        number, line = index + 1, lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _TAG_LINE.match(line)
        if not match:
            raise doc.fail(f"SPDX tag-value: line {number} is not 'Tag: value'")
        tag, value = match.group(1), match.group(2).strip()
        if value.startswith("<text>") and "</text>" not in value:
            block = [value]
            while index < len(lines) and "</text>" not in lines[index]:
                block.append(lines[index])
                index += 1
            if index >= len(lines):
                raise doc.fail(f"SPDX tag-value: <text> opened on line {number} is never closed")
            block.append(lines[index])
            index += 1
            value = "\n".join(block)
        if value.startswith("<text>"):
            value = value[len("<text>"):].split("</text>", 1)[0]
        yield number, tag, value


class SpdxTagValueReader(Reader):
    format = "spdx-tag-value"

    def sniff(self, doc: InputDocument) -> bool:
        head = doc.head.lstrip("\ufeff")
        for line in head.splitlines()[:50]:
            if line.strip() and not line.lstrip().startswith("#"):
                return bool(re.match(r"^SPDXVersion:\s*SPDX-2\.", line.strip()))
        return False

    def read(self, doc: InputDocument) -> ImageFacts:
        spdx = SpdxDocument()
        package: dict[str, Any] | None = None
        for number, tag, value in tag_lines(doc):
            if tag == "PackageName":
                package = {"name": value, "externalRefs": [], "checksums": []}
                spdx.packages.append((package, doc.evidence(f"line {number}")))
            elif tag in _SECTION_STARTS:
                package = None
            elif package is not None and _package_tag(doc, package, number, tag, value):
                continue
            else:
                _document_tag(doc, spdx, number, tag, value)
        return facts_from_spdx(doc, spdx, self.format)


def _package_tag(doc: InputDocument, package: dict[str, Any], number: int, tag: str, value: str) -> bool:
    """Apply a tag to the current package; False when the tag is not a package tag."""
    if tag == "SPDXID" and "SPDXID" not in package:
        package["SPDXID"] = value
    elif tag in _SIMPLE_PACKAGE_TAGS:
        package[_SIMPLE_PACKAGE_TAGS[tag]] = value
    elif tag == "ExternalRef":
        parts = value.split(None, 2)
        if len(parts) != 3:
            raise doc.fail(f"SPDX tag-value: line {number}: ExternalRef needs 'CATEGORY TYPE LOCATOR'")
        package["externalRefs"].append(
            {"referenceCategory": parts[0], "referenceType": parts[1], "referenceLocator": parts[2]}
        )
    elif tag == "PackageChecksum":
        algorithm, _, checksum = value.partition(":")
        if not checksum.strip():
            raise doc.fail(f"SPDX tag-value: line {number}: PackageChecksum needs 'ALGORITHM: value'")
        package["checksums"].append({"algorithm": algorithm.strip(), "checksumValue": checksum.strip()})
    else:
        return False
    return True


def _document_tag(doc: InputDocument, spdx: SpdxDocument, number: int, tag: str, value: str) -> None:
    if tag == "SPDXVersion":
        spdx.spec_version = value
    elif tag == "DocumentNamespace":
        spdx.namespace = value
    elif tag == "Creator":
        spdx.creators.append(value)
    elif tag == "Created":
        spdx.created = value
    elif tag == "Relationship":
        parts = value.split()
        if len(parts) < 3:
            raise doc.fail(f"SPDX tag-value: line {number}: Relationship needs 'FROM TYPE TO'")
        spdx.relationships.append((parts[0], parts[1].upper(), parts[2]))


READER = SpdxTagValueReader()
