"""The README's first command on the shipped example: its registry allow-list (examples/demo-image/
registry-policy.yaml) and its OpenSSF Scorecard result (demo-api.scorecard.json) reach every view of the
package that carries the rules they decide, each citing the file, its sha256 and the spot in it."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE, REPO

POLICY = EXAMPLE / "registry-policy.yaml"
SCORECARD = EXAMPLE / "demo-api.scorecard.json"
POLICY_SPOT = "registry-policy.yaml#allow.repositories[0]"
SCORECARD_SPOT = "demo-api.scorecard.json#/checks/"


def readme_command(out: Path) -> list[str]:
    """The README's first set-up command, from `scc package` on, writing to ``out`` instead of ato/."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = re.findall(r"```sh\n(.+?)\n```", readme, re.DOTALL)[0]
    words = shlex.split(first.split(".venv/bin/scc ", 1)[1])
    assert words[-2:] == ["--out", "ato/"]
    return [sys.executable, "-m", "scc.cli", *words[:-1], str(out)]


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("readme") / "ato"
    done = subprocess.run(readme_command(out), check=False, cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, SOURCE_DATE_EPOCH="1795700000"))
    assert done.returncode == 0, done.stderr
    assert "registry-policy.yaml: passed over" not in done.stderr   # given as the policy, not as evidence
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8")


def test_the_readme_command_gives_the_policy_and_the_folder_holds_the_scorecard_result(package: Path) -> None:
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    policy = manifest["provenance"]["registry-policy"]
    assert policy["sha256"] == sha256(POLICY) and policy["file"].endswith("registry-policy.yaml")
    inputs = {Path(i["path"]).name: i for i in manifest["inputs"]}
    assert inputs["demo-api.scorecard.json"]["sha256"] == sha256(SCORECARD)
    assert inputs["demo-api.scorecard.json"]["format"] == "openssf-scorecard"


def rule_results(package: Path) -> dict[str, dict]:
    """Each scc rule's HDF result (status, the statement with its citations) and its scc verdict."""
    hdf = json.loads((package / "hdf.json").read_text(encoding="utf-8"))
    return {c["id"]: {**c["results"][0], "verdict": c["tags"].get("scc_verdict")}
            for p in hdf["profiles"] for c in p["controls"] if c.get("results")}


def test_the_allow_list_admits_the_image_and_the_manifest_image_citing_the_pattern(package: Path) -> None:
    results = rule_results(package)
    for rule in ("registry-image-allowed", "registry-manifest-images-allowed"):
        assert (results[rule]["status"], results[rule]["verdict"]) == ("passed", "satisfied"), rule
    cited = json.dumps(results["registry-image-allowed"])
    assert POLICY_SPOT in cited and sha256(POLICY) in (package / "oscal-assessment-results.json").read_text()
    # the allow-list is the organisation's: enforcing it is the registry's and the cluster's, for a person
    assert results["V-233192"]["verdict"] == "manual"      # SRG-APP-000386-CTR-000920


def test_the_image_source_scorecard_is_partial_citing_each_required_check(package: Path) -> None:
    result = rule_results(package)["sr3-scorecard-image-source"]
    assert result["verdict"] == "partial"        # SR-3 asks more than the repository's controls
    cited = json.dumps(result)
    assert "github.com/example-org/demo-api (score 7.8, 2026-11-19)" in cited
    assert cited.count(SCORECARD_SPOT) >= 4      # Branch-Protection, Dangerous-Workflow, Signed-Releases, Maintained


@pytest.mark.parametrize(("output", "policy", "scorecard"), [
    ("oscal-assessment-results.json", True, True),
    ("oscal-poam.json", True, True),          # SRG-APP-000386 (manual) and SR-3 (partial) are open items
    ("component-definition.json", True, True),
    ("ssp.json", True, True),
    ("hdf.json", True, True),
    ("report.html", True, True),
    ("ssp.pdf", True, True),
    ("poam.xlsx", False, True),               # satisfied registry rules raise no POA&M row
    ("checklist.ckl", True, False),           # the checklists carry SRG requirements only
    ("checklist.cklb", True, False),
    ("xccdf-results-ctr-srg.xml", True, False),
    ("ssdf.json", False, True),               # registry rules are the acquirer's, not SSDF tasks (docs/ssdf.md)
    ("cisa-attestation-evidence.html", False, True),
])
def test_every_view_that_carries_the_rules_shows_the_new_evidence(package: Path, output: str, policy: bool,
                                                                  scorecard: bool) -> None:
    text = text_of(package / output)
    assert ("registry-policy.yaml" in text) is policy, output
    assert ("demo-api.scorecard.json" in text or "example-org/demo-api (score 7.8" in text) is scorecard, output
