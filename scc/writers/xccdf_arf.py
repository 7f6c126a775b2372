"""ARF 1.1 (Asset Reporting Format) around scc's XCCDF 1.2 results, shaped like `oscap --results-arf`.

One ``arf:asset-report-collection`` for the image: per benchmark in settings.benchmarks a report
request (a SCAP 1.2 source data stream holding the XCCDF Benchmark) and a report (the XCCDF
TestResult), both from ``render_benchmark`` unchanged except that the TestResult points at its
Benchmark component and at the asset (``target-id-ref``). ARF's asset identification has no container
type, so the image is an ``ai:software`` asset: its digest is the installation id and a synthetic id,
its reference/name/tag/digest are spelled out under ``extended-information``. Ids come from
report.uuid, times from report.assessed_at, so two renders are byte-identical.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from scc.clock import iso
from scc.writers.interface import Writer
from scc.writers.xccdf import XCCDF, _xml_text, render_benchmark
from scc.xmlsafe import parse_xml_bytes

if TYPE_CHECKING:
    from scc.report import Report

ARF = "http://scap.nist.gov/schema/asset-reporting-format/1.1"
CORE = "http://scap.nist.gov/schema/reporting-core/1.1"
AI = "http://scap.nist.gov/schema/asset-identification/1.1"
DS = "http://scap.nist.gov/schema/scap/source/1.2"
XLINK = "http://www.w3.org/1999/xlink"
ARFVOCAB = "http://scap.nist.gov/specifications/arf/vocabulary/relationships/1.0#"
SCC_IMAGE = "https://scc.dev/ns/arf/container-image"
SCAP_NS = "dev.scc"
NSMAP = {"arf": ARF, "core": CORE, "ai": AI}


def _el(ns: str, tag: str, parent: etree._Element | None = None, text: str | None = None,
        **attrs: str) -> etree._Element:
    node = etree.Element(f"{{{ns}}}{tag}", attrs) if parent is None else \
        etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text:
        node.text = text
    return node


class _Ids:
    """Stable NCName ids for one benchmark's request, report and data-stream parts."""

    def __init__(self, report: Report, name: str) -> None:
        key = report.uuid("arf", name)
        self.request = f"scc-request-{key}"
        self.report = f"scc-report-{key}"
        self.collection = f"scap_{SCAP_NS}_collection_{key}"
        self.stream = f"scap_{SCAP_NS}_datastream_{key}"
        self.cref = f"scap_{SCAP_NS}_cref_{key}"
        self.component = f"scap_{SCAP_NS}_comp_{key}"


def render_arf(report: Report, benchmark_names: tuple[str, ...]) -> bytes:
    """The ARF document for the named benchmarks (one report request and one report each)."""
    asset_id = f"scc-asset-{report.uuid('arf', 'asset')}"
    root = etree.Element(f"{{{ARF}}}asset-report-collection", nsmap=NSMAP)
    relationships = etree.SubElement(root, f"{{{CORE}}}relationships", nsmap={"arfvocab": ARFVOCAB})
    requests = _el(ARF, "report-requests", root)
    assets = _el(ARF, "assets", root)
    reports = _el(ARF, "reports", root)
    assets.append(_asset(report, asset_id))
    for name in benchmark_names:
        ids = _Ids(report, name)
        benchmark = parse_xml_bytes(render_benchmark(report, name), f"xccdf-results-{name}.xml").getroot()
        test_result = benchmark.find(f"{{{XCCDF}}}TestResult")
        benchmark.remove(test_result)
        _point_at(test_result, ids, asset_id)
        _relationship(relationships, "createdFor", ids.report, ids.request)
        _relationship(relationships, "isAbout", ids.report, asset_id)
        request = _el(ARF, "report-request", requests, id=ids.request)
        _el(ARF, "content", request).append(_data_stream_collection(report, ids, benchmark))
        report_node = _el(ARF, "report", reports, id=ids.report)
        _el(ARF, "content", report_node).append(test_result)
    etree.cleanup_namespaces(root, top_nsmap={"xccdf": XCCDF}, keep_ns_prefixes=["arfvocab"])
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _relationship(parent: etree._Element, kind: str, subject: str, ref: str) -> None:
    relationship = _el(CORE, "relationship", parent, type=f"arfvocab:{kind}", subject=subject)
    _el(CORE, "ref", relationship, ref)


def _point_at(test_result: etree._Element, ids: _Ids, asset_id: str) -> None:
    """Benchmark href to its data-stream component; target-id-ref (after target-facts) to the asset."""
    benchmark = test_result.find(f"{{{XCCDF}}}benchmark")
    if benchmark is not None:
        benchmark.set("href", f"#{ids.component}")
    ref = etree.Element(f"{{{XCCDF}}}target-id-ref", {"system": AI, "name": asset_id, "href": ""})
    anchor = test_result.find(f"{{{XCCDF}}}target-facts")
    if anchor is None:
        anchor = test_result.find(f"{{{XCCDF}}}target")
    if anchor is not None:
        anchor.addnext(ref)


def _data_stream_collection(report: Report, ids: _Ids, benchmark: etree._Element) -> etree._Element:
    """A SCAP 1.2 source data stream whose one checklist component is the Benchmark."""
    collection = etree.Element(f"{{{DS}}}data-stream-collection", {"id": ids.collection, "schematron-version": "1.2"},
                               nsmap={"ds": DS, "xlink": XLINK})
    stream = _el(DS, "data-stream", collection, id=ids.stream, **{"scap-version": "1.2", "use-case": "OTHER",
                                                                   "timestamp": iso(report.assessed_at)})
    checklists = _el(DS, "checklists", stream)
    _el(DS, "component-ref", checklists, id=ids.cref, **{f"{{{XLINK}}}href": f"#{ids.component}"})
    component = _el(DS, "component", collection, id=ids.component, timestamp=iso(report.assessed_at))
    component.append(benchmark)
    return collection


def _asset(report: Report, asset_id: str) -> etree._Element:
    """The image as an ai:software asset (ARF has no container-image asset type)."""
    identity = report.facts.identity
    asset = _el(ARF, "asset", id=asset_id)
    software = _el(AI, "software", asset)
    if identity.digest:
        _el(AI, "synthetic-id", software, resource=SCC_IMAGE, id=identity.digest)
    extended = _el(AI, "extended-information", software)
    image = etree.SubElement(extended, f"{{{SCC_IMAGE}}}image", nsmap={"scc": SCC_IMAGE})
    for key in ("reference", "name", "tag", "digest", "os", "architecture"):
        value = getattr(identity, key, None)
        if value:
            _el(SCC_IMAGE, key, image, _xml_text(str(value)))
    _el(AI, "installation-id", software, _xml_text(identity.digest or identity.reference or "unknown"))
    return asset


class XccdfArfWriter(Writer):
    name = "xccdf-arf"
    filename = "xccdf-results-arf.xml"
    media_type = "application/xml"
    order = 31
    format = "xccdf-arf"

    def render(self, report: Report) -> bytes:
        from scc.writers._stig_rows import benchmark_names

        first = report.settings.benchmarks or ("gpos-srg",)
        return render_arf(report, tuple(dict.fromkeys([*first, *benchmark_names(report)])))


WRITER = XccdfArfWriter()
