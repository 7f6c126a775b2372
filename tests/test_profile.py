"""The system profile: the template loads back, every malformed field is one line naming file and field."""
from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from scc.assessment import deterministic_uuid
from scc.profile import ProfileError, load_profile, write_template


def test_init_profile_template_loads_back(tmp_path):
    path = write_template(tmp_path / "profile.yaml")
    profile = load_profile(path)
    assert profile.name == "Example API service" and profile.id == "EX-0001"
    assert profile.sensitivity() == "moderate" and profile.impact("availability") == "low"
    assert profile.control("AC-2").responsibility == "customer"
    assert dict(profile.roles)["authorizing-official"] == ("ao",)


@pytest.mark.parametrize(("text", "field"), [
    ("status: live\n", "status"),
    (("categorization: {information-types: [{id: X.1, title: t, confidentiality: low, integrity: low,"
     " availability: low}]}\n"), "categorization.information-types[0].id"),
    (("categorization: {information-types: [{id: C.3.5.8, title: t, confidentiality: huge, integrity: low,"
     " availability: low}]}\n"), "categorization.information-types[0].confidentiality"),
    ("roles: {owner: nobody}\n", "roles.owner"),
    ("controls: {ac-2: {responsibility: maybe}}\n", "controls.ac-2.responsibility"),
    ("controls: {xx: {}}\n", "controls.xx"),
    ("ports-protocols-services: [{port: 70000, service: x}]\n", "ports-protocols-services[0].port"),
    ("version-history: [{version: '1', date: 2026-02-30}]\n", "version-history[0].date"),
    ("sytem: {}\n", "sytem"),
])
def test_each_bad_field_is_named(tmp_path, text, field):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert str(err.value).startswith(f"{path}: {field}: ") and "\n" not in str(err.value)


@pytest.mark.slow
def test_cli_bad_profile_exits_2_with_one_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("status: live\n")
    done = subprocess.run([sys.executable, "-m", "scc.cli", "package", "x.json", "--profile", str(path),
                           "--out", str(tmp_path / "out")], check=False, capture_output=True, text=True)
    assert done.returncode == 2 and f"{path}: status:" in done.stderr


def test_deterministic_uuids_are_version_4():
    value = deterministic_uuid("a/b")
    assert uuid.UUID(value).version == 4 and value == deterministic_uuid("a/b") != deterministic_uuid("a/c")
