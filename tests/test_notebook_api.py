"""The notebook API: DataFrames of every view, the charts, the summary an Assessment shows in Jupyter.

Each frame is checked against the Report it restates (counts, due dates, evidence hashes), so a
frame that drops, duplicates or recomputes something fails."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

import scc

EXAMPLE = REPO / "examples" / "demo-image"


@pytest.fixture(scope="module")
def example() -> scc.Assessment:
    return scc.assess([EXAMPLE], overrides=EXAMPLE / "overrides.yaml")


def test_every_frame_has_one_row_per_thing_it_lists(example: scc.Assessment) -> None:
    report = example.report
    assert len(example.controls_df()) == len(report.control_results)
    assert len(example.rules_df()) == len(report.rule_results)
    assert len(example.findings_df()) == len(report.facts.findings)
    assert len(example.components_df()) == len(report.facts.components)
    assert list(example.poam_df()["key"]) == [item.key for item in report.remediation_items]
    cited = {e.cite() for r in report.rule_results for e in r.evidence}
    assert set(example.evidence_df()["citation"]) == cited and len(example.evidence_df()) == len(cited)


def test_findings_frame_carries_purl_due_date_basis_and_dates(example: scc.Assessment) -> None:
    df = example.findings_df().set_index(["id", "package"])
    report = example.report
    for finding in report.facts.findings:
        row = df.loc[(finding.id, finding.package)]
        assert row["purl"] == finding.purl and bool(row["open"]) == finding.is_open
        clock = report.clocks[id(finding)]
        if finding.is_open:
            expected = pd.Timestamp(clock.due_date) if clock.due_date else pd.NaT
            assert (row["due"] == expected) or (pd.isna(row["due"]) and pd.isna(expected))
            assert row["due_basis"] == clock.explanation
        else:
            assert pd.isna(row["due"]) and row["due_basis"] == ""
            assert row["vex"] in ("not_affected", "fixed")
        assert row["first_seen"] == pd.Timestamp(clock.first_detected.date())
    assert {c for c in df.columns} >= {"published", "fix_available", "vex_justification", "sources", "evidence"}


def test_severity_and_verdict_sort_worst_first_not_alphabetically(example: scc.Assessment) -> None:
    findings = example.findings_df()
    assert isinstance(findings["severity"].dtype, pd.CategoricalDtype) and findings["severity"].cat.ordered
    assert list(findings["severity"].cat.categories[:4]) == ["critical", "high", "medium", "low"]
    ordered = list(findings.sort_values("severity")["severity"])
    assert ordered[0] == "high" and ordered[-1] == "medium"      # alphabetical order would put high first too,
    assert ordered == sorted(ordered, key=["critical", "high", "medium", "low"].index)   # but medium < high here
    controls = example.controls_df().sort_values("status")
    assert controls["status"].iloc[0] == "not-satisfied" and controls["status"].iloc[-1] == "not-applicable"


def test_components_frame_counts_open_findings_per_component(example: scc.Assessment) -> None:
    components = example.components_df().set_index("purl")
    for finding in example.report.open_findings:
        if finding.purl in components.index:
            assert components.loc[finding.purl, "open_findings"] >= 1
    assert components["open_findings"].sum() <= len(example.report.open_findings)


def test_evidence_frame_hashes_are_the_input_files_hashes(example: scc.Assessment) -> None:
    evidence = example.evidence_df()
    files = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in EXAMPLE.glob("*.json*")}
    checked = 0
    for _, row in evidence.iterrows():
        if row["source"] in files:
            assert row["sha256"] == files[row["source"]]
            checked += 1
    assert checked > 0 and all(evidence["cited_by"] != "")


def test_baseline_frame_lists_every_baseline_control(with_content: None) -> None:
    a = scc.assess([EXAMPLE], baseline="moderate")
    baseline = a.report.content.baseline("moderate")
    df = a.baseline_df()
    assert baseline is not None and set(baseline.control_ids) <= set(df["control"])
    in_baseline = df[df["in_baseline"]]
    assert len(in_baseline) == len(baseline.control_ids)
    evidenced = {c.control_id for c in a.report.control_results}
    assert set(df[df["evidenced"]]["control"]) == evidenced
    assert (in_baseline[~in_baseline["evidenced"]]["status"] == "not evidenced by this image").all()


def test_baseline_frame_without_content_lists_only_evidenced_controls(no_content: None) -> None:
    a = scc.assess([EXAMPLE])     # an explicit baseline without its content is an error (exit 2)
    df = a.baseline_df()
    assert len(df) == len(a.report.control_results) and df["evidenced"].all() and not df["in_baseline"].any()


def test_charts_count_what_the_frames_count(example: scc.Assessment) -> None:
    from matplotlib.figure import Figure

    posture = example.plot("posture")
    assert isinstance(posture, Figure)
    widths = sum(patch.get_width() for patch in posture.axes[0].patches)
    assert widths == len(example.controls_df())
    findings = example.plot("findings")
    assert sum(p.get_height() for p in findings.axes[0].patches) == len(example.findings_df())
    categories = example.plot("categories")
    from scc.gate import open_counts

    counts = open_counts(example.report)
    assert [p.get_height() for p in categories.axes[0].patches] == [counts["cat1"], counts["cat2"], counts["cat3"]]
    with pytest.raises(KeyError, match="charts: posture, findings, categories"):
        example.plot("pie")


def test_summary_shows_counts_and_worst_items(example: scc.Assessment) -> None:
    html = example._repr_html_()
    for verdict, count in example.verdict_counts().items():
        assert f">{verdict}<" in html
        assert f">{count}<" in html
    from scc.views import SEVERITY_ORDER

    worst = min(example.poam_df().itertuples(), key=lambda r: (not r.overdue, SEVERITY_ORDER.index(r.severity)))
    assert worst.item in html
    assert "more in <code>a.poam_df()</code>" in html
    assert "scc.Assessment of" in repr(example) and "0x" not in repr(example)


def test_summary_keeps_hostile_text_inert(example: scc.Assessment) -> None:
    hostile = example.report.facts
    evil = replace(hostile.identity, name='<img src=x onerror="alert(1)">')
    copy = scc.Assessment.__new__(scc.Assessment)
    copy.settings = example.settings
    copy.report = replace(example.report, facts=replace(hostile, identity=evil))
    html = copy._repr_html_()
    assert "<img" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


def test_unknown_writer_lists_the_writers(example: scc.Assessment, tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="writers: .*oscal-poam.*ssp-pdf"):
        example.write("html", tmp_path / "x")


def test_help_reads_like_a_manual() -> None:
    text = scc.Assessment.__doc__ or ""
    for section in ("Results:", "Tables", "Charts", "Documents:", "scc.assess"):
        assert section in text
    public = [n for n in dir(scc.Assessment) if not n.startswith("_")]
    undocumented = [n for n in public if not (getattr(scc.Assessment, n).__doc__ or "").strip()]
    assert undocumented == []
