"""Shared pieces of every OSCAL document scc writes: metadata, props, evidence links, back-matter.

Used by the component-definition writer and meant for the assessment-results / POA&M writers too.
trestle is imported inside the functions, so importing this module stays cheap. All text that goes
into OSCAL string fields passes through :func:`one_line` / :func:`text_block`: OSCAL forbids empty
strings, leading/trailing whitespace and (for markup-line) line breaks.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from scc.clock import iso
from scc.facts.model import Evidence

if TYPE_CHECKING:
    from trestle.core.base_model import OscalBaseModel
    from trestle.oscal.common import Link, Metadata, Property, Resource

    from scc.provenance import ProducedBy
    from scc.report import Report

#: the namespace of every prop scc defines (OSCAL props outside the NIST namespace are unconstrained)
SCC_NS = "https://scc.dev/ns/oscal"
#: how an scc verdict reads as an OSCAL implementation-status state; a manual verdict has none
#: (the facts could not decide it), and not-satisfied reads "planned" because its remediation is a POA&M item
IMPLEMENTATION_STATUS = {
    "satisfied": "implemented",
    "partial": "partial",
    "not-satisfied": "planned",
    "not-applicable": "not-applicable",
}


def one_line(text: object, fallback: str = "-", limit: int = 0) -> str:
    """A valid OSCAL string / markup-line: whitespace collapsed, never empty, optionally shortened."""
    words = " ".join(str(text or "").split())
    if limit and len(words) > limit:
        words = words[: limit - 1].rstrip() + "…"
    return words or fallback


def text_block(text: object, fallback: str = "-") -> str:
    """A valid OSCAL markup-multiline: lines kept, each stripped, blank runs collapsed, never empty."""
    lines = [" ".join(line.split()) for line in str(text or "").splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) or fallback


def prop(name: str, value: object, ns: str = SCC_NS, **extra: Any) -> Property | None:
    """One OSCAL property in scc's namespace (None when the value is empty: OSCAL has no empty values)."""
    from trestle.oscal.common import Property

    text = one_line(value, fallback="")
    if not text:
        return None
    return Property(name=name, value=text, ns=ns, **extra)


def props(*items: Property | None) -> list[Property] | None:
    """Drop the empty ones; None when nothing is left (OSCAL arrays have minItems 1)."""
    kept = [item for item in items if item is not None]
    return kept or None


# -- plain-dict building (the large documents) ------------------------------------------------------------
# The assessment results and POA&M hold one object per finding: building them as trestle models costs a
# pydantic validation per object and a model_dump of the whole tree. They are built as the plain dicts
# trestle would serialise instead, with the same key order, every string through one_line / text_block;
# the tests validate them with trestle and the NIST schemas.
def prop_dict(name: str, value: object, ns: str = SCC_NS) -> dict[str, str] | None:
    """:func:`prop` as the serialised dict (None when the value is empty)."""
    text = one_line(value, fallback="")
    return {"name": name, "ns": ns, "value": text} if text else None


def prop_dicts(*items: dict[str, str] | None) -> list[dict[str, str]] | None:
    """:func:`props` for :func:`prop_dict` items."""
    kept = [item for item in items if item is not None]
    return kept or None


def oscal_datetime(moment: datetime) -> str:
    """A datetime as trestle serialises it (explicit +00:00 offset, sub-seconds only when non-zero)."""
    from trestle.core.base_model import robust_datetime_serialization

    return robust_datetime_serialization(moment)


def drop_none(node: dict[str, Any]) -> dict[str, Any]:
    """The dict without its None values (trestle serialises with exclude_none)."""
    return {key: value for key, value in node.items() if value is not None}


def model_dict(model: OscalBaseModel) -> dict[str, Any]:
    """One trestle model (metadata, back-matter, ...) as its serialised dict, unwrapped."""
    return model.model_dump(by_alias=True, exclude_none=True, mode="json")


def metadata(report: Report, title: str, remarks: str = "") -> Metadata:
    """Document metadata: title, last-modified = the assessment time, the OSCAL version trestle models."""
    from trestle.oscal import OSCAL_VERSION
    from trestle.oscal.common import Metadata, Parties

    parties = None
    organization = one_line(report.settings.organization, fallback="")
    if organization:
        parties = [Parties(uuid=report.uuid("party", organization), type="organization", name=organization)]
    return Metadata(
        title=one_line(title),
        last_modified=report.assessed_at,
        version=f"scc {report.scc_version}",
        oscal_version=OSCAL_VERSION,
        props=props(prop("generator", f"scc {report.scc_version}"), prop("assessment-fingerprint",
                                                                       report.fingerprint),
                    *settings_props(report)),
        parties=parties,
        remarks=text_block(remarks) if remarks else None,
    )


def settings_props(report: Report) -> list[Property | None]:
    """The settings that shaped the verdicts (SLA days, baseline, benchmarks, max scan age) as props."""
    from scc.provenance import settings_record

    record = settings_record(report.policy)
    items = [prop("scc-version", report.scc_version), prop("baseline", record["baseline"] or "none")]
    items += [prop("benchmark", name) for name in record["benchmarks"]]
    items += [prop(f"sla-days-{severity}", days) for severity, days in record["sla-days"].items()]
    items.append(prop("max-scan-age-days", record["max-scan-age-days"]))
    return items


def provenance_resources(report: Report) -> list[Resource]:
    """One back-matter resource per rule pack file, official content file, overrides file and key,
    each with an rlink carrying its SHA-256 (and the release a content file states about itself)."""
    from trestle.oscal.common import Hash, Resource, Rlink

    from scc.provenance import produced_by

    resources = []
    for item in produced_by(report):
        hashes = [Hash(algorithm="SHA-256", value=item.sha256)] if item.sha256 else None
        resources.append(Resource(
            uuid=report.uuid("produced-by", item.role, item.name),
            title=one_line(f"{item.role}: {item.name}"),
            description=_produced_by_description(item),
            props=props(prop("produced-by", item.role), prop("content-id", item.name if item.role == "content" else ""),
                        prop("release", item.release), prop("release-info", item.release_info),
                        prop("source-url", item.url)),
            rlinks=[Rlink(href=file_href(item.file), hashes=hashes)],
        ))
    return resources


def _produced_by_description(item: ProducedBy) -> str:
    return {
        "rule-pack": "scc rule pack file the verdicts were reached with.",
        "content": "Official content file from scc's content cache"
                   + (f", release {item.release} as stated in the file." if item.release else "."),
        "overrides": "Organisation overrides file applied to the rule results.",
        "verification-key": "Public key supplied to verify signatures.",
    }.get(item.role, "File that shaped this document.")


def input_sources(report: Report) -> list[tuple[str, str]]:
    """Every (path, sha256) an assessment relied on: the inputs read plus any cited by evidence."""
    seen: dict[tuple[str, str], None] = {}
    for item in report.facts.inputs:
        seen.setdefault((item.path, item.sha256), None)
    for result in report.rule_results:
        for evidence in result.evidence:
            seen.setdefault((evidence.source, evidence.sha256), None)
    return sorted(seen)


def resource_uuid(report: Report, source: str, sha256: str) -> str:
    return report.uuid("input", source, sha256)


def input_resources(report: Report) -> list[Resource]:
    """One back-matter resource per input: title = path, rlink with its SHA-256, props for the format."""
    from trestle.oscal.common import Hash, Resource, Rlink

    details = {(i.path, i.sha256): i for i in report.facts.inputs}
    resources = []
    for source, sha256 in input_sources(report):
        info = details.get((source, sha256))
        rlink = Rlink(href=file_href(source), hashes=[Hash(algorithm="SHA-256", value=sha256)] if sha256 else None)
        resources.append(Resource(
            uuid=resource_uuid(report, source, sha256),
            title=one_line(source),
            description=f"Input document read by scc ({info.format})." if info else "Input document cited as evidence.",
            props=props(
                prop("input-format", info.format if info else ""),
                prop("format-version", info.format_version if info else ""),
                prop("tool", info.tool if info else ""),
                prop("size", info.size if info else ""),
            ),
            rlinks=[rlink],
        ))
    return resources


def file_href(path: str) -> str:
    """A URI reference for a local input path (percent-encoded; '/' kept)."""
    return quote(path.replace("\\", "/"), safe="/._-~") or "."


def evidence_links(report: Report, evidence: Iterable[Evidence]) -> list[Link] | None:
    """rel="evidence" links to the back-matter resource of each input; the pointer is the fragment."""
    from trestle.oscal.common import Link

    links = []
    for item in sorted(set(evidence)):
        links.append(Link(
            href=f"#{resource_uuid(report, item.source, item.sha256)}",
            rel="evidence",
            resource_fragment=one_line(item.pointer) if item.pointer.strip() else None,
            text=one_line(item.cite()),
        ))
    return links or None


def dump(model: OscalBaseModel, report: Report) -> bytes:
    """The wrapped OSCAL JSON ({"component-definition": {...}}), 2-space indented, stable key order.

    metadata/last-modified is written as RFC 3339 with a Z suffix from the assessment time, so the
    bytes do not depend on how trestle happens to format datetimes.
    """
    return dump_document(model.oscal_dict(), report)


def dump_document(document: dict[str, Any], report: Report, one_per_line: Iterable[str] = ()) -> bytes:
    """:func:`dump` for a document already serialised to a dict ({"<model>": {...}}).

    orjson writes exactly what ``json.dumps(indent=2, ensure_ascii=False)`` + newline would (same
    separators, escapes and UTF-8), without the pure-Python encoder the standard library falls back
    to when indenting, which dominated the time of a 20,000-finding POA&M. The root arrays named in
    ``one_per_line`` are written one compact object per line (the rest stays indented): a document
    with an observation, a risk and an item per finding stays within twice the size of the scan it
    came from, and each finding is still one greppable, diffable line.
    """
    return serialise_document(finish_document(document, report), one_per_line)


def finish_document(document: dict[str, Any], report: Report) -> dict[str, Any]:
    """The document as written (``document`` itself, completed): last-modified the assessment time, and the
    FedRAMP metadata and props when a FedRAMP baseline is chosen."""
    root = next(iter(document.values()))
    if "metadata" in root:
        root["metadata"]["last-modified"] = iso(report.assessed_at)
    from scc.writers._fedramp import apply_fedramp

    apply_fedramp(document, report)
    return document


def serialise_document(document: dict[str, Any], one_per_line: Iterable[str] = ()) -> bytes:
    """A finished document's bytes (see :func:`dump_document`)."""
    import orjson

    lines = set(one_per_line)
    if not lines:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    return _dump_with_lines(document, lines)


def _dump_with_lines(document: dict[str, Any], lines: set[str]) -> bytes:
    """The document 2-space indented except the root arrays in ``lines``: one compact item per line."""
    import orjson

    ((_, root),) = document.items()
    return serialise_rows(document, {key: (orjson.dumps(item) for item in value) for key, value in root.items()
                                     if key in lines and isinstance(value, list) and value})


def serialise_rows(document: dict[str, Any], rows: Mapping[str, Iterable[bytes]]) -> bytes:
    """The document 2-space indented, with each root array named in ``rows`` written from its items
    serialised already (compact, one per line; ``[]`` when there are none) in place of the document's
    value: a writer can stream them, read in the root's key order.

    Each other root value is serialised on its own and indented by re-prefixing its line breaks, which is
    safe because JSON strings never hold a raw line break (orjson escapes it).
    """
    import io

    import orjson

    ((name, root),) = document.items()
    out = io.BytesIO()     # one growing buffer: the items are never all held again as separate pieces
    out.write(b"{\n  " + orjson.dumps(name) + b": {\n")
    for number, (key, value) in enumerate(root.items()):
        out.write((b",\n" if number else b"") + b"    " + orjson.dumps(key) + b": ")
        if key in rows:
            index = -1
            for index, item in enumerate(rows[key]):
                out.write((b",\n      " if index else b"[\n      ") + item)
            out.write(b"\n    ]" if index >= 0 else b"[]")
        else:
            out.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n    "))
    out.write(b"\n  }\n}\n")
    return out.getvalue()
