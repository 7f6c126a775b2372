"""Shared test fixtures: the reference data in ../shared/data (never copied into the repo)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SCC_SHARED_DATA", REPO.parent / "shared" / "data"))
SAMPLES = SHARED_DATA / "samples"
HOSTILE = SHARED_DATA / "hostile"
EXAMPLE = REPO / "examples" / "demo-image"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def samples(shared_data: Path) -> Path:
    return shared_data / "samples"


@pytest.fixture(scope="session")
def hostile(shared_data: Path) -> Path:
    return shared_data / "hostile"


@pytest.fixture(autouse=True)
def _reproducible_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs at a fixed assessment time unless it sets its own."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", os.environ.get("SCC_TEST_EPOCH", "1795700000"))
