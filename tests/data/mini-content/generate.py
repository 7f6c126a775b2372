"""Write the miniature official-format content of this folder (README.md): run from the repository root.

    .venv/bin/python tests/data/mini-content/generate.py

Every identifier comes from scc's own rule packs (the control ids in controls/*.yaml, the SRG ids,
group/rule ids, CCIs and severities in stig/*.yaml); every title, definition and text is scc's own
placeholder wording, never DISA's or NIST's. tests/test_mini_content.py checks the committed files
are what this script writes, and that `scc content import` accepts them.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
MARK = "scc test fixture, not NIST or DISA text"
CATALOG_UUID = "00000000-5cc0-4000-8000-000000000001"
FAMILY_TITLES = {   # OSCAL group ids of the families the rule packs cite, with scc's placeholder titles
    "ac": "Family AC", "au": "Family AU", "cm": "Family CM", "ia": "Family IA", "ra": "Family RA",
    "sa": "Family SA", "sc": "Family SC", "si": "Family SI", "sr": "Family SR",
}
# a control of the baseline no rule evidences (a writer lists it as not addressed by scc)
EXTRA_CONTROLS = ("ac-1", "cm-2", "si-4")


def rule_pack_references() -> tuple[list[str], list[dict]]:
    """(control ids the controls/ packs cite, the SRG references of the stig/ packs, in pack order)."""
    controls: dict[str, None] = {}
    for path in sorted((REPO / "controls").glob("*.yaml")):
        for rule in (yaml.safe_load(path.read_text()) or {}).get("rules") or []:
            controls.update(dict.fromkeys(rule.get("controls") or ()))
    references = []
    for path in sorted((REPO / "stig").glob("*.yaml")):
        for rule in (yaml.safe_load(path.read_text()) or {}).get("rules") or []:
            controls.update(dict.fromkeys(rule.get("controls") or ()))
            for ref in rule.get("srg") or ():
                references.append({**ref, "controls": list(rule.get("controls") or ())})
    controls.update(dict.fromkeys(EXTRA_CONTROLS))
    return sorted(controls, key=_control_sort_key), references


def _control_sort_key(control: str) -> tuple[str, int, int]:
    family, _, rest = control.partition("-")
    number, _, enhancement = rest.partition(".")
    return family, int(number), int(enhancement or 0)


def _label(control: str) -> str:
    family, _, rest = control.partition("-")
    number, _, enhancement = rest.partition(".")
    return f"{family.upper()}-{number}" + (f"({enhancement})" if enhancement else "")


def _control(control: str) -> dict:
    return {
        "id": control, "class": "SP800-53", "title": f"Test control {_label(control)}",
        "props": [{"name": "label", "value": _label(control)}],
        "parts": [{"id": f"{control}_smt", "name": "statement",
                   "prose": f"The system meets test requirement {_label(control)} ({MARK})."}],
    }


def catalog(controls: list[str]) -> dict:
    """An OSCAL 1.1 catalog: one group per family, base controls with their enhancements nested."""
    groups = []
    for family, title in FAMILY_TITLES.items():
        bases = [c for c in controls if c.startswith(family + "-") and "." not in c]
        bases += [c.partition(".")[0] for c in controls if c.startswith(family + "-") and "." in c]
        members = []
        for base in sorted(dict.fromkeys(bases), key=_control_sort_key):
            entry = _control(base)
            enhancements = [c for c in controls if c.startswith(base + ".")]
            if enhancements:
                entry["controls"] = [_control(c) for c in enhancements]
            members.append(entry)
        if members:
            groups.append({"id": family, "class": "family", "title": title, "controls": members})
    return {"catalog": {
        "uuid": CATALOG_UUID,
        "metadata": {"title": f"Miniature SP 800-53 Rev 5 catalog ({MARK})", "last-modified": "2026-01-01T00:00:00Z",
                     "version": "0.0.1-scc-test", "oscal-version": "1.1.3",
                     "remarks": "Written by scc for its tests; see README.md beside this file."},
        "groups": groups,
    }}


#: the NIST baselines: (title marker, uuid suffix, which controls) - MODERATE is all but si-4, LOW the base
#: controls of MODERATE, HIGH every control, PRIVACY only ac-1 and sc-28
BASELINES = {
    "MODERATE": ("MODERATE IMPACT BASELINE", "02", lambda c: c != "si-4"),
    "LOW": ("LOW IMPACT BASELINE", "03", lambda c: c != "si-4" and "." not in c),
    "HIGH": ("HIGH IMPACT BASELINE", "04", lambda c: True),
    "PRIVACY": ("PRIVACY BASELINE", "05", lambda c: c in ("ac-1", "sc-28")),
}


def profile(controls: list[str], level: str = "MODERATE") -> dict:
    """An OSCAL 1.1 NIST baseline profile importing the miniature catalog (BASELINES says which controls)."""
    marker, suffix, include = BASELINES[level]
    chosen = [c for c in controls if include(c)]
    return {"profile": {
        "uuid": f"00000000-5cc0-4000-8000-0000000000{suffix}",
        "metadata": {"title": f"Miniature SP 800-53 Rev 5 {marker} ({MARK})",
                     "last-modified": "2026-01-01T00:00:00Z", "version": "0.0.1-scc-test", "oscal-version": "1.1.3"},
        "imports": [{"href": f"#{CATALOG_UUID}", "include-controls": [{"with-ids": chosen}]}],
        "merge": {"as-is": True},
        "back-matter": {"resources": [{"uuid": CATALOG_UUID, "description": "the miniature catalog beside this file",
                                       "rlinks": [{"href": "NIST_SP-800-53_rev5_catalog.json",
                                                   "media-type": "application/oscal.catalog+json"}]}]},
    }}


def fedramp_profile(controls: list[str]) -> dict:
    """A FedRAMP-style rev5 Moderate profile: the NIST catalog by an https rlink, one FedRAMP constraint."""
    nist = "00000000-5cc0-4000-8000-0000000000f1"
    chosen = [c for c in controls if c != "si-4"]
    return {"profile": {
        "uuid": "00000000-5cc0-4000-8000-0000000000f0",
        "metadata": {"title": "FedRAMP Rev 5 Moderate Baseline", "last-modified": "2026-01-01T00:00:00Z",
                     "version": "0.0.1-scc-test", "oscal-version": "1.0.4",
                     "remarks": f"Miniature FedRAMP-shaped baseline ({MARK}, not GSA's either)."},
        "imports": [{"href": f"#{nist}", "include-controls": [{"with-ids": chosen}]}],
        "merge": {"as-is": True},
        "modify": {"set-parameters": [{"param-id": "ac-2_prm_1", "constraints": [
            {"description": "at least every test period (scc test fixture)"}]}]},
        "back-matter": {"resources": [{"uuid": nist, "title": "the miniature catalog", "rlinks": [{
            "href": "https://raw.githubusercontent.com/usnistgov/oscal-content/v1.2.0/nist.gov/SP800-53/rev5/json/"
                    "NIST_SP-800-53_rev5_catalog.json", "media-type": "application/oscal+json"}]}]},
    }}


def cci_list(references: list[dict]) -> str:
    """A DISA CCI list: each CCI the stig packs cite, referencing the first control of the first rule citing it."""
    first: dict[str, str] = {}
    for ref in references:
        for cci in ref.get("ccis") or ():
            if ref["controls"]:
                first.setdefault(cci, ref["controls"][0])
    items = []
    for cci, control in sorted(first.items()):
        index = _label(control).replace("(", " (")
        items.append(
            f'    <cci_item id="{cci}">\n      <status>draft</status>\n      <publishdate>2026-01-01</publishdate>\n'
            f'      <contributor>scc tests</contributor>\n'
            f'      <definition>Test definition of {cci} ({MARK}).</definition>\n      <type>technical</type>\n'
            f'      <references>\n        <reference creator="NIST" title="NIST SP 800-53 Revision 5" version="5" '
            f'location="NIST" index="{index}" />\n      </references>\n    </cci_item>\n')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<cci_list xmlns="http://iase.disa.mil/cci">\n'
            "  <metadata>\n    <version>2026-01-01</version>\n    <publishdate>2026-01-01</publishdate>\n  </metadata>\n"
            "  <cci_items>\n" + "".join(items) + "  </cci_items>\n</cci_list>\n")


def benchmark(benchmark_id: str, title: str, references: list[dict]) -> str:
    """A DISA-style XCCDF 1.1 manual benchmark: one Group/Rule per SRG reference, placeholder text."""
    groups = []
    for ref in references:
        srg = ref["version"]
        idents = "".join(f'<ident system="http://cyber.mil/cci">{c}</ident>' for c in ref.get("ccis") or ())
        discussion = escape(f"<VulnDiscussion>Test discussion of {srg} ({MARK}).</VulnDiscussion>"
                            "<FalsePositives></FalsePositives><Documentable>false</Documentable>")
        groups.append(
            f'<Group id="{ref["group_id"]}"><title>{srg.rsplit("-", 2)[0]}</title>'
            f'<description>&lt;GroupDescription&gt;&lt;/GroupDescription&gt;</description>'
            f'<Rule id="{ref["rule_id"]}" weight="10.0" severity="{ref.get("severity", "medium")}">'
            f"<version>{srg}</version><title>Test requirement {srg} ({MARK}).</title>"
            f"<description>{discussion}</description>{idents}"
            f'<fixtext fixref="F-{ref["group_id"]}_fix">Test fix text of {srg}.</fixtext>'
            f'<fix id="F-{ref["group_id"]}_fix" /><check system="C-{ref["group_id"]}_chk">'
            f'<check-content-ref href="{benchmark_id}.xml" name="M" />'
            f"<check-content>Test check text of {srg}. If it does not, this is a finding.</check-content>"
            "</check></Rule></Group>\n")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<Benchmark xmlns:dc="http://purl.org/dc/elements/1.1/" id={quoteattr(benchmark_id)} xml:lang="en" '
            'xmlns="http://checklists.nist.gov/xccdf/1.1">'
            f'<status date="2026-01-01">draft</status><title>{escape(title)} ({MARK})</title>'
            f"<description>Miniature benchmark written by scc for its tests.</description>"
            '<plain-text id="release-info">Release: 1 Benchmark Date: 01 Jan 2026</plain-text>'
            "<version>0</version>\n" + "".join(groups) + "</Benchmark>\n")


def files() -> dict[str, str]:
    """Every file of the miniature content by name, as this script writes it."""
    controls, references = rule_pack_references()
    by_benchmark = {name: [r for r in references if r.get("benchmark") == name] for name in ("gpos-srg", "ctr-srg")}
    return {
        "NIST_SP-800-53_rev5_catalog.json": json.dumps(catalog(controls), indent=1) + "\n",
        **{f"NIST_SP-800-53_rev5_{level}-baseline_profile.json": json.dumps(profile(controls, level), indent=1) + "\n"
           for level in BASELINES},
        "FedRAMP_rev5_MODERATE-baseline_profile.json": json.dumps(fedramp_profile(controls), indent=1) + "\n",
        "U_CCI_List.xml": cci_list(references),
        "gpos-srg-xccdf.xml": benchmark("General_Purpose_Operating_System", "Miniature GPOS SRG",
                                        by_benchmark["gpos-srg"]),
        "ctr-srg-xccdf.xml": benchmark("Container_Platform_SRG", "Miniature Container Platform SRG",
                                       by_benchmark["ctr-srg"]),
    }


if __name__ == "__main__":
    for name, text in files().items():
        (HERE / name).write_text(text)
    sys.stdout.write(f"wrote {len(files())} files to {HERE}\n")
