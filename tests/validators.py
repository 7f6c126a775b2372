"""The external validators scc's outputs must pass, runnable from any test (never mocked).

    validate_oscal_schema(path_or_dict, "component")      NIST OSCAL 1.2.1 JSON schema (Draft 7); without
                                                             ../shared (and not CI=true) trestle's OSCAL models
    trestle_validate(path, "component-definition")          `trestle validate` inside a fresh workspace
    oscap_xccdf_validate(path) / oscap_xccdf_report(path)   OpenSCAP: schema+schematron, HTML report
    xmllint_xsd(path, xsd)                                   libxml2 XSD validation

Each raises AssertionError with the tool's own message when the document is rejected.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(os.environ.get("SCC_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
OSCAL_SCHEMAS = SHARED_DATA / "oscal-schemas" / "1.2.1"
XCCDF_XSD = Path("/usr/share/openscap/schemas/xccdf/1.2/xccdf_1.2.xsd")

#: trestle workspace directory per OSCAL model
TRESTLE_DIRS = {
    "catalog": "catalogs", "profile": "profiles", "component-definition": "component-definitions",
    "system-security-plan": "system-security-plans", "assessment-plan": "assessment-plans",
    "assessment-results": "assessment-results", "plan-of-action-and-milestones": "plan-of-action-and-milestones",
}
#: file name trestle expects inside <dir>/<name>/
TRESTLE_FILES = {"plan-of-action-and-milestones": "plan-of-action-and-milestones"}


# -- OSCAL JSON schema --------------------------------------------------------------------------------
@cache
def _oscal_validator(model_name: str):
    """Draft 7 validator for oscal_<model>_schema.json with \\p{L}-capable patterns and format checks."""
    import jsonschema
    import regex

    schema_path = OSCAL_SCHEMAS / f"oscal_{model_name}_schema.json"
    if not schema_path.is_file():
        pytest.skip(f"OSCAL schema not found: {schema_path}")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))

    def pattern(validator, expected, instance, _schema):
        if validator.is_type(instance, "string") and not regex.search(expected, instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {expected!r}")

    cls = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": pattern})
    return cls(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


#: the trestle model (module, class, root key) of each OSCAL schema name, for the fallback without ../shared
TRESTLE_MODELS = {
    "component": ("trestle.oscal.component", "ComponentDefinition", "component-definition"),
    "assessment-results": ("trestle.oscal.assessment_results", "AssessmentResults", "assessment-results"),
    "poam": ("trestle.oscal.poam", "PlanOfActionAndMilestones", "plan-of-action-and-milestones"),
    "ssp": ("trestle.oscal.ssp", "SystemSecurityPlan", "system-security-plan"),
    "catalog": ("trestle.oscal.catalog", "Catalog", "catalog"),
    "profile": ("trestle.oscal.profile", "Profile", "profile"),
}


def trestle_model_errors(data: dict[str, Any], model_name: str) -> list[str]:
    """Every violation of compliance-trestle's pydantic OSCAL model (required fields, id and uuid patterns,
    no unknown keys) as 'path: message'; the NIST schema is checked instead whenever it is available."""
    import importlib

    from pydantic import ValidationError

    module, cls_name, root = TRESTLE_MODELS[model_name]
    model = getattr(importlib.import_module(module), cls_name)
    if set(data) != {root}:
        return [f"/: the document's one key must be {root!r}, not {sorted(data)}"]
    try:
        model.parse_obj(data[root])
    except ValidationError as exc:
        return [f"/{root}/{'/'.join(map(str, e['loc']))}: {e['msg'][:300]}" for e in exc.errors()]
    return []


def oscal_schema_errors(document: str | Path | dict[str, Any], model_name: str) -> list[str]:
    """Every schema violation as 'json/path: message' (empty list = valid). Without the NIST schemas
    (no ../shared, not CI=true) the document is checked against trestle's OSCAL models instead."""
    data = document if isinstance(document, dict) else json.loads(Path(document).read_text(encoding="utf-8"))
    if not (OSCAL_SCHEMAS / f"oscal_{model_name}_schema.json").is_file() and not IN_CI \
            and model_name in TRESTLE_MODELS:
        return trestle_model_errors(data, model_name)
    validator = _oscal_validator(model_name)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors]


def validate_oscal_schema(document: str | Path | dict[str, Any], model_name: str) -> None:
    """Assert the document is valid against the NIST OSCAL 1.2.1 JSON schema of ``model_name``
    (component, assessment-results, poam, ssp, ...)."""
    errors = oscal_schema_errors(document, model_name)
    assert not errors, f"{len(errors)} OSCAL schema error(s):\n" + "\n".join(errors[:20])


# -- compliance-trestle -------------------------------------------------------------------------------
def trestle_validate(path: str | Path, kind: str) -> subprocess.CompletedProcess:
    """Run `trestle validate -f` on a copy of the file in a fresh trestle workspace; assert it passes."""
    if shutil.which("trestle") is None:
        pytest.skip("trestle CLI not installed")
    directory = TRESTLE_DIRS[kind]
    with tempfile.TemporaryDirectory(prefix="scc-trestle-") as tmp:
        workspace = Path(tmp)
        init = subprocess.run(["trestle", "init"], cwd=workspace, check=False, capture_output=True, text=True, timeout=120)
        assert init.returncode == 0, f"trestle init failed: {init.stdout}{init.stderr}"
        target = workspace / directory / "scc" / f"{TRESTLE_FILES.get(kind, kind)}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        done = subprocess.run(["trestle", "validate", "-f", str(target.relative_to(workspace))], cwd=workspace,
                              check=False, capture_output=True, text=True, timeout=180)
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "VALID" in output.upper() and "INVALID" not in output.upper(), (
        f"trestle validate rejected {path} (exit {done.returncode}):\n{output[-3000:]}")
    return done


# -- XCCDF: OpenSCAP and libxml2 ----------------------------------------------------------------------
def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed")


def oscap_xccdf_validate(path: str | Path) -> subprocess.CompletedProcess:
    """`oscap xccdf validate` (XSD + schematron of XCCDF 1.2) must exit 0 and report no error."""
    _need("oscap")
    done = subprocess.run(["oscap", "xccdf", "validate", str(path)], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"oscap xccdf validate rejected {path}:\n{done.stdout}{done.stderr}"
    return done


def oscap_xccdf_report(path: str | Path, html_out: str | Path) -> str:
    """`oscap xccdf generate report` must render the results to HTML; returns the HTML text."""
    _need("oscap")
    done = subprocess.run(["oscap", "xccdf", "generate", "report", "--output", str(html_out), str(path)],
                          check=False, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"oscap xccdf generate report failed on {path}:\n{done.stdout}{done.stderr}"
    html = Path(html_out).read_text(encoding="utf-8", errors="replace")
    assert "<html" in html.lower(), "oscap produced no HTML report"
    return html


def xmllint_xsd(path: str | Path, xsd: str | Path = XCCDF_XSD) -> subprocess.CompletedProcess:
    """`xmllint --noout --nonet --schema <xsd>` must accept the document."""
    _need("xmllint")
    if not Path(xsd).is_file():
        pytest.skip(f"schema not found: {xsd}")
    done = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", str(xsd), str(path)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"xmllint rejected {path}:\n{done.stderr[-3000:]}"
    return done


# -- ARF (SCAP result data stream): OpenSCAP ----------------------------------------------------------
def oscap_rds_validate(path: str | Path) -> subprocess.CompletedProcess:
    """`oscap ds rds-validate` (ARF 1.1 XSD + SCAP result data stream checks) must exit 0."""
    _need("oscap")
    done = subprocess.run(["oscap", "ds", "rds-validate", str(path)], check=False, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, f"oscap ds rds-validate rejected {path}:\n{done.stdout}{done.stderr}"
    return done
