"""XCCDF 1.2 results: one Benchmark (the DISA SRG's requirements) with one TestResult for the image.

Ids follow DISA's own SCAP 1.2 benchmarks (xccdf_mil.disa.stig_rule_SV-203591r958362_rule, group
xccdf_mil.disa.stig_group_V-203591, benchmark xccdf_mil.disa.stig_benchmark_<official id>). When the
official SRG is in the content store every one of its requirements appears: scc's verdicts where a
rule evidences it, ``notchecked`` ("not evaluated by scc") for the rest. The rows (requirements and
the rule results behind them) are the checklist view the CKL writers use, so all STIG outputs agree.

``WRITER.render`` writes the first benchmark of settings.benchmarks; ``render_benchmark`` writes any
named one (the package writes xccdf-results-<name>.xml for the others).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lxml import etree

from scc.clock import iso
from scc.writers._stig_rows import ChecklistRow, ChecklistSection, benchmark_names, checklist_sections
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.report import Report, RuleResult

XCCDF = "http://checklists.nist.gov/xccdf/1.2"
DC = "http://purl.org/dc/elements/1.1/"
DISA = "mil.disa.stig"
SCC = "dev.scc"
CCI_SYSTEM = "http://cyber.mil/cci"
CHECK_SYSTEM = "https://scc.dev/ns/xccdf/check"
FACT = "urn:scc:fact:container-image:"
NOT_EVALUATED = "not evaluated by scc: no scc rule evidences this requirement; an assessor must review it"
WEIGHT = "10.0"
_NCNAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
#: lxml takes None for the default namespace; its stubs only allow str keys
_BENCHMARK_NSMAP: Any = {None: XCCDF, "dc": DC}


def _q(tag: str) -> str:
    return f"{{{XCCDF}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, _q(tag), {k.replace("_", "-"): v for k, v in attrs.items() if v})
    if text:
        node.text = _xml_text(text)
    return node


def _xml_text(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry (control characters other than tab/newline)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20 and ch not in "\ufffe\uffff")


def xccdf_id(kind: str, name: str, namespace: str = DISA) -> str:
    """xccdf_<reverse-dns>_<kind>_<name>, with <name> reduced to NCName-safe characters."""
    return f"xccdf_{namespace}_{kind}_{_NCNAME_UNSAFE.sub('_', name) or 'unnamed'}"


def section_for(report: Report, name: str) -> ChecklistSection | None:
    return next((s for s in checklist_sections(report) if s.name == name), None)


def render_benchmark(report: Report, benchmark_name: str) -> bytes:
    """XCCDF 1.2 results for one benchmark (gpos-srg, ctr-srg, ...)."""
    section = section_for(report, benchmark_name)
    benchmark = _benchmark(section, benchmark_name)
    seen: set[str] = set()
    rows = []
    for row in section.rows if section else []:
        rule_id = xccdf_id("rule", row.rule_id or row.version)
        if rule_id not in seen:
            seen.add(rule_id)
            rows.append(row)
            benchmark.append(_group(row))
    benchmark.append(_test_result(report, benchmark, section, benchmark_name, rows))
    return etree.tostring(benchmark, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _benchmark(section: ChecklistSection | None, name: str) -> etree._Element:
    root = etree.Element(_q("Benchmark"), nsmap=_BENCHMARK_NSMAP,
                         id=xccdf_id("benchmark", section.benchmark_id if section else name), resolved="1")
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    _sub(root, "status", "accepted" if section and section.official else "draft")
    _sub(root, "title", section.title if section else name)
    description = (section.description if section and section.description else
                   f"Requirements of {section.title if section else name} with the results scc reached for "
                   "one container image.")
    _sub(root, "description", description)
    if section and section.release_info:
        _sub(root, "plain-text", section.release_info, id="release-info")
    _sub(root, "version", (section.version if section else "") or "0")
    metadata = _sub(root, "metadata")
    official = bool(section and section.official)
    for tag, text in (("creator", "DISA" if official else "scc"), ("publisher", "DISA" if official else "scc"),
                      ("source", "STIG.DOD.MIL" if official else "scc rule packs")):
        etree.SubElement(metadata, f"{{{DC}}}{tag}").text = text
    return root


def _group(row: ChecklistRow) -> etree._Element:
    group = etree.Element(_q("Group"), id=xccdf_id("group", row.group_id or row.version))
    _sub(group, "title", row.group_title or row.version)
    rule = _sub(group, "Rule", id=xccdf_id("rule", row.rule_id or row.version), weight=WEIGHT,
                severity=row.severity if row.severity in ("low", "medium", "high") else "unknown")
    _sub(rule, "version", row.version)
    _sub(rule, "title", row.title or row.version)
    if row.discussion:
        _sub(rule, "description", row.discussion)
    for cci in row.ccis:
        _sub(rule, "ident", cci, system=CCI_SYSTEM)
    if row.fix_text:
        _sub(rule, "fixtext", row.fix_text)
    check = _sub(rule, "check", system=CHECK_SYSTEM)
    _sub(check, "check-content", row.check_text or "See the rule description.")
    return group


def _test_result(report: Report, benchmark: etree._Element, section: ChecklistSection | None,
                 name: str, rows: list[ChecklistRow]) -> etree._Element:
    when = iso(report.assessed_at)
    identity = report.facts.identity
    result = etree.Element(_q("TestResult"), {
        "id": xccdf_id("testresult", name, SCC), "start-time": when, "end-time": when,
        "test-system": f"cpe:/a:scc:scc:{report.scc_version}", "version": benchmark.findtext(_q("version")) or "0",
    })
    _sub(result, "benchmark", id=benchmark.get("id") or "", href=section.filename if section else "")
    _sub(result, "title", f"scc assessment of {identity.reference}")
    if report.settings.organization:
        _sub(result, "organization", report.settings.organization)
    _sub(result, "target", identity.reference)
    facts = _sub(result, "target-facts")
    for key, value in (("reference", identity.reference), ("name", identity.name), ("tag", identity.tag),
                       ("digest", identity.digest), ("os", identity.os), ("architecture", identity.architecture)):
        if value:
            _sub(facts, "fact", value, name=FACT + key, type="string")
    for row in rows:
        result.append(_rule_result(row, when))
    _score(result, rows)
    return result


def _rule_result(row: ChecklistRow, when: str) -> etree._Element:
    verdict = row.verdict
    outcome = verdict.xccdf_result if verdict is not None else "notchecked"
    node = etree.Element(_q("rule-result"), {
        "idref": xccdf_id("rule", row.rule_id or row.version), "time": when, "version": row.version,
        "weight": WEIGHT, "severity": row.effective_severity if row.effective_severity in ("low", "medium", "high")
        else "unknown",
    })
    _sub(node, "result", outcome)
    for cci in row.ccis:
        _sub(node, "ident", cci, system=CCI_SYSTEM)
    if not row.results:
        _sub(node, "message", NOT_EVALUATED, severity="info")
    for result in row.results:
        _sub(node, "message", _message(result), severity="warning" if result.verdict.is_open else "info")
    check = _sub(node, "check", system=CHECK_SYSTEM)
    rules = ", ".join(r.rule.id for r in row.results if not r.is_scan_result)
    scans = ", ".join(r.label for r in row.results if r.is_scan_result)
    content = "; ".join(part for part in (f"scc rules: {rules}" if rules else "", scans) if part)
    _sub(check, "check-content", content or NOT_EVALUATED)
    return node


def _message(result: RuleResult) -> str:
    text = f"{result.label} ({result.verdict.value}): {result.statement}"
    if result.evidence:
        text += " Evidence: " + "; ".join(e.cite() for e in result.evidence)
    if result.override is not None:
        # an XCCDF <override> would need one on every rule-result (oscap's schematron), so say it here
        before = result.computed_verdict.value if result.computed_verdict else "not recorded"
        text += (f" Organisation decision {result.override.action} by {result.override.approver}"
                 f" (expires {result.override.expires.isoformat()}; fact-based verdict {before})")
        if result.override.justification not in result.statement:   # the engine's statement usually has it
            text += f": {result.override.justification}"
        text += "."
    if result.scan_disagreement:
        text += f" Scan disagreement: {result.scan_disagreement}"
    if result.attestation is not None:
        # like an <override>: a person's decision recorded beside the result, with the verdict it replaced
        before = result.computed_verdict.xccdf_result if result.computed_verdict else "notchecked"
        text += (f" Attestation (human judgment, not an automated check; scc's facts alone gave {before}): "
                 f"{result.attestation.status} by {result.attestation.updated_by} on "
                 f"{result.attestation.updated.isoformat()}, valid until {result.attestation.expires.isoformat()}.")
    return text


def _score(result: etree._Element, rows: list[ChecklistRow]) -> None:
    """The flat model: each rule weighs 10; pass counts, fail counts against; the rest is not scored."""
    outcomes = [row.verdict.xccdf_result for row in rows if row.verdict is not None]
    passed, scored = outcomes.count("pass"), sum(1 for o in outcomes if o in ("pass", "fail"))
    weight = float(WEIGHT)
    _sub(result, "score", f"{passed * weight:.1f}", system="urn:xccdf:scoring:flat",
         maximum=f"{max(scored, 1) * weight:.1f}")


class XccdfResultsWriter(Writer):
    name = "xccdf-results"
    filename = "xccdf-results.xml"
    media_type = "application/xml"
    order = 30
    format = "xccdf-results"

    def render(self, report: Report) -> bytes:
        names = report.settings.benchmarks or ("gpos-srg",)
        return render_benchmark(report, names[0])

    def render_extra(self, report: Report) -> dict[str, bytes]:
        """One more XCCDF document per further benchmark (an XCCDF file holds one Benchmark), including a
        benchmark only a scan's results name (a product STIG scan)."""
        first = (report.settings.benchmarks or ("gpos-srg",))[0]
        names = [name for name in benchmark_names(report) if name != first]
        return {f"xccdf-results-{_NCNAME_UNSAFE.sub('_', name)}.xml": render_benchmark(report, name)
                for name in names}


WRITER = XccdfResultsWriter()
