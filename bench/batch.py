"""Benchmark `scc batch` (issue #12 goal 5): N generated images on local processes and on a Dask LocalCluster.

    python bench/batch.py WORKDIR [--images 200] [--jobs 2] [--executors processes,dask] [--seed 1] [--skip pdf]

Each image is a copy of the shipped example (examples/demo-image) whose Grype scan is regenerated from the
same seed: between 0 and 60 extra findings on the example's own packages, with new CVE ids, severities and
CVSS scores drawn as grype reports them, so images differ in size and content. The catalog is a folder of
those evidence folders. For each executor it prints (and writes as JSON beside the catalog) the wall and
CPU time of the whole run, the time per image of the first 20 and the last 20 images to finish (a third of
the images each when there are fewer than 60; is it flat?), and each worker's resident memory after its first and its last image plus its peak (is it flat?).
Nothing here is used by scc itself.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "demo-image"
SEVERITIES = (("Critical", 0.06, (9.0, 10.0)), ("High", 0.24, (7.0, 8.9)), ("Medium", 0.45, (4.0, 6.9)),
              ("Low", 0.2, (0.1, 3.9)), ("Negligible", 0.05, (0.0, 0.0)))


def generated_scan(rng: random.Random, base: dict, extra: int) -> dict:
    """The example's Grype scan plus ``extra`` findings on its packages (new ids, severities, scores)."""
    scan = copy.deepcopy(base)
    templates = base["matches"]
    for number in range(extra):
        match = copy.deepcopy(rng.choice(templates))
        cve = f"CVE-{rng.randint(2019, 2026)}-{rng.randint(10000, 99999)}{number:03d}"
        name, _weight, (low, high) = rng.choices(SEVERITIES, weights=[s[1] for s in SEVERITIES])[0]
        score = round(rng.uniform(low, high), 1)
        match["vulnerability"].update(id=cve, severity=name)
        for cvss in match["vulnerability"].get("cvss", []):
            cvss["metrics"]["baseScore"] = score
        for related in match.get("relatedVulnerabilities", []):
            related.update(id=cve, severity=name)
            for cvss in related.get("cvss", []):
                cvss["metrics"]["baseScore"] = score
        for detail in match.get("matchDetails", []):
            detail.get("found", {})["vulnerabilityID"] = cve
        scan["matches"].append(match)
    return scan


def make_catalog(root: Path, images: int, seed: int) -> Path:
    """A folder catalog of ``images`` variants of the example (the same seed gives the same bytes)."""
    catalog = root / "catalog"
    if catalog.exists():
        shutil.rmtree(catalog)
    catalog.mkdir(parents=True)
    rng = random.Random(seed)
    base = json.loads((EXAMPLE / "grype.json").read_text())
    for index in range(images):
        folder = catalog / f"image-{index:04d}"
        shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("overrides.yaml", "system-profile.yaml",
                                                                        "*.pub"))
        scan = generated_scan(rng, base, rng.randint(0, 60))
        (folder / "grype.json").write_text(json.dumps(scan, indent=1))
    return catalog


def run(catalog: Path, out: Path, jobs: int, executor: str, skip: tuple[str, ...] = ()) -> dict:
    from scc.assessment import Settings
    from scc.batch import run_batch

    if out.exists():
        shutil.rmtree(out)
    finished: list = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, started_cpu = time.perf_counter(), time.process_time()
    result = run_batch(catalog, out, Settings(keys=[EXAMPLE / "demo-signing.pub"]), jobs=jobs, executor=executor,
                       on_outcome=finished.append, skip=skip)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return figures(finished, wall, time.process_time() - started_cpu, children_cpu, result.exit_code)


def figures(finished: list, wall: float, own_cpu: float, children_cpu: float, exit_code: int) -> dict:
    per_worker: dict[str, list] = defaultdict(list)
    for outcome in finished:
        per_worker[outcome.metrics.worker].append(outcome.metrics)
    window = min(20, max(1, len(finished) // 3))   # 20 of 200; a third of a smaller run
    first, last = finished[:window], finished[-window:]

    def median(items: list, attribute: str) -> float:
        return round(statistics.median(getattr(o.metrics, attribute) for o in items), 3)

    return {
        "images": len(finished), "exit-code": exit_code, "failed": sum(1 for o in finished if o.error),
        "wall-seconds": round(wall, 1),
        "cpu-seconds-in-images": round(sum(o.metrics.cpu_seconds for o in finished), 1),
        "cpu-seconds-driver": round(own_cpu, 1), "cpu-seconds-children": round(children_cpu, 1),
        "window": window,
        "first": {"wall-median": median(first, "wall_seconds"), "cpu-median": median(first, "cpu_seconds")},
        "last": {"wall-median": median(last, "wall_seconds"), "cpu-median": median(last, "cpu_seconds")},
        "workers": {worker: {"images": len(items), "rss-after-first-mib": round(items[0].rss_kib / 1024),
                             "rss-after-last-mib": round(items[-1].rss_kib / 1024),
                             "peak-rss-mib": round(max(m.peak_rss_kib for m in items) / 1024)}
                    for worker, items in sorted(per_worker.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--executors", default="processes,dask")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip", default="", help="outputs to leave out, e.g. pdf (as scc batch --skip)")
    options = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1780000000")
    catalog = make_catalog(options.workdir, options.images, options.seed)
    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                         f"{platform.platform()}", "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "content": os.environ.get("SCC_CONTENT_DIR", "(default cache)"), "runs": {}}
    for executor in options.executors.split(","):
        skip = tuple(n for n in options.skip.split(",") if n)
        report["runs"][executor] = run(catalog, options.workdir / f"out-{executor}", options.jobs, executor, skip)
        print(executor, json.dumps(report["runs"][executor], indent=1), file=sys.stderr)
    (options.workdir / "batch-bench.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
