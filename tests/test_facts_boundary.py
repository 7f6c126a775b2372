"""The facts boundary (scc/facts/safety.py): hostile text never crashes a writer, secrets never reach an output.

One package is built from inputs that carry the red-team's cases (a lone surrogate in a Grype artifact
version and a SARIF ruleId, a control character in a docker-inspect Id, an Env entry without '=', a
token in an SLSA source URI, credentials in a Healthcheck URL) and a corpus of real secret shapes
planted in every kind of input; every output file is then searched, the xlsx unzipped and the PDF as
text, and every output is checked by its validator.
"""
from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURE_IMAGE
from lxml import etree

import scc
from scc.facts import read_inputs
from scc.facts.safety import REDACTED, clean, make_safe, safe_text
from tests.validators import validate_oscal_schema

HDF_SCHEMA = Path(__file__).parent / "data" / "hdf" / "exec-json.schema.json"   # MITRE's, see its README

DIGEST = "sha256:" + "ab" * 32
# Real shapes (made-up values) of the secrets that turn up in image configs, provenance and scans.
SECRETS = {
    "github": "ghp_R3dT3amT0kenAbCdEfGhIjKlMnOpQrStUv12",
    "github-pat": "github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJ",
    "gitlab": "glpat-Xy9zAbCdEfGhIjKlMnOp",
    "aws-key-id": "AKIAQWERTYUIOPASDFGH",
    "slack": "xoxb-123456789012-abcdefghijklmnop",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzY2MtdGVzdCJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg",
    "basic-auth": "Hunter2BasicAuth",
    "conn-password": "Pg5ecretConn",
    "flag-password": "FlagS3cretValue",
    "sas-sig": "sv2023SigValueXyZ",
    "env-glued": "Hunter2EnvGlued",
    "private-key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
}


def _grype() -> dict:
    return {
        "matches": [{
            "vulnerability": {
                "id": "CVE-2024-0001", "severity": "High", "namespace": "debian:distro:debian:12",
                "description": f"token leaked: {SECRETS['slack']} and key {SECRETS['aws-key-id']}",
                "fix": {"versions": ["1.2.4"], "state": "fixed"}, "cvss": [],
                "urls": [f"https://tracker.example.org/CVE-2024-0001?access_token={SECRETS['github']}"]},
            "relatedVulnerabilities": [],
            "artifact": {"name": "libdemo", "version": "1.2.3\ud83d", "type": "deb",
                         "purl": "pkg:deb/debian/libdemo@1.2.3?arch=amd64"},
        }],
        "source": {"type": "image", "target": {"userInput": "shop/api:1.4", "tags": ["shop/api:1.4"],
                                               "repoDigests": [f"shop/api@{DIGEST}"], "imageID": DIGEST}},
        "descriptor": {"name": "grype", "version": "0.79.3", "timestamp": "2026-11-01T10:00:00Z"},
    }


def _inspect() -> list:
    return [{
        "Id": DIGEST + "\x01\x1b[31m", "RepoTags": ["shop/api:1.4"], "RepoDigests": [f"shop/api@{DIGEST}"],
        "Config": {
            "User": "1000",
            "Env": ["PATH=/usr/bin", f"DB_PASSWORD:{SECRETS['env-glued']}", f"API_TOKEN={SECRETS['github']}"],
            "Cmd": ["/app/server", "--password", SECRETS["flag-password"], f"--db=postgres://app:{SECRETS['conn-password']}@db/x"],
            "Healthcheck": {"Test": ["CMD-SHELL", f"curl -f http://admin:{SECRETS['basic-auth']}@localhost:8080/health"]},
            "Labels": {"org.opencontainers.image.source": f"https://oauth2:{SECRETS['gitlab']}@gitlab.example.com/o/r",
                       "deploy.key": SECRETS["jwt"],
                       "blob": f"https://acct.blob.core.windows.net/c/b?sv=2023&sig={SECRETS['sas-sig']}"},
        },
    }]


def _provenance() -> dict:
    return {
        "_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "shop/api", "digest": {"sha256": DIGEST.split(":")[1]}}],
        "predicate": {
            "builder": {"id": "https://github.com/actions/runner"},
            "buildType": "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
            "invocation": {"configSource": {
                "uri": f"git+https://x-access-token:{SECRETS['github']}@github.com/example-org/api@refs/heads/main",
                "digest": {"sha1": "8f2c1e9a4b7d3c5e6f708192a3b4c5d6e7f80912"}, "entryPoint": "build.yml"}},
            "materials": [{"uri": f"git+https://gitlab-ci-token:{SECRETS['gitlab']}@gitlab.example.com/o/lib",
                           "digest": {"sha1": "1" * 40}}],
        },
    }


def _sbom() -> dict:
    return {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "container", "name": "shop/api", "version": "1.4"}},
        "components": [{
            "type": "library", "name": "libdemo", "version": "1.2.3", "bom-ref": "libdemo",
            "purl": "pkg:deb/debian/libdemo@1.2.3?arch=amd64",
            "externalReferences": [{"type": "vcs", "url": f"https://deploy:{SECRETS['github-pat']}@github.com/o/r"}],
            "properties": [{"name": "build:key", "value": "-----BEGIN PRIVATE KEY-----\n"
                            + SECRETS["private-key"] + "\n-----END PRIVATE KEY-----"}],
        }],
    }


def _sarif() -> dict:
    data = json.loads((FIXTURE_IMAGE / "scan.trivy.sarif.json").read_text())
    data["runs"][0]["results"][0]["ruleId"] += "\ud83d"
    return data


@pytest.fixture(scope="module")
def hostile_inputs(tmp_path_factory) -> list[str]:
    work = tmp_path_factory.mktemp("boundary-inputs")
    files = {"grype.json": _grype(), "inspect.json": _inspect(), "provenance.json": _provenance(),
             "sbom.cdx.json": _sbom(), "scan.sarif.json": _sarif()}
    for name, data in files.items():
        (work / name).write_text(json.dumps(data))   # ensure_ascii: the lone surrogate stays "\ud83d"
    return [str(work / name) for name in files]


@pytest.fixture(scope="module")
def package(hostile_inputs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("boundary-package") / "ato"
    scc.assess(hostile_inputs).write_package(out)
    return out


def _all_text(package: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted(package.iterdir()):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    texts[f"{path.name}!{member}"] = archive.read(member).decode("utf-8", "replace")
        elif path.suffix == ".pdf":
            texts[path.name] = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                              check=True).stdout
        else:
            texts[path.name] = path.read_text(encoding="utf-8")
    return texts


@pytest.mark.slow
def test_every_output_is_written_and_valid(package: Path) -> None:
    names = {p.name for p in package.iterdir()}
    assert {"oscal-assessment-results.json", "oscal-poam.json", "component-definition.json",
            "xccdf-results-arf.xml", "checklist.ckl", "checklist.cklb", "hdf.json", "poam.xlsx", "ssp.pdf"} <= names
    for name, model in (("component-definition.json", "component"),
                        ("oscal-assessment-results.json", "assessment-results"), ("oscal-poam.json", "poam")):
        validate_oscal_schema(package / name, model)
    for path in package.glob("*.xml"):
        etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    etree.parse(str(package / "checklist.ckl"), etree.XMLParser(resolve_entities=False, no_network=True))
    json.loads((package / "checklist.cklb").read_text())
    jsonschema.validate(json.loads((package / "hdf.json").read_text()), json.loads(HDF_SCHEMA.read_text()))


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_no_secret_reaches_any_output(package: Path, kind: str) -> None:
    leaks = [name for name, text in _all_text(package).items() if SECRETS[kind] in text]
    assert not leaks, f"{kind} secret found in {leaks}"


def test_redaction_is_visible_where_a_url_was_kept(package: Path) -> None:
    text = (package / "component-definition.json").read_text() + (package / "oscal-assessment-results.json").read_text()
    assert "github.com/example-org/api" in text      # the source is still named
    assert REDACTED in text


def test_env_entry_without_equals_is_dropped_with_a_note(hostile_inputs) -> None:
    facts = read_inputs(hostile_inputs)
    assert facts.config is not None
    assert facts.config.env_names == ("PATH", "API_TOKEN")
    assert any("environment entry without '='" in note for note in facts.notes)
    assert not any("Hunter2" in note for note in facts.notes)


def test_lone_surrogates_and_controls_are_replaced_visibly(hostile_inputs) -> None:
    facts = read_inputs(hostile_inputs)
    assert next(c.version for c in facts.components if c.name == "libdemo") == "1.2.3"   # the SBOM copy
    versions = {f.installed_version for f in facts.findings}
    assert "1.2.3\ufffd" in versions
    assert facts.identity.digest == DIGEST    # the inspect Id with its control characters is not a digest
    for text in (repr(facts),):
        assert "\\ud83d" not in text and "\\x01" not in text


@pytest.mark.parametrize(("raw", "expected"), [
    ("a\ud83db", "a\ufffdb"),
    ("nul\x00here", "nul\\u0000here"),
    ("esc\x1b[31m", "esc\\u001b[31m"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("evil\u202eexe.txt", "evil[U+202E]exe.txt"),
    ("isolate\u2066x\u2069", "isolate[U+2066]x[U+2069]"),
    ("non\ufffechar", "non\\ufffechar"),
    ("plain text", "plain text"),
])
def test_safe_text(raw: str, expected: str) -> None:
    assert safe_text(raw) == expected
    safe_text(raw).encode("utf-8")   # never raises


@pytest.mark.parametrize(("raw", "kept", "gone"), [
    ("https://x-access-token:ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r", "github.com/o/r", "ghp_"),
    ("git+https://user@github.com/o/r", "github.com/o/r", "user@"),
    ("https://s3.example.com/b/k?X-Amz-Signature=deadbeef&versionId=3", "versionId=3", "deadbeef"),
    ("Server=db;User Id=sa;Password=S3cret!;Pooling=true", "Pooling=true", "S3cret"),
    ("mysql://root:toor@db:3306/app", "db:3306/app", "toor"),
    ("--token=abc123secret", "--token=", "abc123secret"),
    ("pkg:deb/debian/bash@5.2.15-2?arch=amd64&distro=debian-12", "distro=debian-12", "[REDACTED]"),
    ("sha256:" + "a" * 64, "a" * 64, "[REDACTED]"),
])
def test_redact(raw: str, kept: str, gone: str) -> None:
    cleaned = clean(raw)
    assert kept in cleaned and gone not in cleaned


def test_boundary_keeps_shared_objects_shared(hostile_inputs) -> None:
    facts = read_inputs(hostile_inputs)
    again = make_safe(facts)
    assert again.components == facts.components   # idempotent


# -- property: arbitrary text in every fact field never crashes a writer ------------------------------
hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies
ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=40)   # surrogates and controls included


@st.composite
def _hostile_documents(draw) -> dict[str, object]:
    grype = _grype()
    match = grype["matches"][0]
    match["vulnerability"].update(id=draw(ANY_TEXT) or "x", description=draw(ANY_TEXT),
                                  severity=draw(ANY_TEXT), urls=[draw(ANY_TEXT)])
    match["artifact"].update(name=draw(ANY_TEXT) or "x", version=draw(ANY_TEXT), type=draw(ANY_TEXT))
    match["vulnerability"]["fix"]["versions"] = [draw(ANY_TEXT)]
    grype["source"]["target"]["userInput"] = draw(ANY_TEXT)
    inspect = _inspect()
    config = inspect[0]["Config"]
    config.update(User=draw(ANY_TEXT), Env=[draw(ANY_TEXT) + "=" + draw(ANY_TEXT), draw(ANY_TEXT)],
                  Cmd=[draw(ANY_TEXT), draw(ANY_TEXT)], Labels={draw(ANY_TEXT): draw(ANY_TEXT)},
                  Healthcheck={"Test": ["CMD", draw(ANY_TEXT)]})
    inspect[0]["RepoTags"] = [draw(ANY_TEXT)]
    sbom = _sbom()
    component = sbom["components"][0]
    component.update(name=draw(ANY_TEXT) or "x", version=draw(ANY_TEXT), description=draw(ANY_TEXT))
    component["externalReferences"][0]["url"] = draw(ANY_TEXT)
    return {"grype.json": grype, "inspect.json": inspect, "sbom.cdx.json": sbom}


def _validate_outputs(outputs: dict[str, tuple[bytes, str]]) -> None:
    models = {"component-definition.json": "component", "oscal-assessment-results.json": "assessment-results",
              "oscal-poam.json": "poam"}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for name, (data, _) in outputs.items():
        if name.endswith(".json"):
            document = json.loads(data.decode("utf-8"))
            if name in models:
                validate_oscal_schema(document, models[name])
            elif name == "hdf.json":
                jsonschema.validate(document, json.loads(HDF_SCHEMA.read_text()))
        elif name.endswith((".xml", ".ckl")):
            etree.fromstring(data, parser)
        elif name.endswith(".xlsx"):
            import io

            import openpyxl

            openpyxl.load_workbook(io.BytesIO(data), read_only=True).close()
        elif name.endswith(".pdf"):
            assert data.startswith(b"%PDF-")


@pytest.mark.slow
@hypothesis.settings(max_examples=12, deadline=None, derandomize=True,
                     suppress_health_check=list(hypothesis.HealthCheck))
@pytest.mark.slow
@hypothesis.given(documents=_hostile_documents())
def test_arbitrary_text_in_every_field_reaches_valid_outputs(tmp_path_factory, documents) -> None:
    from scc.errors import SccError
    from scc.package import render_outputs

    work = tmp_path_factory.mktemp("hypothesis")
    for name, data in documents.items():
        (work / name).write_text(json.dumps(data))
    try:
        assessment = scc.assess([str(work / name) for name in documents])
    except SccError as error:            # refusing an input is fine: one line naming the file
        assert "\n" not in str(error) and str(work) in str(error)
        return
    _validate_outputs(render_outputs(assessment))
