"""`docker buildx imagetools inspect IMAGE --format '{{ json .Provenance }}'` and `'{{ json .SBOM }}'`.

buildx prints the predicates of BuildKit's attestations without their in-toto statement or envelope:
``{"SLSA": <SLSA provenance predicate>}`` and ``{"SPDX": <SPDX document>, "AdditionalSPDXs": [...]}``
for a single-platform image, and a map ``{"linux/amd64": {...}, "linux/arm64": {...}}`` of those for a
multi-platform one. The provenance predicate's version is told by its shape (v1 has buildDefinition /
runDetails, v0.2 buildType / invocation / materials); it is unsigned as printed, so it supports SLSA
Build L1 at most. Each SPDX document is handed to the SPDX reader, its evidence pointing here.
"""
from __future__ import annotations

import json
import re
from typing import Any

from scc.errors import InputError
from scc.facts.counting import input_record
from scc.facts.interface import Reader
from scc.facts.model import ImageFacts
from scc.facts.provenance import slsa
from scc.facts.source import InputDocument, json_pointer

_PLATFORM = re.compile(r"^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$")
_UNSIGNED = ("not signed: `docker buildx imagetools inspect` prints the provenance predicate without "
             "its in-toto statement or envelope")


def _is_stub(value: Any) -> bool:
    if not isinstance(value, dict) or not value:
        return False
    if set(value) == {"SLSA"}:
        return isinstance(value["SLSA"], dict)
    return "SPDX" in value and set(value) <= {"SPDX", "AdditionalSPDXs"} and isinstance(value["SPDX"], dict)


def _stubs(data: Any) -> list[tuple[str, dict]]:
    """(platform, stub) pairs; platform '' for a single-platform image."""
    if _is_stub(data):
        return [("", data)]
    if isinstance(data, dict) and data and all(_PLATFORM.match(k) and _is_stub(v) for k, v in data.items()):
        return sorted(data.items())
    return []


class BuildxImagetoolsReader(Reader):
    format = "buildx-imagetools"

    def sniff(self, doc: InputDocument) -> bool:
        return bool(_stubs(doc.json))

    def read(self, doc: InputDocument) -> ImageFacts:
        own = ImageFacts()
        parts = [own]
        stubs = _stubs(doc.json)
        for platform, stub in stubs:
            at = json_pointer(platform) if platform else ""
            if "SLSA" in stub:
                own.provenance.append(_provenance(stub["SLSA"], doc, f"{at}/SLSA"))
                continue
            documents = [(f"{at}/SPDX", stub["SPDX"])]
            extra = stub.get("AdditionalSPDXs") or []
            if not isinstance(extra, list):
                raise doc.fail(f"{at}/AdditionalSPDXs: expected an array")
            documents += [(f"{at}/AdditionalSPDXs/{i}", d) for i, d in enumerate(extra)]
            parts += [_spdx(doc, document, where) for where, document in documents]
        if len(stubs) > 1:
            own.notes.append(f"{doc.display_path}: attestations of {len(stubs)} platforms "
                             f"({', '.join(p for p, _ in stubs)}) read as one image")
        from scc.facts.merge import merge_facts

        merged = merge_facts(parts)
        merged.inputs = [input_record(doc, self.format, merged, "", "docker buildx imagetools")]
        return merged


def _provenance(predicate: dict, doc: InputDocument, where: str):
    v1 = "buildDefinition" in predicate or "runDetails" in predicate
    statement = {"predicateType": slsa.PROVENANCE_PREFIX + ("1" if v1 else "0.2"), "subject": []}
    signing = slsa.Signing(detail=_UNSIGNED)
    return slsa.provenance(statement, predicate, signing, doc.evidence(where))


def _spdx(doc: InputDocument, document: Any, where: str) -> ImageFacts:
    from scc.facts import detect_reader

    embedded = InputDocument.embedded(doc, json.dumps(document).encode("utf-8"), where)
    try:
        reader = detect_reader(embedded)
    except InputError as exc:
        raise doc.fail(f"{where}: not an SPDX document scc reads") from exc
    if reader.format == BuildxImagetoolsReader.format:
        raise doc.fail(f"{where}: not an SPDX document scc reads")
    return reader.read(embedded)


READER = BuildxImagetoolsReader()
