"""Without ../shared the OSCAL outputs are still validated: against compliance-trestle's OSCAL models
(tests/validators.py), which must reject what the NIST schema rejects in scc's documents."""
from __future__ import annotations

import copy
import json

import pytest
from validators import TRESTLE_MODELS, trestle_model_errors
from writer_assessment import build_assessment


@pytest.fixture(scope="module")
def component() -> dict:
    return json.loads(build_assessment().render("oscal-component-definition"))


def test_scc_component_definition_passes_the_trestle_model(component: dict) -> None:
    assert trestle_model_errors(component, "component") == []


@pytest.mark.parametrize("break_it,where", [
    (lambda d: d["component-definition"].pop("uuid"), "uuid"),
    (lambda d: d["component-definition"].update(uuid="not-a-uuid"), "uuid"),
    (lambda d: d["component-definition"]["metadata"].update(colour="blue"), "colour"),
    (lambda d: d["component-definition"]["metadata"].pop("title"), "title"),
])
def test_the_trestle_model_rejects_a_broken_document(component: dict, break_it, where: str) -> None:
    broken = copy.deepcopy(component)
    break_it(broken)
    errors = trestle_model_errors(broken, "component")
    assert errors and any(where in e for e in errors), errors


def test_the_root_key_must_be_the_model_s() -> None:
    assert trestle_model_errors({"catalog": {}}, "component") == [
        "/: the document's one key must be 'component-definition', not ['catalog']"]
    assert set(TRESTLE_MODELS) >= {"component", "assessment-results", "poam", "ssp"}
