"""Benchmark: wall time and peak memory of `scc package` on the largest reference samples.

Run by hand: python bench/package_time.py [--shared ../shared/data]; results go in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = {
    "largest SBOM (saf-cli npm CycloneDX 1.4, 3.0 MB)": ["samples/cyclonedx/saf-cli.npm.cdx-1.4.json"],
    "largest scan (golang-1.12-alpine Grype, 0.46 MB)": ["samples/grype/golang-1.12-alpine.grype.json"],
    "largest XCCDF results (DISA SCC RHEL 8, 1.2 MB)": ["samples/xccdf-results/rhel8.disa-scc.xccdf-1.2-results.xml"],
    "alpine: SBOM + Grype + Trivy + SARIF + config": [
        "samples/cyclonedx/alpine.syft.cdx-1.5.json", "samples/grype/golang-1.12-alpine.grype.json",
        "samples/trivy/alpine-3.10.trivy.json", "samples/sarif/alpine-3.10.trivy.sarif.json",
        "samples/image-config/oci1-config.json"],
}


_CHILD = """
import resource, sys
from scc.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit_:
    if exit_.code not in (0, 1, None):
        raise
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run(inputs: list[str], repeat: int, extra: tuple[str, ...] = ()) -> tuple[float, float]:
    """Best wall time of `scc package` in a fresh interpreter (start-up included) and its own peak RSS."""
    best = float("inf")
    peak_mib = 0.0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _CHILD, "package", *inputs, *extra, "--out", f"{out}/ato"],
                                  check=True, capture_output=True, text=True)
            best = min(best, time.perf_counter() - start)
        peak_mib = max(peak_mib, int(done.stdout.strip().splitlines()[-1]) / 1024)
    return best, peak_mib


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1795700000")
    print(f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| case | best wall time (s) | peak RSS (MiB) |\n|---|---|---|")
    for name, files in CASES.items():
        seconds, peak = run([str(Path(args.shared) / f) for f in files], args.repeat)
        print(f"| {name} | {seconds:.2f} | {peak:.0f} |")
    example = Path(__file__).resolve().parents[1] / "examples" / "demo-image"
    seconds, peak = run([str(example)], args.repeat)
    print(f"| shipped example (examples/demo-image) | {seconds:.2f} | {peak:.0f} |")
    if os.environ.get("SCC_CONTENT_DIR"):
        largest = [str(Path(args.shared) / f) for f in CASES[next(iter(CASES))]]
        seconds, peak = run(largest, args.repeat, ("--baseline", "moderate"))
        print(f"| largest SBOM with official content, --baseline moderate | {seconds:.2f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
