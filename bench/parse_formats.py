"""Parse time and peak memory of scc's readers on the largest sample of each format, and of the
reference libraries (spdx-tools, cyclonedx-python-lib) on the same SPDX / CycloneDX files.

    python bench/parse_formats.py [--runs 5]

Time is the best of N runs of "open the file, sniff, read everything" (a fresh InputDocument each
time, so hashing and JSON/XML parsing are included); peak memory is tracemalloc's peak for one
such run. The libraries are optional: a row says "not installed" when one is missing (they are not
scc dependencies; install them in a throwaway venv to compare).
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SCC_SHARED_DATA", REPO.parent / "shared" / "data"))
SAMPLES = SHARED / "samples"
DATA = REPO / "tests" / "data"

SCC_CASES = [  # (reader module, file): the largest file of each format
    ("spdx_json", SAMPLES / "spdx" / "alpine.syft.spdx-2.3.json"),
    ("spdx_tagvalue", DATA / "alpine.syft-1.18.spdx-2.3.tv.spdx"),
    ("spdx3", DATA / "alpine.spdx-3.0.1.json"),
    ("cyclonedx_xml", SAMPLES / "cyclonedx" / "alpine.syft.cdx-1.5.xml"),
    ("cyclonedx_json", SAMPLES / "cyclonedx" / "saf-cli.npm.cdx-1.4.json"),
    ("cyclonedx_json", SAMPLES / "cyclonedx" / "alpine.syft.cdx-1.5.json"),
    ("syft_json", SAMPLES / "syft" / "alpine.syft-schema-6.json"),
    ("sarif", SAMPLES / "sarif" / "nginx.grype.sarif.json"),
    ("xccdf_results", SAMPLES / "xccdf-results" / "rhel8.disa-scc.xccdf-1.2-results.xml"),
    ("xccdf_results", SAMPLES / "xccdf-results" / "rhel8.openscap.xccdf-1.2-results.xml"),
    ("grype", SAMPLES / "grype" / "golang-1.12-alpine.grype.json"),
    ("trivy", SAMPLES / "trivy" / "alpine-3.10.trivy.json"),
    ("image_config", SAMPLES / "image-config" / "go-stream-client.docker-inspect.json"),
    ("cyclonedx_json", SAMPLES / "cyclonedx-vex" / "dropwizard.dependency-track.vex-1.5.json"),
    ("openvex", SAMPLES / "openvex" / "images.vex.json"),
    ("csaf_vex", SAMPLES / "csaf-vex" / "2022-evd-uc-02-na-001.json"),
    ("intoto", SAMPLES / "intoto" / "slsa-v0.2.gha-generic.dsse.intoto.jsonl"),
    ("intoto", SAMPLES / "intoto" / "slsa-v1.gha-container-based.sigstore-bundle.json"),
    ("image_layout", REPO / "examples" / "demo-image" / "image"),
]


def scc_reader(module_name: str, path: Path):
    def run():
        from scc.facts.source import InputDocument

        module = importlib.import_module(f"scc.facts.{module_name}")
        doc = InputDocument(path)
        if not module.READER.sniff(doc):
            raise SystemExit(f"{module_name} does not claim {path}")
        facts = module.READER.read(doc)
        return len(facts.components) + len(facts.findings) + len(facts.xccdf_results)
    return run


def spdx_tools(path: Path):
    def run():
        from spdx_tools.spdx.parser.parse_anything import parse_file

        return len(parse_file(str(path)).packages)
    return run


def cyclonedx_lib(path: Path):
    def run():
        from cyclonedx.model.bom import Bom

        if path.suffix == ".xml":
            from defusedxml import ElementTree

            bom = Bom.from_xml(ElementTree.parse(str(path)).getroot())
        else:
            bom = Bom.from_json(json.loads(path.read_text()))
        return sum(1 for _ in bom.components)
    return run


LIBRARY_CASES = [
    ("spdx-tools 0.8 parse_file", SAMPLES / "spdx" / "alpine.syft.spdx-2.3.json", spdx_tools),
    ("spdx-tools 0.8 parse_file", DATA / "alpine.syft-1.18.spdx-2.3.tv.spdx", spdx_tools),
    ("cyclonedx-python-lib Bom.from_json", SAMPLES / "cyclonedx" / "saf-cli.npm.cdx-1.4.json", cyclonedx_lib),
    ("cyclonedx-python-lib Bom.from_json", SAMPLES / "cyclonedx" / "alpine.syft.cdx-1.5.json", cyclonedx_lib),
    ("cyclonedx-python-lib Bom.from_xml", SAMPLES / "cyclonedx" / "alpine.syft.cdx-1.5.xml", cyclonedx_lib),
]


def measure(run, runs: int) -> tuple[float, float, int] | str:
    try:
        count = run()  # warm-up: imports, caches
    except ImportError as exc:
        return f"not installed ({exc.name})"
    except Exception as exc:  # noqa: BLE001 - a library failing on a real file is a result worth printing
        return f"failed: {type(exc).__name__}: {str(exc)[:60]}"
    best = min(_timed(run) for _ in range(runs))
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / 1e6, count


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = [(f"scc {m}", p, scc_reader(m, p)) for m, p in SCC_CASES]
    rows += [(name, p, factory(p)) for name, p, factory in LIBRARY_CASES]
    print(f"{'parser':38} {'file':44} {'KB':>6} {'ms':>8} {'peak MB':>8} {'items':>6}")
    for name, path, run in rows:
        if not path.exists():
            print(f"{name:38} {path.name:44} missing")
            continue
        result = measure(run, args.runs)
        size = path.stat().st_size / 1024
        if isinstance(result, str):
            print(f"{name:38} {path.name:44} {size:6.0f} {result}")
        else:
            seconds, peak, count = result
            print(f"{name:38} {path.name:44} {size:6.0f} {seconds * 1000:8.1f} {peak:8.1f} {count:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
