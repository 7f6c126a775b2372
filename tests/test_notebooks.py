"""The notebooks in notebooks/ run top to bottom against the installed scc, and are kept without outputs."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
# what the last cell of each notebook must show: the point the notebook makes
LAST_OUTPUT = {
    "quickstart.ipynb": ("manifest.json", "ssp.pdf"),
    "accreditation-prep.ipynb": ("'mismatched': []", "'attested-verdicts': {'rules': {'satisfied': 1"),
    "organisation-rule-pack.ipynb": ("org.yaml: rule org-cm7-no-download-tools: unknown params ['packges']",),
}


def _text(output: dict) -> str:
    return str(output.get("text") or output.get("data", {}).get("text/plain", ""))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_without_errors(path: Path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    last_code = [cell for cell in notebook.cells if cell.cell_type == "code"][-1]
    final = _text(last_code.outputs[0])
    for expected in LAST_OUTPUT[path.name]:
        assert expected in final


def test_every_notebook_has_its_check_and_is_stored_without_outputs():
    nbformat = pytest.importorskip("nbformat")
    assert {p.name for p in NOTEBOOKS} == set(LAST_OUTPUT)
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert code and all(not c.outputs and c.execution_count is None for c in code), path.name
