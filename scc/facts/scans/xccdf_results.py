"""XCCDF 1.1 / 1.2 results (TestResult) and ARF asset-report-collections from OpenSCAP or DISA SCC.

Each ``rule-result`` becomes an XccdfRuleResult: idref as written, result, severity, the STIG
version (rule-result@version, else the embedded Benchmark Rule's <version>), group_id (the V-number
of the Rule's Group in the embedded Benchmark, "" when there is none), title, CCIs (rule-result
idents with a cyber.mil / iase.disa.mil CCI system, else the Rule's) as written, benchmark id, tool (TestResult@test-system), timestamp
(TestResult@end-time) and message. Evidence is a readable XPath to the rule-result, e.g.
``/cdf:Benchmark/cdf:TestResult/cdf:rule-result[12]``. Which 800-53 controls the CCIs implement is
the engine's mapping (scc/engine/cci.py) with the content snapshot it is given. Parsing goes through doc.xml (no DTD, no
entities, no network); sniffing reads the prolog and searches the bytes for a TestResult.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from scc.clock import parse_time
from scc.facts.counting import input_record
from scc.facts.interface import Reader
from scc.facts.model import ImageFacts, XccdfRuleResult
from scc.facts.source import InputDocument

XCCDF_NAMESPACES = ("http://checklists.nist.gov/xccdf/1.1", "http://checklists.nist.gov/xccdf/1.2")
ARF_NAMESPACE = "http://scap.nist.gov/schema/asset-reporting-format/1.1"
_CCI_SYSTEMS = ("http://cyber.mil/cci", "http://iase.disa.mil/cci")
_V_NUMBER = re.compile(r"(?<![A-Za-z0-9])V-\d+(?!\d)")
_ROOTS = frozenset({f"{{{ns}}}Benchmark" for ns in XCCDF_NAMESPACES} | {f"{{{ns}}}TestResult" for ns in XCCDF_NAMESPACES}
                   | {f"{{{ARF_NAMESPACE}}}asset-report-collection"})


_SRG_ID = re.compile(r"\bSRG-[A-Z]+-\d{6}(?:-[A-Z]+-\d{5})?\b")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@dataclass(frozen=True)
class _RuleInfo:
    version: str = ""
    title: str = ""
    severity: str = ""
    group_id: str = ""
    ccis: tuple[str, ...] = ()
    srg_id: str = ""


def _srg_id(group_title: str, rule_version: str) -> str:
    """DISA STIGs title each Group with the SRG requirement it implements; an SRG's own Rule version is one."""
    for text in (group_title, rule_version):
        match = _SRG_ID.search(text or "")
        if match:
            return match.group(0)
    return ""


class XccdfResultsReader(Reader):
    format = "xccdf-results"

    def sniff(self, doc: InputDocument) -> bool:
        return doc.xml_root_tag() in _ROOTS and "TestResult" in (doc.text or "")

    def read(self, doc: InputDocument) -> ImageFacts:
        root = doc.xml.getroot()
        rules = _rule_index(root)
        facts = ImageFacts()
        results = [e for ns in XCCDF_NAMESPACES for e in root.iter(f"{{{ns}}}TestResult")]
        if not results:
            raise doc.fail(f"XCCDF: no TestResult under <{_local(root.tag)}> (a benchmark without results?)")
        versions = set()
        for test_result in results:
            ns = test_result.tag[1:].split("}", 1)[0]
            versions.add(ns.rsplit("/", 1)[-1])
            facts.xccdf_results.extend(_rule_results(doc, test_result, ns, rules))
        tools = ", ".join(dict.fromkeys(r.tool for r in facts.xccdf_results if r.tool))
        facts.inputs = [input_record(doc, self.format, facts, ", ".join(sorted(versions)), tools)]
        return facts


def _rule_index(root) -> dict[str, _RuleInfo]:
    """idref -> what the embedded Benchmark says about the Rule (empty when none is embedded)."""
    index: dict[str, _RuleInfo] = {}
    for ns in XCCDF_NAMESPACES:
        for rule in root.iter(f"{{{ns}}}Rule"):
            parent = rule.getparent()
            group = parent.get("id", "") if parent is not None and _local(parent.tag) == "Group" else ""
            v_number = _V_NUMBER.search(group)
            group_title = (parent.findtext(f"{{{ns}}}title") or "") if group else ""
            index.setdefault(rule.get("id", ""), _RuleInfo(
                srg_id=_srg_id(group_title, rule.findtext(f"{{{ns}}}version") or ""),
                version=(rule.findtext(f"{{{ns}}}version") or "").strip(),
                title=" ".join((rule.findtext(f"{{{ns}}}title") or "").split()),
                severity=rule.get("severity", ""),
                group_id=v_number.group(0) if v_number else "",
                ccis=_ccis(rule, ns),
            ))
    return index


def _ccis(element, ns: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(
        (ident.text or "").strip() for ident in element.iterchildren(f"{{{ns}}}ident")
        if ident.get("system", "").rstrip("/") in _CCI_SYSTEMS and (ident.text or "").strip()
    ))


def _rule_results(doc: InputDocument, test_result, ns: str, rules: dict[str, _RuleInfo]):
    benchmark_ref = test_result.find(f"{{{ns}}}benchmark")
    benchmark = benchmark_ref.get("id", "") if benchmark_ref is not None else ""
    if not benchmark:
        owner = test_result.getparent()
        benchmark = owner.get("id", "") if owner is not None and _local(owner.tag) == "Benchmark" else ""
    tool = test_result.get("test-system", "") or _scanner_fact(test_result, ns)
    timestamp = parse_time(test_result.get("end-time") or test_result.get("start-time"))
    base = _xpath(test_result)
    for position, element in enumerate(test_result.iterchildren(f"{{{ns}}}rule-result"), start=1):
        idref = element.get("idref", "")
        if not idref:
            raise doc.fail(f"XCCDF: {base}/rule-result[{position}] has no idref")
        info = rules.get(idref, _RuleInfo())
        ccis = _ccis(element, ns) or info.ccis
        prefix = f"{element.prefix}:" if element.prefix else ""
        yield XccdfRuleResult(
            rule_id=idref,
            result=(element.findtext(f"{{{ns}}}result") or "").strip(),
            version=element.get("version", "") or info.version,
            group_id=info.group_id,
            srg_id=info.srg_id,
            severity=element.get("severity", "") or info.severity,
            title=info.title,
            ccis=ccis,
            benchmark=benchmark,
            tool=tool,
            timestamp=timestamp,
            message="\n".join(m.text.strip() for m in element.iterchildren(f"{{{ns}}}message") if m.text),
            evidence=(doc.evidence(f"{base}/{prefix}rule-result[{position}]"),),
        )


def _scanner_fact(test_result, ns: str) -> str:
    facts = {f.get("name", ""): (f.text or "").strip() for f in test_result.iter(f"{{{ns}}}fact")}
    name = facts.get("urn:xccdf:fact:scanner:name", "")
    return f"{name} {facts.get('urn:xccdf:fact:scanner:version', '')}".strip() if name else ""


def _xpath(element) -> str:
    """A readable XPath with the document's own prefixes; [n] only where same-named siblings exist."""
    steps = []
    while element is not None:
        parent = element.getparent()
        name = f"{element.prefix}:{_local(element.tag)}" if element.prefix else _local(element.tag)
        if parent is not None:
            same = [s for s in parent.iterchildren(element.tag)]
            if len(same) > 1:
                name += f"[{same.index(element) + 1}]"
        steps.append(name)
        element = parent
    return "/" + "/".join(reversed(steps))


READER = XccdfResultsReader()
