"""One image from six different inputs: nothing lost, nothing doubled (counts from the raw files)."""
from __future__ import annotations

import gzip
import io
import json
import tarfile

import pytest
from conftest import EXAMPLE

from scc.facts import read_inputs
from scc.facts.identity import normalise_purl
from scc.facts.model import FindingState


def raw_apk_packages() -> set[tuple[str, str]]:
    """(name, version) of every package in the image layer's apk database, read straight from the blob."""
    index = json.loads((EXAMPLE / "image" / "index.json").read_text())
    blobs = EXAMPLE / "image" / "blobs" / "sha256"
    manifest = json.loads((blobs / index["manifests"][0]["digest"].split(":")[1]).read_text())
    layer = (blobs / manifest["layers"][0]["digest"].split(":")[1]).read_bytes()
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(layer))) as tar:
        db = tar.extractfile("lib/apk/db/installed").read().decode()
    packages, name = set(), None
    for line in db.splitlines():
        if line.startswith("P:"):
            name = line[2:]
        elif line.startswith("V:"):
            packages.add((name, line[2:]))
    return packages


def test_the_eight_inputs_of_one_image_reconcile():
    sbom = json.loads((EXAMPLE / "sbom.cdx.json").read_text())
    grype = json.loads((EXAMPLE / "grype.json").read_text())
    vex = json.loads((EXAMPLE / "vex.openvex.json").read_text())
    facts = read_inputs([str(EXAMPLE)])

    assert {i.format.split()[0] for i in facts.inputs} >= {"cyclonedx-json", "grype-json", "oci-image-config",
                                                            "oci-image-layout", "openvex", "kubernetes-manifest",
                                                            "openssf-scorecard"}
    assert len(facts.inputs) == 8
    sbom_keys = {normalise_purl(c["purl"]) for c in sbom["components"] if c.get("purl")}
    merged_keys = {c.key for c in facts.components}
    assert sbom_keys <= merged_keys
    apk = raw_apk_packages()
    assert {(c.name, c.version) for c in facts.components if c.purl.startswith("pkg:apk/")} == apk
    assert len(facts.components) == len(sbom["components"])      # the layer's apk db adds no duplicates

    assert len(facts.findings) == len(grype["matches"])
    closed = {s["vulnerability"]["name"] for s in vex["statements"] if s["status"] == "not_affected"}
    assert {f.id for f in facts.findings if f.state is FindingState.NOT_AFFECTED} == closed
    assert len(facts.open_findings) == len(grype["matches"]) - len(closed)
    assert len(facts.provenance) == 1 and len(facts.signatures) == 1
    assert facts.identity.digest == index_digest()
    # the deployment manifest runs this very image: its one container pulls the layout's digest
    assert [m.reference.split("@")[-1] for m in facts.manifest_images] == [index_digest()]
    assert facts.filesystem is not None and facts.config.user == "65532:65532"
    # the Scorecard result is of the repository the provenance builds the image from
    source = facts.provenance[0].source_repository
    assert [r.repository for r in facts.scorecards] == ["github.com/example-org/demo-api"]
    assert "github.com/example-org/demo-api" in source


def index_digest() -> str:
    return json.loads((EXAMPLE / "image" / "index.json").read_text())["manifests"][0]["digest"]


@pytest.mark.slow
def test_account_verdicts_cite_the_passwd_file_they_read():
    import scc

    assessment = scc.assess([str(EXAMPLE / "image")])
    result = next(r for r in assessment.rule_results if r.rule.check == "service_accounts_no_login_shell")
    assert [e.pointer for e in result.evidence] == ["rootfs:/etc/passwd"]
