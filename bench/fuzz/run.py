"""Fuzz scc's readers and its whole pipeline (read -> assess -> every writer -> validators), by hand.

    python bench/fuzz/run.py --format grype --minutes 2
    python bench/fuzz/run.py --all --minutes 1.5 [--pipeline-every 3] [--pdf-every 10]

Seeds are the real files the readers claim (shared samples, tests/data, the shipped example, the
hostile corpus); Hypothesis draws the structural mutations (bench/fuzz/mutate.py). Each case runs in
a forked worker with a memory limit and a per-case timeout; a hang or a dead worker is a crash too.
Crashing inputs are saved under bench/fuzz/crashes/<format>/<signature hash>/ (gitignored) with
the traceback. Prints executions, reads, refusals and distinct crashes per format. Not a test:
it needs `pip install -r bench/fuzz/requirements.txt` (Hypothesis) and the shared data.
"""
from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import resource
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from mutate import mutate_seed
from oracle import Outcome, run_case
from seeds import Seed, discover_seeds, select_formats

CRASH_DIR = Path(__file__).resolve().parent / "crashes"
MEMORY_LIMIT = 3 * 1024**3
BATCH = 10   # cases per Hypothesis run; the budget is checked between runs (the draws must not depend on it)
DEFAULT_INT_DIGITS = sys.get_int_max_str_digits()


@dataclass
class Tally:
    executions: int = 0
    facts: int = 0
    refused: int = 0
    pipelines: int = 0
    skipped: int = 0
    harness_errors: int = 0
    reads_since_pipeline: int = 0
    crashes: dict[str, int] = field(default_factory=dict)


def _worker(conn) -> None:
    sys.set_int_max_str_digits(DEFAULT_INT_DIGITS)   # the parent lifts it to write huge numbers; scc gets the default
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    while True:
        try:
            files, is_dir, pipeline, pdf = conn.recv()
        except EOFError:
            return
        try:
            outcome = run_case(files, is_dir, pipeline, pdf)
        except MemoryError:
            outcome = Outcome("crash", "MemoryError (over the worker's memory limit)")
        conn.send(outcome)


class Worker:
    """A forked process running cases one at a time; replaced when it hangs or dies."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("fork")
        self._start()

    def _start(self) -> None:
        self.conn, child = self._context.Pipe()
        self.process = self._context.Process(target=_worker, args=(child,), daemon=True)
        self.process.start()

    def run(self, files: dict[str, bytes], is_dir: bool, pipeline: bool, pdf: bool, timeout: float) -> Outcome:
        self.conn.send((files, is_dir, pipeline, pdf))
        if not self.conn.poll(timeout):
            self.restart()
            return Outcome("crash", f"hang (no answer in {timeout:g} s)")
        try:
            return self.conn.recv()
        except EOFError:
            code = self.process.exitcode
            self.restart()
            return Outcome("crash", f"worker died (exit code {code})")

    def restart(self) -> None:
        self.process.kill()
        self.process.join()
        self._start()

    def stop(self) -> None:
        self.process.kill()
        self.process.join()


def fuzz_format(fmt: str, seeds: list[Seed], minutes: float, worker: Worker, args) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + minutes * 60

    @settings(max_examples=BATCH, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def one_case(data: st.DataObject) -> None:
        try:
            _one_case(data)
        except Exception:  # noqa: BLE001 - a harness slip must not stop the run (nor make Hypothesis replay)
            tally.harness_errors += 1
            if tally.harness_errors <= 3:
                traceback.print_exc()

    def _one_case(data: st.DataObject) -> None:
        seed = data.draw(st.sampled_from(seeds), label="seed")
        try:
            files = mutate_seed(data, seed.files, seed.is_dir)
        except Exception:  # noqa: BLE001 - a mutation the seed cannot take (e.g. unencodable text): skip it
            tally.skipped += 1
            return
        tally.executions += 1
        pipeline = tally.reads_since_pipeline >= args.pipeline_every - 1   # stays due until a case reads
        pdf = pipeline and (tally.pipelines % args.pdf_every == 0)
        outcome = worker.run(files, seed.is_dir, pipeline, pdf, args.timeout * (3 if pipeline else 1))
        if outcome.status == "crash":
            _record_crash(fmt, seed, files, outcome, tally)
            return
        if outcome.status == "facts":
            tally.pipelines += pipeline
            tally.reads_since_pipeline = 0 if pipeline else tally.reads_since_pipeline + 1
        setattr(tally, outcome.status, getattr(tally, outcome.status) + 1)

    while time.monotonic() < deadline:
        one_case()
    return tally


def _record_crash(fmt: str, seed: Seed, files: dict[str, bytes], outcome: Outcome, tally: Tally) -> None:
    first = outcome.signature not in tally.crashes
    tally.crashes[outcome.signature] = tally.crashes.get(outcome.signature, 0) + 1
    if not first:
        return
    digest = hashlib.sha256(outcome.signature.encode()).hexdigest()[:12]
    case_dir = CRASH_DIR / fmt / digest
    case_dir.mkdir(parents=True, exist_ok=True)
    for relative, data in files.items():
        path = case_dir / "input" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (case_dir / "crash.txt").write_text(f"format: {fmt}\nseed: {seed.name}\nsignature: {outcome.signature}\n\n"
                                        f"{outcome.detail}\n", encoding="utf-8", errors="replace")
    print(f"  crash [{fmt}] {outcome.signature}  -> {case_dir}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--format", help="one reader format (e.g. grype-json, or a unique prefix: grype)")
    which.add_argument("--all", action="store_true", help="every format, one after another")
    parser.add_argument("--minutes", type=float, default=2.0, help="budget per format (default 2)")
    parser.add_argument("--timeout", type=float, default=15.0, help="per-case timeout in seconds (x3 in pipeline mode)")
    parser.add_argument("--pipeline-every", type=int, default=2,
                        help="run the whole pipeline on every Nth input that reads (default 2)")
    parser.add_argument("--pdf-every", type=int, default=10, help="render the PDF on every Nth pipeline case")
    args = parser.parse_args(argv)
    sys.set_int_max_str_digits(0)   # mutations may write 5,000-digit numbers; the worker restores the limit

    from oracle import _oscal_validator, _shipped_rules

    import scc.writers.ssp_pdf  # noqa: F401 - import once before forking, so workers start warm
    from scc.facts import available_readers
    from scc.writers import available_writers

    available_readers(), available_writers(), _shipped_rules()
    for model in ("component", "assessment-results", "poam"):
        _oscal_validator(model)
    seeds = discover_seeds()
    formats = select_formats(seeds, None if args.all else args.format)
    worker = Worker()
    rows = []
    try:
        for fmt in formats:
            print(f"{fmt}: {len(seeds[fmt])} seed(s), {args.minutes:g} min", flush=True)
            tally = fuzz_format(fmt, seeds[fmt], args.minutes, worker, args)
            rows.append((fmt, tally))
            print(f"{fmt}: {tally.executions} executions, {tally.facts} read, {tally.refused} refused, "
                  f"{tally.pipelines} through the pipeline, {tally.skipped} mutations skipped, "
                  f"{len(tally.crashes)} distinct crash(es)", flush=True)
    finally:
        worker.stop()
    print("\n| format | seeds | executions | read | refused | whole pipeline | distinct crashes |")
    print("|---|---|---|---|---|---|---|")
    for fmt, t in rows:
        print(f"| {fmt} | {len(seeds[fmt])} | {t.executions} | {t.facts} | {t.refused} | {t.pipelines} | {len(t.crashes)} |")
    for fmt, t in rows:
        for signature, count in sorted(t.crashes.items()):
            print(f"- {fmt}: {signature} (x{count})")
    return 1 if any(t.crashes for _, t in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
