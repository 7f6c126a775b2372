"""Benchmark: wall and CPU time and output size of each writer's render(report) on one assessment (issue #12).

    SOURCE_DATE_EPOCH=1795564800 SCC_CONTENT_DIR=... python bench/writers_time.py INPUT_DIR [--baseline moderate]
        [--repeat 3] [--skip ssp-pdf] [--save OUT_DIR]

INPUT_DIR is a folder bench/generate.py wrote (or any evidence folder). The assessment is built once in-process
with the Settings `scc package` uses; each writer then renders it --repeat times and the best wall time and
best CPU time (user+sys of this process) are printed, with the size of the output. --save writes every output
under OUT_DIR (for byte-for-byte comparisons between two versions). Results go in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--baseline", default="moderate")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", action="append", default=[], help="writer name to leave out (repeatable)")
    parser.add_argument("--only", action="append", default=[], help="writer name to run (repeatable)")
    parser.add_argument("--save", type=Path, help="write each output under this folder")
    args = parser.parse_args()

    from scc.assessment import Settings, assess
    from scc.writers import available_writers

    start, cpu = time.perf_counter(), _cpu()
    report = assess(tuple(args.inputs), Settings(baseline=args.baseline or None))
    print(f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{len(report.facts.components)} components, {len(report.facts.findings)} findings")
    print(f"# assess: {time.perf_counter() - start:.2f} s wall, {_cpu() - cpu:.2f} s CPU")
    print("| writer | best wall (s) | best CPU (s) | size (bytes) |\n|---|---|---|---|")
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    for writer in available_writers():
        if writer.name in args.skip or (args.only and writer.name not in args.only):
            continue
        wall = cpu_best = float("inf")
        data = b""
        for _ in range(args.repeat):
            start, cpu = time.perf_counter(), _cpu()
            data = writer.render(report)
            wall, cpu_best = min(wall, time.perf_counter() - start), min(cpu_best, _cpu() - cpu)
        print(f"| {writer.name} | {wall:.2f} | {cpu_best:.2f} | {len(data)} |", flush=True)
        if args.save:
            (args.save / writer.filename).write_bytes(data)


if __name__ == "__main__":
    main()
