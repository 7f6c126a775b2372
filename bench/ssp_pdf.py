"""Benchmark: the PDF SSP's cost (pages, CPU seconds per stage) on the shipped example and with many findings.

Run by hand (official content makes the plan realistic; the machine is shared, so CPU time is the figure):

    SCC_CONTENT_DIR=/work/notes/ref/content python bench/ssp_pdf.py --findings 0 1000 5000 [--profile]

Each case assesses the example (examples/demo-image, --baseline fedramp-moderate, its system profile,
key and overrides), with ``N`` extra generated open findings added to its facts, and renders the PDF
once per stage: the OSCAL SSP, the OSCAL POA&M, the HTML, WeasyPrint's layout and the PDF writing.
``--profile`` prints the functions where WeasyPrint's layout spends its time.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "demo-image"
SEVERITIES = ("critical", "high", "medium", "low", "negligible", "unknown")


def example_assessment(extra_findings: int) -> Any:
    """The shipped example assessed with FedRAMP Moderate, plus ``extra_findings`` generated open findings."""
    import scc
    from scc.assessment import Assessment

    base = scc.assess([EXAMPLE], baseline="fedramp-moderate", keys=[EXAMPLE / "demo-signing.pub"],
                      overrides=EXAMPLE / "overrides.yaml", profile=EXAMPLE / "system-profile.yaml")
    if not extra_findings:
        return base
    facts = replace(base.facts, findings=[*base.facts.findings, *generated_findings(base.facts, extra_findings)])
    return Assessment(facts, base.settings, assessed_at=base.assessed_at)


def generated_findings(facts: Any, count: int) -> list[Any]:
    """``count`` open findings over a few hundred packages, all severities, some past their SLA."""
    from scc.facts.model import CvssScore, Evidence, Finding, Severity

    scan = next((i for i in facts.inputs if i.format == "grype"), facts.inputs[0])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    findings = []
    for n in range(count):
        severity = Severity(SEVERITIES[n % len(SEVERITIES)])
        findings.append(Finding(
            f"CVE-2099-{n:05d}", package=f"pkg-{n % 300:03d}", installed_version=f"1.{n % 7}.0",
            fixed_versions=[f"1.{n % 7}.1"] if n % 3 else [], severity=severity,
            cvss=[CvssScore("3.1", round(9.8 - (n % 90) / 10, 1), "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")],
            sources={"grype"}, evidence=[Evidence(scan.path, scan.sha256, f"/matches/{n}/vulnerability")],
            published=start + timedelta(days=n % 300), title=f"Generated weakness number {n}"))
    return findings


def cpu(step: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, CPU seconds, wall seconds) of one call."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = step()
    return result, time.process_time() - cpu0, time.perf_counter() - wall0


def pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def measure(extra: int, profile: bool) -> None:
    from weasyprint import HTML

    from scc.resources import pack_dir
    from scc.writers.ssp_pdf import asset_fetcher, pdf_inputs, render_ssp_html

    assessment = example_assessment(extra)
    report = assessment.report
    inputs, cpu_inputs, _ = cpu(lambda: pdf_inputs(report))
    html, cpu_html, _ = cpu(lambda: render_ssp_html(**inputs))
    shipped = pack_dir("templates").resolve()
    document = HTML(string=html, base_url=shipped.as_uri() + "/", url_fetcher=asset_fetcher(shipped))
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    laid_out, cpu_layout, wall_layout = cpu(document.render)
    if profiler:
        profiler.disable()
    pdf, cpu_write, _ = cpu(lambda: laid_out.write_pdf())
    whole = cpu_inputs + cpu_html + cpu_layout + cpu_write
    print(f"| {len(report.facts.findings)} findings, {len(report.remediation_items)} POA&M items | {pages(pdf)} | "
          f"{cpu_inputs:.2f} | {cpu_html:.2f} | {cpu_layout:.2f} ({wall_layout:.2f} wall) | {cpu_write:.2f} | "
          f"{whole:.2f} | {len(pdf) / 1024:.0f} KiB |")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, nargs="*", default=[0, 1000])
    parser.add_argument("--profile", action="store_true", help="cProfile WeasyPrint's layout")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1780000000")
    print("| case | pages | CPU s: SSP+POA&M dicts | HTML | layout | PDF write | whole writer (CPU s) | size |")
    print("|---|---|---|---|---|---|---|---|")
    for extra in args.findings:
        measure(extra, args.profile)


if __name__ == "__main__":
    main()
