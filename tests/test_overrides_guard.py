"""Hostile or careless overrides files and SOURCE_DATE_EPOCH values: one line, exit 2, never exit 3.

Issue #8 items 4 and 8: an alias bomb, 50,000 nested brackets, an impossible date, unknown keys,
two entries for one rule, an oversized file; `scc gate` printing the override notes `scc package`
prints; SOURCE_DATE_EPOCH outside what every output (the xlsx zip above all) can encode.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLE, run_scc
from test_overrides_and_scans import OTHER_SRG, result

from scc.engine.model import Verdict
from scc.engine.overrides import apply_overrides, load_overrides
from scc.errors import InputError, UsageError

MAX_BYTES = 1 << 20                         # the documented cap (scc.yamlsafe.MAX_BYTES)
SHELL_RULE = "SRG-APP-000141-CTR-000315"   # a rule the demo image's packs evaluate
ENTRY = "{{rule: {rule}, action: accept-risk, justification: J, approver: A, expires: {expires}}}"



def write(tmp_path: Path, text: str, name: str = "overrides.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def alias_bomb() -> str:
    """The classic "billion laughs" in YAML: nine levels of nine aliases, about 400 bytes."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\noverrides: []\n"


def overrides_error(path: Path) -> str:
    with pytest.raises(InputError) as error:
        load_overrides(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


# -- the YAML itself ------------------------------------------------------------------------------
def test_alias_bomb_is_refused_at_its_first_anchor(tmp_path):
    bomb = alias_bomb()
    assert len(bomb.encode()) < 600
    message = overrides_error(write(tmp_path, bomb))
    assert "anchors (&a0) are not accepted" in message and "line 1" in message


def test_an_alias_alone_is_refused_too():
    from scc.yamlsafe import YamlRefused, load_text

    with pytest.raises(YamlRefused, match=r"aliases \(\*x\) are not accepted"):
        load_text("a: *x\n")


@pytest.mark.slow
def test_fifty_thousand_nested_brackets_are_refused_by_depth(tmp_path):
    message = overrides_error(write(tmp_path, "overrides: " + "[" * 50_000))
    assert "nested more than 64 levels deep" in message


def test_an_oversized_file_is_refused_without_parsing_it(tmp_path):
    padding = "# " + "x" * 100 + "\n"
    path = write(tmp_path, "overrides: []\n" + padding * (MAX_BYTES // len(padding) + 1))
    assert path.stat().st_size > MAX_BYTES
    assert "larger than 1 MiB" in overrides_error(path)


def test_a_key_given_twice_in_one_entry_is_refused(tmp_path):
    path = write(tmp_path, f"overrides:\n  - rule: {SHELL_RULE}\n    action: not-applicable\n"
                           "    action: accept-risk\n    justification: J\n    approver: A\n    expires: 2030-01-01\n")
    assert "key 'action' is given twice in one mapping (line 4" in overrides_error(path)


def test_the_shipped_rule_packs_and_tables_load_through_the_guarded_loader():
    from scc.resources import pack_dir
    from scc.yamlsafe import load_file

    files = sorted(pack_dir("controls").glob("*.yaml")) + sorted(pack_dir("stig").glob("*.yaml"))
    assert len(files) >= 9
    for path in files:
        assert isinstance(load_file(path), dict), path


def test_a_rule_pack_with_an_alias_is_a_rule_pack_error(tmp_path):
    from scc.engine.rules import load_rule_packs
    from scc.errors import RulePackError

    write(tmp_path, "base: &b {check: x}\nrules:\n  - *b\n", name="pack.yaml")
    with pytest.raises(RulePackError, match="cannot read rule pack: YAML anchors"):
        load_rule_packs([tmp_path])


# -- the entries --------------------------------------------------------------------------------
def test_an_impossible_date_names_the_entry(tmp_path):
    path = write(tmp_path, "overrides:\n  - " + ENTRY.format(rule=SHELL_RULE, expires="2027-02-30") + "\n")
    message = overrides_error(path)
    assert f"overrides[0] (rule {SHELL_RULE}): expires 2027-02-30 is not a real date" in message


@pytest.mark.parametrize("expires", ["2027-3-31", "20270331", "2027-W13-3", "soon"])
def test_expires_must_be_written_as_a_calendar_date(tmp_path, expires):
    path = write(tmp_path, "overrides:\n  - " + ENTRY.format(rule="V-1", expires=expires) + "\n")
    assert "overrides[0] (rule V-1): expires must be a date (YYYY-MM-DD)" in overrides_error(path)


def test_an_unknown_key_names_the_entry_and_the_key(tmp_path):
    body = ("overrides:\n  - " + ENTRY.format(rule="V-1", expires="2030-01-01") + "\n"
            "  - {rule: V-2, action: accept-risk, justification: J, approver: A, expires: 2030-01-01, expiry: x}\n")
    message = overrides_error(write(tmp_path, body))
    assert "overrides[1] (rule V-2): unknown key 'expiry'" in message


def test_an_unknown_top_level_key_is_refused(tmp_path):
    message = overrides_error(write(tmp_path, "override: []\noverrides: []\n"))
    assert "unknown top-level key 'override'" in message


def test_every_missing_field_is_named(tmp_path):
    message = overrides_error(write(tmp_path, "overrides:\n  - {rule: V-7, action: accept-risk}\n"))
    assert "overrides[0] (rule V-7): 'justification', 'approver', 'expires' are required" in message


def test_severity_with_another_action_is_refused(tmp_path):
    path = write(tmp_path, "overrides:\n  - {rule: V-7, action: accept-risk, severity: low, justification: J, "
                           "approver: A, expires: 2030-01-01}\n")
    assert "severity is only read with action: severity" in overrides_error(path)


def test_a_text_field_given_as_a_list_is_refused(tmp_path):
    path = write(tmp_path, "overrides:\n  - {rule: V-7, action: accept-risk, justification: [a, b], "
                           "approver: A, expires: 2030-01-01}\n")
    assert "overrides[0] (rule V-7): justification must be text, not list" in overrides_error(path)


def test_two_entries_for_one_rule_are_an_error_naming_both(tmp_path):
    body = ("overrides:\n"
            f"  - {{rule: {SHELL_RULE}, action: not-applicable, justification: J, approver: A, expires: 2030-01-01}}\n"
            "  - " + ENTRY.format(rule="V-1", expires="2030-01-01") + "\n"
            "  - " + ENTRY.format(rule=SHELL_RULE, expires="2030-01-01") + "\n")
    message = overrides_error(write(tmp_path, body))
    assert f"overrides[0] and overrides[2] both name rule {SHELL_RULE}" in message


def test_two_entries_reaching_one_rule_by_different_ids_are_an_error(tmp_path):
    body = ("overrides:\n"
            "  - {rule: V-203676, action: not-applicable, justification: J, approver: A, expires: 2030-01-01}\n"
            "  - " + ENTRY.format(rule="SV-203676r557031_rule", expires="2030-01-01") + "\n")
    path = write(tmp_path, body)
    results = [result(Verdict.NOT_SATISFIED, "stig-no-package-manager", OTHER_SRG)]
    with pytest.raises(InputError) as error:
        apply_overrides(results, load_overrides(path), date(2026, 1, 1))
    assert str(error.value) == (f"{path}: overrides[0] (rule V-203676) and overrides[1] (rule SV-203676r557031_rule) "
                                "both apply to rule stig-no-package-manager; keep one entry per rule")
    assert results[0].override is None and results[0].verdict is Verdict.NOT_SATISFIED


# -- end to end: exit 2 and one line, never exit 3 -------------------------------------------------
@pytest.mark.parametrize("body, problem", [
    (alias_bomb(), "YAML anchors (&a0) are not accepted"),
    ("overrides: " + "[" * 50_000, "nested more than 64 levels deep"),
    ("overrides:\n  - " + ENTRY.format(rule=SHELL_RULE, expires="2027-02-30"), "is not a real date"),
    ("overrides:\n  - " + ENTRY.format(rule=SHELL_RULE, expires="2030-01-01") + "\n  - "
     + ENTRY.format(rule=SHELL_RULE, expires="2031-01-01"), "both name rule"),
])
@pytest.mark.slow
@pytest.mark.parametrize("command", ["gate", "package"])
def test_a_bad_overrides_file_is_one_line_and_exit_2(capsys, tmp_path, body, problem, command):
    path = write(tmp_path, body)
    out = tmp_path / "ato"
    where = ["--out", str(out)] if command == "package" else []
    code, _out, err = run_scc(capsys, command, str(EXAMPLE / "grype.json"), "--overrides", str(path),
                              *where, "--max-open-critical", "1000")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"scc: error: {path}: ") and problem in err
    assert not out.exists()


def _override_notes(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("note: override")]


@pytest.mark.slow
def test_gate_prints_the_same_override_notes_as_package(capsys, tmp_path):
    body = ("overrides:\n  - " + ENTRY.format(rule=SHELL_RULE, expires="2020-01-31") + "\n"
            "  - " + ENTRY.format(rule="V-999999", expires="2030-01-01") + "\n")
    path = write(tmp_path, body)
    code, out, gate_err = run_scc(capsys, "gate", str(EXAMPLE), "--overrides", str(path), "--max-open-critical", "1000")
    assert code == 0 and out.strip() == "gate: passed"
    notes = _override_notes(gate_err)
    assert notes == [
        f"note: override accept-risk for {SHELL_RULE} expired on 2020-01-31 (approver A); it no longer applies",
        f"note: override for V-999999 ({path}) matches no rule; ignored",
    ]
    code, _out, package_err = run_scc(capsys, "package", str(EXAMPLE), "--overrides", str(path),
                                      "--out", str(tmp_path / "ato"))
    assert code == 0 and _override_notes(package_err) == notes


@pytest.mark.slow
def test_gate_without_overrides_prints_no_notes(capsys):
    code, _out, err = run_scc(capsys, "gate", str(EXAMPLE), "--max-open-critical", "1000")
    assert code == 0 and err == ""


# -- SOURCE_DATE_EPOCH --------------------------------------------------------------------------
@pytest.mark.parametrize("epoch, problem", [
    ("99999999999999999999", "is after 2107-12-31T23:59:59Z"),
    ("4354819200", "is after 2107-12-31T23:59:59Z"),           # 2108-01-01T00:00:00Z
    ("253402300799", "is after 2107-12-31T23:59:59Z"),         # 9999-12-31T23:59:59Z
    ("9" * 5000, "is after 2107-12-31T23:59:59Z"),
    ("-1", "is negative (before 1970-01-01)"),
    ("-100000000000", "is negative (before 1970-01-01)"),
    ("1_795_700_000", "is not a whole number of seconds"),
    ("\u0661\u0662\u0663", "is not a whole number of seconds"),  # Arabic-Indic digits int() would take
])
@pytest.mark.slow
def test_source_date_epoch_outside_what_outputs_encode_is_one_line_exit_2(capsys, monkeypatch, tmp_path,
                                                                          epoch, problem):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    out = tmp_path / "ato"
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE / "grype.json"), "--out", str(out))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("scc: error: SOURCE_DATE_EPOCH=") and problem in err
    assert "use a value from 0 (1970-01-01T00:00:00Z) to 4354819199 (2107-12-31T23:59:59Z)" in err \
        or "whole number" in problem
    assert len(err) < 300 and not out.exists()


@pytest.mark.parametrize("last, first_refused, stamp, zip_year", [
    ("4354819199", "4354819200", "2107-12-31T23:59:59Z", 2107),
    ("0", "-1", "1970-01-01T00:00:00Z", 1980),                 # zip entries cannot go below 1980
])
@pytest.mark.slow
def test_the_range_ends_exactly_where_the_outputs_stop(capsys, monkeypatch, tmp_path, last, first_refused,
                                                       stamp, zip_year):
    import zipfile

    monkeypatch.setenv("SOURCE_DATE_EPOCH", last)
    out = tmp_path / "ato"
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE), "--out", str(out))
    assert code == 0, err
    assert stamp in (out / "oscal-assessment-results.json").read_text()
    with zipfile.ZipFile(out / "poam.xlsx") as workbook:
        assert {info.date_time[0] for info in workbook.infolist()} == {zip_year}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", first_refused)
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE), "--out", str(tmp_path / "again"))
    assert code == 2 and err.count("\n") == 1 and "SOURCE_DATE_EPOCH" in err


def test_the_clock_bounds_are_the_documented_ones():
    from scc.clock import epoch_time, iso

    assert iso(epoch_time("4354819199")) == "2107-12-31T23:59:59Z"
    assert iso(epoch_time(" 0 ")) == "1970-01-01T00:00:00Z"
    with pytest.raises(UsageError):
        epoch_time("4354819200")
    docs = (Path(__file__).resolve().parents[1] / "docs" / "usage.md").read_text(encoding="utf-8")
    assert "4354819199" in docs and "2107-12-31T23:59:59Z" in docs
