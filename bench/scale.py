"""Scale benchmark (issue #12): `scc facts` and `scc package` on generated SBOMs and Grype scans.

    SOURCE_DATE_EPOCH=1795564800 SCC_CONTENT_DIR=/work/notes/ref/content \
        python bench/scale.py [--rows 1k,5k5k,20k,100k20k,100k] [--repeat 2] [--skip-pdf] [--no-package]

For each row of the issue's table the inputs are generated once (bench/generate.py, seed 1, scanned
2026-11-20) into --work, then `scc facts` and `scc package` run in fresh interpreters (start-up included),
best of --repeat, each child's own wall time, CPU time (user + sys) and peak RSS (os.wait4). A third child
times the phases in process: `json.loads` of each input, reading (read_inputs), assessing (Assessment:
policy, content and the engine) and each writer's render. Prints markdown tables; the figures go in
docs/benchmarks.md, never in tests. SOURCE_DATE_EPOCH defaults to 2026-11-25 (five days after the scans).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_EPOCH = "1795564800"   # 2026-11-25T00:00:00Z


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    components: int
    findings: int


ROWS = (
    Row("1k", "1k findings (1k components)", 1000, 1000),
    Row("5k5k", "5k components + 5k findings", 5000, 5000),
    Row("20k", "20k findings (5k components)", 5000, 20000),
    Row("100k20k", "100k components + 20k findings", 100000, 20000),
    Row("100k", "100k components, no findings", 100000, 0),
)


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mib: float
    returncode: int


def run_child(argv: list[str], stdout_path: Path) -> Run:
    """Run argv in a child process; its own wall, user+sys CPU and peak RSS (not its siblings')."""
    with stdout_path.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def best_of(argv: list[str], repeat: int, scratch: Path, before=None) -> Run:
    """Best wall time of `repeat` runs (CPU and RSS of that same run); a failing run stops the row."""
    best: Run | None = None
    for _ in range(repeat):
        if before:
            before()
        run = run_child(argv, scratch / "child.log")
        if run.returncode not in (0, 1):
            tail = (scratch / "child.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(argv[:4])} ... failed ({run.returncode}):\n{tail}")
        if best is None or run.wall < best.wall:
            best = run
    assert best is not None
    return best


def inputs_for(row: Row, work: Path) -> list[str]:
    """Generate the row's inputs once (same seed, same bytes) and return their paths."""
    folder = work / f"c{row.components}-f{row.findings}"
    stamp = folder / ".done"
    if not stamp.exists():
        sys.path.insert(0, str(HERE))
        from generate import generate

        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, row.components, row.findings)
        stamp.write_text("seed 1\n")
    return sorted(str(p) for p in folder.glob("*.json"))


def package_supports(flag: str) -> bool:
    done = subprocess.run([sys.executable, "-m", "scc.cli", "package", "--help"], check=False, capture_output=True,
                          text=True)
    return flag in done.stdout


def pdf_pages(path: Path) -> int | None:
    if not path.exists():
        return None
    if shutil.which("pdfinfo"):
        done = subprocess.run(["pdfinfo", str(path)], check=False, capture_output=True, text=True)
        found = re.search(r"^Pages:\s+(\d+)", done.stdout, re.MULTILINE)
        if found:
            return int(found.group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def output_sizes(out: Path) -> tuple[int, int, dict[str, int]]:
    files = {p.name: p.stat().st_size for p in out.rglob("*") if p.is_file()}
    return sum(files.values()), len(files), files


_PHASES = r"""
import json, sys, time
from pathlib import Path
from scc.assessment import Assessment, Settings, _settings_files
from scc.facts import ReadContext, read_inputs
from dataclasses import replace

inputs, writers, skip = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
phases = {}
for path in inputs:
    data = Path(path).read_bytes()
    start = time.process_time()
    json.loads(data)
    phases["json.loads " + Path(path).name] = time.process_time() - start
del data
settings = Settings()
context = replace(ReadContext.from_env(), settings_files=_settings_files(settings))
start = time.process_time()
facts = read_inputs(inputs, context=context)
phases["read"] = time.process_time() - start
start = time.process_time()
assessment = Assessment(facts, settings)
phases["assess"] = time.process_time() - start
if writers == "yes":
    from scc.writers import available_writers
    from scc.package_render import render_writer
    for writer in available_writers():
        if writer.filename.endswith(".pdf") and skip == "pdf":
            continue
        start = time.process_time()
        size = sum(len(r[1]) for r in render_writer(writer, assessment.report))
        phases[writer.filename] = time.process_time() - start
        phases[writer.filename + " bytes"] = size
print("PHASES " + json.dumps(phases))
"""


def phases(inputs: list[str], writers: bool, skip_pdf: bool, scratch: Path) -> dict[str, float]:
    """CPU seconds of each phase, in one fresh interpreter (process_time: immune to the other jobs' load)."""
    argv = [sys.executable, "-c", _PHASES, json.dumps(inputs), "yes" if writers else "no", "pdf" if skip_pdf else ""]
    run = run_child(argv, scratch / "phases.log")
    text = (scratch / "phases.log").read_text(errors="replace")
    found = re.search(r"^PHASES (.*)$", text, re.MULTILINE)
    if run.returncode != 0 or not found:
        raise SystemExit(f"phases failed ({run.returncode}):\n{text[-2000:]}")
    result = json.loads(found.group(1))
    result["peak RSS MiB"] = run.rss_mib
    return result


def measure(row: Row, args: argparse.Namespace, skip_flag: list[str]) -> dict:
    inputs = inputs_for(row, args.work)
    result: dict = {"row": row.label, "input MB": sum(Path(p).stat().st_size for p in inputs) / 1e6}
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        scratch = Path(tmp)
        scc = [sys.executable, "-m", "scc.cli"]
        result["facts"] = best_of([*scc, "facts", *inputs], args.repeat, scratch)
        if not args.no_phases:
            result["phases"] = phases(inputs, args.phase_writers, args.skip_pdf, scratch)
        if not args.no_package:
            out = scratch / "pkg"
            result["package"] = best_of([*scc, "package", *inputs, *skip_flag, "--out", str(out)], args.repeat,
                                        scratch, before=lambda: shutil.rmtree(out, ignore_errors=True))
            total, count, files = output_sizes(out)
            result["outputs"] = (total, count)
            result["files"] = files
            result["pages"] = pdf_pages(out / "ssp.pdf")
    return result


def _run_cell(run: Run | None) -> str:
    return f"{run.wall:.1f} s ({run.cpu:.1f} s CPU, {run.rss_mib:.0f} MiB)" if run else "–"


def table(results: list[dict]) -> str:
    header = ("| input | input MB | `scc facts` wall (CPU, peak RSS) | `scc package` wall (CPU, peak RSS) "
              "| outputs | PDF pages |")
    lines = [header, "|---|---|---|---|---|---|"]
    for r in results:
        outputs = f"{r['outputs'][0] / 1e6:.1f} MB in {r['outputs'][1]} files" if "outputs" in r else "–"
        lines.append(f"| {r['row']} | {r['input MB']:.1f} | {_run_cell(r.get('facts'))} | "
                     f"{_run_cell(r.get('package'))} | {outputs} | {r.get('pages') or '–'} |")
    phase_rows = [r for r in results if "phases" in r]
    if phase_rows:
        lines += ["", "In-process CPU seconds per phase (fresh interpreter):", ""]
        names: list[str] = []
        for r in phase_rows:
            names += [n for n in r["phases"] if n not in names and not n.endswith(" bytes")]
        lines.append("| phase | " + " | ".join(r["row"] for r in phase_rows) + " |")
        lines.append("|---|" + "---|" * len(phase_rows))
        for name in names:
            cells = []
            for r in phase_rows:
                value = r["phases"].get(name)
                size = r["phases"].get(name + " bytes")
                cell = "–" if value is None else (f"{value:.0f}" if name.startswith("peak") else f"{value:.2f}")
                cells.append(cell + (f" ({size / 1e6:.1f} MB)" if size is not None else ""))
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(r.key for r in ROWS),
                        help="comma-separated: " + ", ".join(f"{r.key} ({r.label})" for r in ROWS))
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs (default 2)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "scc-scale-inputs")
    parser.add_argument("--skip-pdf", action="store_true", help="pass --skip pdf to scc package (when it has it)")
    parser.add_argument("--no-package", action="store_true", help="time `scc facts` and the phases only")
    parser.add_argument("--no-phases", action="store_true", help="no in-process phase breakdown")
    parser.add_argument("--phase-writers", action="store_true", help="time each writer in process too")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", DEFAULT_EPOCH)
    chosen = [r for key in args.rows.split(",") for r in ROWS if r.key == key.strip()]
    if not chosen:
        parser.error(f"--rows: none of {args.rows!r} is a row")
    skip_flag: list[str] = []
    if args.skip_pdf:
        if package_supports("--skip"):
            skip_flag = ["--skip", "pdf"]
        else:
            print("note: scc package has no --skip yet; the PDF is written", file=sys.stderr)
    print(f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SCC_CONTENT_DIR={os.environ.get('SCC_CONTENT_DIR', '(unset)')}, best of {args.repeat}")
    results = []
    for row in chosen:
        results.append(measure(row, args, skip_flag))
        print(f"done: {row.label}", file=sys.stderr, flush=True)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, default=lambda o: o.__dict__, indent=1))


if __name__ == "__main__":
    main()
