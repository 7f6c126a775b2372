"""Reading DISA content: the CCI list and SRG/STIG XCCDF 1.1 manual benchmarks.

Both are parsed only through scc.xmlsafe (no DTD, no entities, no network). DISA's index strings
("CM-6 b", "AC-6 (10)", "SC-37, SC-37 (1)") are mapped to OSCAL control ids ("cm-6", "ac-6.10").
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from scc.content.model import Benchmark, BenchmarkRule, Cci, CciList
from scc.content.registry import CCI_NS, XCCDF11, XCCDF12
from scc.errors import ContentError, InputError
from scc.xmlsafe import parse_xml_bytes

_CONTROL = re.compile(r"\b([A-Za-z]{2})-(\d{1,2})(?:\s*\(\s*(\d{1,2})\s*\))?")
_REV = {"5": "rev5", "4": "rev4"}


def control_ids_from_index(index: str) -> tuple[str, ...]:
    """OSCAL control ids named by a DISA reference index: 'AC-6 (10)' -> ('ac-6.10',)."""
    out: dict[str, None] = {}
    for family, number, enhancement in _CONTROL.findall(index):
        control = f"{family.lower()}-{int(number)}"
        out.setdefault(f"{control}.{int(enhancement)}" if enhancement else control, None)
    return tuple(out)


def _parse(data: bytes, name: str):
    try:
        return parse_xml_bytes(data, name).getroot()
    except InputError as exc:
        raise ContentError(str(exc)) from exc


def parse_cci_list(data: bytes, name: str) -> CciList:
    root = _parse(data, name)
    ns = {"c": CCI_NS}
    if root.tag != f"{{{CCI_NS}}}cci_list":
        raise ContentError(f"{name}: not a DISA CCI list (root element {root.tag})")
    items: dict[str, Cci] = {}
    for item in root.iterfind("c:cci_items/c:cci_item", ns):
        cci_id = (item.get("id") or "").strip().upper()
        if not cci_id:
            raise ContentError(f"{name}: cci_item without an id")
        refs: dict[str, list[str]] = {"rev5": [], "rev4": []}
        for ref in item.iterfind("c:references/c:reference", ns):
            key = _REV.get(ref.get("version", ""))
            if key and "800-53 Revision" in (ref.get("title") or ""):
                refs[key].append(" ".join((ref.get("index") or "").split()))
        items[cci_id] = Cci(
            id=cci_id,
            definition=" ".join((item.findtext("c:definition", "", ns) or "").split()),
            rev5=_ids(refs["rev5"]), rev4=_ids(refs["rev4"]),
            rev5_refs=tuple(refs["rev5"]), rev4_refs=tuple(refs["rev4"]),
            status=(item.findtext("c:status", "", ns) or "").strip(),
        )
    version = (root.findtext("c:metadata/c:version", "", ns) or "").strip()
    return CciList(version=version, items=items, source=name)


def _ids(indexes: Iterable[str]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for index in indexes:
        for control_id in control_ids_from_index(index):
            out.setdefault(control_id, None)
    return tuple(out)


def controls_for_cci(cci: Cci | None) -> set[str]:
    """The 800-53 controls a CCI implements: its rev5 references, or rev4 when DISA gave no rev5 one."""
    if cci is None:
        return set()
    return set(cci.rev5 or cci.rev4)


def parse_benchmark(data: bytes, name: str) -> Benchmark:
    root = _parse(data, name)
    ns_uri = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if ns_uri not in (XCCDF11, XCCDF12) or not root.tag.endswith("}Benchmark"):
        raise ContentError(f"{name}: not an XCCDF Benchmark (root element {root.tag})")
    ns = {"x": ns_uri}
    rules: list[BenchmarkRule] = []
    for group in root.iter(f"{{{ns_uri}}}Group"):
        for rule in group.iterfind("x:Rule", ns):
            rules.append(_rule(group, rule, ns, name))
    release = ""
    for plain in root.iterfind("x:plain-text", ns):
        if plain.get("id") == "release-info":
            release = (plain.text or "").strip()
    status = root.find("x:status", ns)
    return Benchmark(
        id=root.get("id", ""), title=(root.findtext("x:title", "", ns) or "").strip(),
        version=(root.findtext("x:version", "", ns) or "").strip(), release_info=release,
        rules=rules, status_date=status.get("date", "") if status is not None else "", source=name,
    )


def _rule(group, rule, ns: dict[str, str], name: str) -> BenchmarkRule:
    rule_id = rule.get("id") or ""
    if not rule_id:
        raise ContentError(f"{name}: Rule without an id in Group {group.get('id')}")
    check = rule.find("x:check/x:check-content", ns)
    severity = (rule.get("severity") or "medium").strip().lower()
    return BenchmarkRule(
        group_id=group.get("id", ""),
        rule_id=rule_id,
        version=(rule.findtext("x:version", "", ns) or "").strip(),
        severity=severity if severity in ("high", "medium", "low") else "medium",
        title=(rule.findtext("x:title", "", ns) or "").strip(),
        description=vuln_discussion(rule.findtext("x:description", "", ns) or ""),
        check_text=(check.text or "").strip() if check is not None else "",
        fix_text=(rule.findtext("x:fixtext", "", ns) or "").strip(),
        ccis=tuple(
            (ident.text or "").strip() for ident in rule.iterfind("x:ident", ns)
            if (ident.text or "").strip().startswith("CCI-")
        ),
        group_title=(group.findtext("x:title", "", ns) or "").strip(),
    )


_DISCUSSION = re.compile(r"<VulnDiscussion>(.*?)</VulnDiscussion>", re.DOTALL)


def vuln_discussion(description: str) -> str:
    """The VulnDiscussion inside DISA's escaped pseudo-XML description, as plain text (no parsing)."""
    match = _DISCUSSION.search(description)
    text = match.group(1) if match else ("" if "<VulnDiscussion" in description else description)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text.strip()
