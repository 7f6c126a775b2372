"""Benchmark: `scc package --jobs 1` (serial) against `--jobs N` (writers in worker processes).

    python bench/jobs.py INPUTS... [--jobs 2] [--repeat 3] [-- extra scc package options]

Each run is a fresh `scc package` process; wall time, and CPU time (user + sys of scc and its worker
processes) are reported, best of --repeat, and the two packages are compared byte for byte. Results go in
docs/benchmarks.md with the machine and date (on a shared machine wall time is noisy: report both).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(inputs: list[str], jobs: int, out: Path, extra: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of scc and its children) of one `scc package` run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scc.cli", "package", *inputs, "--out", str(out), "--jobs", str(jobs),
                    "--quiet", *extra], check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeat", type=int, default=3)
    args, extra = parser.parse_known_args()
    extra = [e for e in extra if e != "--"]
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1780000000")
    with tempfile.TemporaryDirectory() as scratch:
        best: dict[int, tuple[float, float]] = {}
        for attempt in range(args.repeat):
            for jobs in (1, args.jobs):
                wall, cpu = run(args.inputs, jobs, Path(scratch) / f"pkg-{jobs}", extra)
                print(f"run {attempt + 1} --jobs {jobs}: wall {wall:.1f} s, cpu {cpu:.1f} s", flush=True)
                seen = best.get(jobs, (wall, cpu))
                best[jobs] = (min(seen[0], wall), min(seen[1], cpu))
        same = files(Path(scratch) / "pkg-1") == files(Path(scratch) / f"pkg-{args.jobs}")
    for jobs, (wall, cpu) in best.items():
        print(f"best --jobs {jobs}: wall {wall:.1f} s, cpu {cpu:.1f} s")
    print("packages byte-identical" if same else "PACKAGES DIFFER")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
