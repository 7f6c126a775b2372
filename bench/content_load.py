"""Load times of the official content, and trestle's model parse against a direct json parse.

    python bench/content_load.py [SHARED_DATA]   (default ../shared/data or SCC_SHARED_DATA)

Prints the best of N runs for: the rev5 catalog through json.loads alone, through scc's reader
(json + controls with rendered statements), and through trestle's pydantic Catalog model; each
baseline profile with its import resolved; the CCI list; each SRG/STIG benchmark. scc reads with
the json path because it is several times faster; trestle stays the writer/validator of our OSCAL.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SCC_SHARED_DATA", REPO.parent / "shared" / "data"))
CATALOG = DATA / "nist" / "NIST_SP-800-53_rev5_catalog.json"


def best(label: str, action, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    print(f"{label:58} {min(times) * 1000:8.1f} ms")
    return min(times)


def trestle_read() -> None:
    from trestle.oscal.catalog import Catalog

    Catalog.oscal_read(CATALOG)


def main() -> None:
    from scc.content.bundle import import_content
    from scc.content.disa import parse_benchmark, parse_cci_list
    from scc.content.oscal import parse_catalog
    from scc.content.store import ContentStore

    data = CATALOG.read_bytes()
    print(f"catalog: {CATALOG.name}, {len(data) / 1e6:.1f} MB")
    best("catalog: json.loads only", lambda: json.loads(data))
    best("catalog: scc reader (json + Control objects + rendered text)", lambda: parse_catalog(data, "c"))
    best("catalog: trestle Catalog.oscal_read (pydantic models)", trestle_read, runs=2)
    with tempfile.TemporaryDirectory() as directory:
        store = ContentStore(directory)
        import_content(store, [DATA / "nist", DATA / "disa"])
        best("store.catalog() cold (sha256 check + parse)", lambda: (store.forget(), store.catalog()))
        for level in ("low", "moderate", "high", "privacy"):
            store.catalog()
            def baseline(level: str = level) -> None:
                store._parsed.pop(f"baseline:{level}", None)
                store.baseline(level)

            best(f"baseline {level} (import resolved, catalog loaded)", baseline)
    cci = (DATA / "disa" / "U_CCI_List.xml").read_bytes()
    best("CCI list (U_CCI_List.xml)", lambda: parse_cci_list(cci, "cci"))
    for file in sorted((DATA / "disa").glob("disa-*.xml")):
        raw = file.read_bytes()
        best(f"benchmark {file.name}", lambda raw=raw, name=file.name: parse_benchmark(raw, name))


if __name__ == "__main__":
    main()
