"""Benchmark: where the wall time of one `scc package` goes, per phase and per process (issue #12).

    SOURCE_DATE_EPOCH=1795564800 SCC_CONTENT_DIR=... python bench/timeline.py INPUTS... [--jobs 2]
        [--repeat 1] [-- extra scc package options]

Runs `scc package INPUTS --out <tmp> --quiet` in this interpreter (imports included, as the CLI does) with
timing wrappers around the phases: reading (scc.facts.read_inputs), assessing (Assessment), every writer's
render (in whichever process it runs; forked workers inherit the wrappers), the Report's trip to a worker
(pickle), the manifest and writing the package directory. Each phase records its process, its wall-clock
start and end and its CPU time (time.process_time: user + sys of that process alone) and the process's peak RSS when it ended, so the table shows
both what the machine spent and how long it waited.

Because the machine running the benchmark may be shared, the wall time it measures is inflated by other
work; the estimate "idle 2-core wall" is the longest critical path when every process gets a core of its
own: the CPU of the parent before the writers, then the larger of the parent's and each worker's writer CPU
(a worker's includes receiving the Report), then the parent's CPU after them.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

EVENTS = "SCC_TIMELINE_EVENTS"


def _record(label: str, start: float, end: float, cpu: float) -> None:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = json.dumps({"pid": os.getpid(), "label": label, "start": start, "end": end, "cpu": cpu,
                       "peak": peak}) + "\n"
    with open(os.environ[EVENTS], "a", encoding="utf-8") as stream:
        stream.write(line)


@contextmanager
def _timed(label: str):
    start, cpu = time.time(), time.process_time()
    try:
        yield
    finally:
        _record(label, start, time.time(), time.process_time() - cpu)


def _wrap(owner: Any, attribute: str, label: Any) -> None:
    original = getattr(owner, attribute)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        name = label(*args) if callable(label) else label
        with _timed(name):
            return original(*args, **kwargs)

    setattr(owner, attribute, wrapper)


def instrument() -> None:
    """Wrap the phases of a package run (reading, assessing, each writer, pickling, writing)."""
    import scc.facts
    import scc.package
    import scc.package_dir
    from scc.assessment import Assessment
    from scc.report import Report
    from scc.writers import available_writers

    _wrap(scc.facts, "read_inputs", "read")
    _wrap(Assessment, "__init__", "assess")
    for writer in available_writers():
        _wrap(type(writer), "render", lambda self, *_: f"render {self.filename}")
        if hasattr(type(writer), "render_extra"):
            _wrap(type(writer), "render_extra", lambda self, *_: f"render extra {self.filename}")
    _wrap(scc.package, "manifest", "manifest")
    for name in ("replace_package_dir", "write_staged", "staged_package"):
        if hasattr(scc.package_dir, name):
            _wrap(scc.package_dir, name, f"package_dir.{name}")

    def reduce(self: Report) -> Any:      # the Report's pickle (sent to a worker process), timed
        start, cpu = time.time(), time.process_time()
        data = pickle.dumps(self.__getstate__(), protocol=pickle.HIGHEST_PROTOCOL)
        _record(f"pickle Report ({len(data) / 1e6:.1f} MB)", start, time.time(), time.process_time() - cpu)
        return (_unpickle_report, (data,))

    Report.__reduce__ = reduce   # type: ignore[method-assign]


def _unpickle_report(data: bytes) -> Any:
    from scc.report import Report

    with _timed("unpickle Report"):
        state = pickle.loads(data)
        report = object.__new__(Report)
        report.__setstate__(state)
        return report


def run_once(inputs: list[str], extra: list[str], events: Path) -> tuple[float, float]:
    """One package run in this process: (wall, CPU of this process and its waited-for children)."""
    os.environ[EVENTS] = str(events)
    out = Path(tempfile.mkdtemp(prefix="timeline-")) / "pkg"
    start = time.time()
    before = os.times()
    with _timed("main (startup to exit)"):
        instrument()
        from scc.cli.app import cli

        try:
            cli.main(["package", *inputs, "--out", str(out), "--quiet", *extra], standalone_mode=False)
        except SystemExit as exc:
            if exc.code not in (0, 1, None):
                raise
    after = os.times()
    cpu = (after.user - before.user) + (after.system - before.system)
    cpu += (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return time.time() - start, cpu


def table(events: list[dict[str, Any]], origin: float) -> str:
    pids = {e["pid"]: None for e in sorted(events, key=lambda e: e["start"])}
    names = {pid: ("scc" if n == 0 else f"worker {n}") for n, pid in enumerate(pids)}
    lines = ["| process | phase | start (s) | end (s) | wall (s) | CPU (s) | peak RSS so far (MiB) |",
             "|---|---|---|---|---|---|---|"]
    for e in sorted(events, key=lambda e: (e["start"], -e["end"])):
        lines.append(f"| {names[e['pid']]} | {e['label']} | {e['start'] - origin:.2f} | {e['end'] - origin:.2f} | "
                     f"{e['end'] - e['start']:.2f} | {e['cpu']:.2f} | {e['peak']:.0f} |")
    return "\n".join(lines)


def critical_path(events: list[dict[str, Any]]) -> dict[str, float]:
    """CPU seconds on each process and the idle-machine estimate (see the module docstring)."""
    main = next(e for e in events if e["label"].startswith("main"))
    parent = main["pid"]
    workers: dict[int, float] = {}
    for e in events:
        if e["pid"] != parent and not e["label"].startswith("pickle"):
            workers[e["pid"]] = workers.get(e["pid"], 0.0) + e["cpu"]
    renders = [e for e in events if e["pid"] == parent and e["label"].startswith(("render", "pickle"))]
    first = min((e["start"] for e in renders), default=main["end"])
    last = max((e["end"] for e in renders), default=main["end"])
    here = sum(e["cpu"] for e in renders)
    before = sum(e["cpu"] for e in events if e["pid"] == parent and e["label"] in ("read", "assess"))
    after = sum(e["cpu"] for e in events if e["pid"] == parent and e["start"] >= last)
    startup = main["cpu"] - sum(e["cpu"] for e in events if e["pid"] == parent and e is not main
                                and e["label"] in ("read", "assess")) - here - after
    estimate = startup + before + max([here, *workers.values()]) + after
    return {"parent CPU": main["cpu"], "workers CPU": sum(workers.values()),
            "parent writers CPU": here, "max worker CPU": max(workers.values(), default=0.0),
            "parent other CPU (startup, imports, between phases)": startup, "read+assess CPU": before,
            "after writers CPU": after, "writers wall": last - first, "idle 2-core wall estimate": estimate}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--jobs", type=int, default=None)
    args, extra = parser.parse_known_args()
    extra = [e for e in extra if e != "--"] + (["--jobs", str(args.jobs)] if args.jobs else [])
    events_path = Path(tempfile.mkstemp(prefix="timeline-", suffix=".jsonl")[1])
    origin = time.time()
    wall, cpu = run_once(args.inputs, extra, events_path)
    events = [json.loads(line) for line in events_path.read_text().splitlines()]
    print(table(events, origin))
    print()
    for key, value in critical_path(events).items():
        print(f"- {key}: {value:.2f} s")
    print(f"- measured wall: {wall:.2f} s; CPU of scc and its workers: {cpu:.2f} s; load average "
          f"{os.getloadavg()[0]:.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
