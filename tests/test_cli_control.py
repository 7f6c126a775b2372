"""Control over a run (issue #12 goals 3 and 4): choosing outputs (--formats/--skip), --jobs with
byte-identical parallel rendering, progress only on a terminal, --quiet/--verbose, --json summaries."""
from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import EXAMPLE, example_without_content, run_scc

import scc
from scc import package_render
from scc.errors import OutputError, UsageError
from scc.writers import Writer, available_writers
from scc.writers.selection import format_name, format_names, select_writers

PACKAGE_ARGS = ("package", str(EXAMPLE), "--key", str(EXAMPLE / "demo-signing.pub"),
                "--overrides", str(EXAMPLE / "overrides.yaml"))


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795700000")


@pytest.fixture(scope="module")
def assessment(tmp_path_factory: pytest.TempPathFactory):
    with example_without_content(tmp_path_factory) as assessed:
        yield assessed


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _manifest(directory: Path) -> dict:
    return json.loads((directory / "manifest.json").read_text())


def _filenames(*formats: str) -> set[str]:
    return {w.filename for w in available_writers() if format_name(w) in formats}


# -- format names -------------------------------------------------------------------------------------
def test_every_writer_has_a_distinct_short_format_name():
    names = format_names(available_writers())
    assert len(set(names)) == len(names)
    assert {"oscal-component", "oscal-ssp", "oscal-ar", "oscal-poam", "xccdf-results", "xccdf-arf", "ckl", "cklb",
            "xlsx", "pdf"} <= set(names)


def test_a_family_name_stands_for_its_members_and_skip_removes():
    writers = available_writers()
    oscal = select_writers(writers, ["oscal"])
    assert format_names(oscal) == ["oscal-component", "oscal-ssp", "oscal-ar", "oscal-poam"]
    assert format_names(select_writers(writers, ["oscal,xlsx"], ["oscal-ssp"])) == [
        "oscal-component", "oscal-ar", "oscal-poam", "xlsx"]
    assert "pdf" not in format_names(select_writers(writers, None, ["pdf"]))
    assert format_names(select_writers(writers, [" PDF "])) == ["pdf"]


def test_unknown_format_name_lists_the_valid_ones():
    with pytest.raises(UsageError) as error:
        select_writers(available_writers(), ["oscal", "docx"])
    message = str(error.value)
    assert "'docx'" in message and "\n" not in message
    for name in ("oscal (oscal-component", "xccdf (xccdf-results, xccdf-arf)", "ckl", "cklb", "xlsx", "pdf"):
        assert name in message
    with pytest.raises(UsageError, match="no output format left"):
        select_writers(available_writers(), ["pdf"], ["pdf"])


# -- --formats / --skip on the command line -----------------------------------------------------------
def test_formats_subset_writes_only_those_files_and_the_manifest_says_so(capsys, tmp_path, no_content, epoch):
    out = tmp_path / "ato"
    code, _out, err = run_scc(capsys, *PACKAGE_ARGS, "--formats", "ckl,xlsx", "--formats", "xccdf-arf",
                              "--out", str(out))
    assert code == 0, err
    expected = _filenames("ckl", "xlsx", "xccdf-arf")
    assert set(_files(out)) == expected | {"manifest.json"}
    manifest = _manifest(out)
    assert {o["path"] for o in manifest["outputs"]} == expected
    assert manifest["formats"]["written"] == ["xlsx", "xccdf-arf", "ckl"]
    assert "pdf" in manifest["formats"]["skipped"] and "ckl" not in manifest["formats"]["skipped"]


def test_skip_pdf_writes_the_rest_and_the_manifest_names_the_pdf_skipped(capsys, tmp_path, no_content, epoch):
    out = tmp_path / "ato"
    code, _out, err = run_scc(capsys, *PACKAGE_ARGS, "--skip", "pdf", "--jobs", "1", "--out", str(out))
    assert code == 0, err
    files = set(_files(out))
    assert "ssp.pdf" not in files
    assert {w.filename for w in available_writers() if w.name != "ssp-pdf"} <= files
    assert _manifest(out)["formats"]["skipped"] == ["pdf"]


def test_bad_format_name_is_exit_2_one_line_before_any_work(capsys, tmp_path, no_content):
    out = tmp_path / "ato"
    code, stdout, err = run_scc(capsys, *PACKAGE_ARGS, "--formats", "oscal,pfd", "--out", str(out))
    assert code == 2
    assert err.count("\n") == 1 and "'pfd'" in err and "valid formats: oscal (" in err and "pdf" in err
    assert stdout == "" and not out.exists()
    code, _stdout, err = run_scc(capsys, *PACKAGE_ARGS, "--skip", "everything", "--out", str(out))
    assert code == 2 and "'everything'" in err and not out.exists()


def test_jobs_must_be_a_positive_number(capsys, tmp_path):
    code, _out, err = run_scc(capsys, *PACKAGE_ARGS, "--jobs", "0", "--out", str(tmp_path / "ato"))
    assert code == 2 and "--jobs" in err


def test_api_write_package_takes_formats_keyword_only(assessment, tmp_path):
    out = assessment.write_package(tmp_path / "ato", formats=["xlsx"])
    assert set(_files(out)) == {"poam.xlsx", "manifest.json"}
    with pytest.raises(TypeError):
        assessment.write_package(tmp_path / "other", ["xlsx"])   # type: ignore[misc]
    with pytest.raises(UsageError, match="unknown output format 'word'"):
        assessment.write_package(tmp_path / "other", formats=["word"])
    assert not (tmp_path / "other").exists()


def test_full_package_manifest_has_no_formats_key(assessment):
    writers = tuple(w for w in available_writers() if w.name != "ssp-pdf")
    from scc.package import manifest, render_outputs

    everything = render_outputs(assessment, writers)
    assert "formats" in json.loads(manifest(assessment, everything))
    fake_pdf = {**everything, "ssp.pdf": (b"%PDF", "application/pdf")}
    assert "formats" not in json.loads(manifest(assessment, fake_pdf))   # the default package is unchanged


# -- parallel rendering -------------------------------------------------------------------------------
def test_report_pickles_with_its_remediation_clocks(assessment):
    report = assessment.report
    again = pickle.loads(pickle.dumps(report))
    assert again.verdict_counts() == report.verdict_counts()
    assert len(again.clocks) == len(report.clocks) == len(report.facts.findings) > 0
    for before, after in zip(report.facts.findings, again.facts.findings, strict=True):
        assert after.id == before.id
        assert again.clocks[id(after)] == report.clocks[id(before)]
    assert again.content.benchmarks.keys() == report.content.benchmarks.keys()
    with pytest.raises(TypeError):
        again.policy.sla_days["critical"] = 1   # still read-only after the trip


def test_the_pdf_is_taken_first_and_cheap_writers_of_a_small_report_stay_here(assessment):
    writers = available_writers()
    cheap = tuple(w for w in writers if w.name != "ssp-pdf")
    assert package_render.render_order(writers)[0].name == "ssp-pdf"
    assert package_render.render_order(cheap)[0].cost == max(w.cost for w in cheap)
    assert not package_render.worth_a_process(cheap, assessment.report)   # not worth a process
    assert package_render.worth_a_process(writers, assessment.report)


@pytest.mark.parametrize("with_thread", [False, True], ids=["fork", "forkserver"])
def test_parallel_rendering_is_byte_identical_to_serial(assessment, monkeypatch, with_thread):
    writers = tuple(w for w in available_writers() if w.name != "ssp-pdf")
    serial = package_render.render_outputs(assessment.report, writers, jobs=1)
    monkeypatch.setattr(package_render, "PROCESS_WORTH", 0)   # cheap writers in workers too
    assert package_render.worth_a_process(writers, assessment.report)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)   # a live thread: no fork, a fork server
    if with_thread:
        thread.start()
    try:
        parallel = package_render.render_outputs(assessment.report, writers, jobs=3)
    finally:
        stop.set()
    assert list(parallel) == list(serial)
    for name, (data, media) in serial.items():
        assert parallel[name] == (data, media), name


NO_PICKLE_CHILD = """
import os, pickle, sys
import scc
from scc import forking, package_render
from scc.report import Report
from scc.writers import Writer, available_writers

class PidWriter(Writer):
    name, filename, media_type, format, cost = "pid", "pid.txt", "text/plain", "pid", 100
    def render(self, report):
        return str(os.getpid()).encode()

def refuse(self, protocol):
    raise AssertionError("the Report was pickled for a worker process")

example = sys.argv[1]
assessment = scc.assess([example], keys=[example + "/demo-signing.pub"], overrides=example + "/overrides.yaml")
assert forking.worker_context()[1], "a fresh interpreter must take the fork path"
Report.__reduce_ex__ = refuse
try:
    pickle.dumps(assessment.report)
    raise SystemExit("the patch did not refuse pickling")
except AssertionError:
    pass
writers = (PidWriter(), *(w for w in available_writers() if w.name in ("oscal-poam", "ckl")))
rendered = package_render.render_outputs(assessment.report, writers, jobs=2)
assert int(rendered["pid.txt"][0]) != os.getpid(), "rendered in this process, not in a worker"
assert rendered["oscal-poam.json"][0].startswith(b"{")
print("forked, nothing pickled")
"""


def test_the_forked_workers_of_the_default_jobs_never_pickle_the_report(tmp_path):
    """--jobs 2 forks its worker: the child inherits the Report; pickling it (0.5 s + 1.2 s and a second
    copy at 20k findings) raises in this run. A fresh interpreter, as `scc package` starts: threads other
    tests leave in this one (Dask's) would rule the fork out."""
    env = dict(os.environ, SCC_CONTENT_DIR=str(tmp_path), SOURCE_DATE_EPOCH="1795700000")
    done = subprocess.run([sys.executable, "-c", NO_PICKLE_CHILD, str(EXAMPLE)], check=False, capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "forked, nothing pickled"


class FailingWriter(Writer):
    """A writer whose document cannot be rendered (in whichever process it runs)."""

    name = "failing"
    filename = "failing.txt"
    cost = 5     # the costliest: the worker takes it first

    def render(self, report) -> bytes:
        raise OutputError("failing.txt: cannot be rendered")


def test_a_writer_error_in_a_worker_reaches_the_caller_as_itself(assessment, monkeypatch):
    monkeypatch.setattr(package_render, "PROCESS_WORTH", 0)
    writers = (available_writers()[0], FailingWriter())
    assert package_render.render_order(writers)[0] is writers[1]   # the failing one goes to the worker
    with pytest.raises(OutputError, match="failing.txt: cannot be rendered"):
        package_render.render_outputs(assessment.report, writers, jobs=2)


@pytest.mark.slow
def test_package_with_pdf_in_parallel_equals_serial_byte_for_byte(capsys, tmp_path, no_content, epoch):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    code, _out, err = run_scc(capsys, *PACKAGE_ARGS, "--jobs", "1", "--out", str(serial))
    assert code == 0, err
    code, _out, err = run_scc(capsys, *PACKAGE_ARGS, "--jobs", "2", "--out", str(parallel))
    assert code == 0, err
    assert "ssp.pdf" in _files(serial)
    assert _files(parallel) == _files(serial)


# -- progress, --quiet, --verbose ---------------------------------------------------------------------
class Recorder:
    """A progress reporter that keeps every label."""

    def __init__(self) -> None:
        self.begun: list[str] = []
        self.ended: list[str] = []

    def begin(self, label: str):
        self.begun.append(label)
        recorder = self

        class Handle:
            def done(self) -> None:
                recorder.ended.append(label)

        return Handle()


def test_progress_reporter_hears_every_phase_through_the_api(tmp_path, no_content):
    recorder = Recorder()
    assessment = scc.assess([EXAMPLE / "grype.json", EXAMPLE / "sbom.cdx.json"], progress=recorder)
    assessment.write_package(tmp_path / "ato", formats=["ckl", "xlsx"], progress=recorder)
    from scc.progress import size_label

    assert recorder.begun[:2] == [f"reading {path} ({size_label(path.stat().st_size)})"
                                  for path in (EXAMPLE / "grype.json", EXAMPLE / "sbom.cdx.json")]
    assert size_label(14_321) == "14 kB" and size_label(3_250_000) == "3.2 MB" and size_label(812) == "812 B"
    assert any(label.startswith("assessing ") for label in recorder.begun)
    assert recorder.begun[-2:] == ["writing poam.xlsx", "writing checklist.ckl"]
    assert sorted(recorder.ended) == sorted(recorder.begun)


def test_progress_is_not_shown_when_stderr_is_not_a_terminal(capsys, tmp_path, no_content):
    code, _out, err = run_scc(capsys, *PACKAGE_ARGS, "--formats", "ckl", "--out", str(tmp_path / "ato"))
    assert code == 0
    assert "reading" not in err and "writing" not in err and "\x1b[" not in err
    assert all(line.startswith("note: ") for line in err.splitlines())


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal_and_not_with_quiet():
    from scc.cli.progress import run_reporter
    from scc.progress import phase

    shown = FakeTerminal()
    with run_reporter(stream=shown) as reporter, phase(reporter, "reading big-sbom.json (120 MB)"):
        pass
    assert "reading big-sbom.json (120 MB)" in shown.getvalue()
    hidden = FakeTerminal()
    with run_reporter(quiet=True, stream=hidden) as reporter, phase(reporter, "reading big-sbom.json (120 MB)"):
        pass
    assert hidden.getvalue() == ""


def test_quiet_prints_nothing_but_gate_breaches(capsys, tmp_path, no_content):
    code, out, err = run_scc(capsys, *PACKAGE_ARGS, "--formats", "ckl", "--quiet", "--out", str(tmp_path / "a"))
    assert (code, out, err) == (0, "", "")
    code, out, err = run_scc(capsys, *PACKAGE_ARGS, "--formats", "ckl", "-q", "--max-open-high", "0",
                             "--max-cat1", "1000", "--out", str(tmp_path / "b"))
    assert code == 1 and out == ""
    assert err.splitlines() and all(line.startswith("gate: ") and "at most 0" in line for line in err.splitlines())


def test_verbose_prints_notes_and_phase_timings(capsys, tmp_path, no_content):
    code, _out, err = run_scc(capsys, *PACKAGE_ARGS, "--formats", "ckl", "--verbose", "--out", str(tmp_path / "a"))
    assert code == 0
    timings = [line for line in err.splitlines() if line.startswith("time: ")]
    assert any(line.startswith("time: writing checklist.ckl: ") and line.endswith(" s") for line in timings)
    assert any("reading " in line for line in timings) and any("assessing" in line for line in timings)
    assert any(line.startswith("note: ") for line in err.splitlines())
    code, _out, err = run_scc(capsys, "gate", str(EXAMPLE), "--max-cat1", "1000", "-v")
    assert code == 0 and any(line.startswith("time: assessing") for line in err.splitlines())
    code, _out, err = run_scc(capsys, "facts", str(EXAMPLE / "grype.json"), "--verbose")
    assert code == 0 and "time: reading" in err


def test_quiet_and_verbose_together_is_a_usage_error(capsys, tmp_path):
    code, _out, err = run_scc(capsys, *PACKAGE_ARGS, "-q", "-v", "--out", str(tmp_path / "a"))
    assert code == 2 and "exclude each other" in err


# -- --json -------------------------------------------------------------------------------------------
def test_package_json_describes_the_package_written(capsys, tmp_path, no_content, epoch):
    out = tmp_path / "ato"
    code, stdout, err = run_scc(capsys, *PACKAGE_ARGS, "--skip", "pdf", "--json", "--max-cat1", "1000",
                                "--out", str(out))
    assert code == 0, err
    summary = json.loads(stdout)
    manifest = _manifest(out)
    assert list(summary) == ["package", "manifest", "image", "formats", "outputs", "counts", "verdicts",
                             "attested-verdicts", "notes", "gate"]
    assert Path(summary["package"]) == out
    assert summary["outputs"] == manifest["outputs"]
    for entry in summary["outputs"]:
        assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    assert {e["path"] for e in summary["outputs"]} | {"manifest.json"} == set(_files(out))
    assert summary["formats"] == manifest["formats"] and summary["formats"]["skipped"] == ["pdf"]
    assert summary["verdicts"] == manifest["verdicts"]
    assert summary["image"] == manifest["image"]
    assert summary["counts"]["findings"] > 0 and summary["counts"]["open"]["cat1"] >= 0
    assert set(manifest["notes"]) <= set(summary["notes"])
    assert summary["gate"]["passed"] is True
    assert summary["gate"]["thresholds"][0] == {"name": "cat1", "option": "--max-cat1", "maximum": 1000,
                                                "open": summary["counts"]["open"]["cat1"], "breached": False}
    # a gate always applies the malicious-package threshold, 0 unless --max-malicious says otherwise
    [malicious] = summary["gate"]["thresholds"][1:]
    assert (malicious["name"], malicious["maximum"], malicious["open"], malicious["breached"]) == ("malicious", 0, 0, False)


def test_package_json_without_thresholds_has_no_gate(capsys, tmp_path, no_content):
    code, stdout, _err = run_scc(capsys, *PACKAGE_ARGS, "--formats", "cklb", "--json", "--out", str(tmp_path / "a"))
    assert code == 0 and json.loads(stdout)["gate"] is None


def test_gate_json_reports_breaches_and_keeps_exit_code_1(capsys, no_content):
    code, stdout, err = run_scc(capsys, "gate", str(EXAMPLE), "--max-open-high", "0", "--max-cat1", "1000",
                                "--json")
    document = json.loads(stdout)
    gate = document["gate"]
    assert code == 1 and gate["passed"] is False
    high = next(t for t in gate["thresholds"] if t["name"] == "high")
    assert high["breached"] is True and high["open"] == gate["open"]["high"] > 0
    assert gate["breaches"] and all(line in err for line in gate["breaches"])
    assert "gate: passed" not in stdout
    code, stdout, _err = run_scc(capsys, "gate", str(EXAMPLE), "--max-open-critical", "1000", "--json")
    assert code == 0 and json.loads(stdout)["gate"]["passed"] is True and json.loads(stdout)["gate"]["breaches"] == []


def test_content_list_json(capsys, tmp_path, content_dir):
    from scc.content.registry import SOURCES

    code, stdout, _err = run_scc(capsys, "content", "list", "--json", "--dir", str(content_dir))
    document = json.loads(stdout)
    assert code == 0 and Path(document["content-directory"]) == content_dir
    assert [s["name"] for s in document["sources"]] == [s.name for s in SOURCES]
    catalog = next(s for s in document["sources"] if s["name"] == "nist-800-53-rev5-catalog")
    assert catalog["cached"] is True
    assert catalog["sha256"] == hashlib.sha256((content_dir / catalog["file"]).read_bytes()).hexdigest()
    code, stdout, _err = run_scc(capsys, "content", "list", "--json", "--dir", str(tmp_path / "empty"))
    assert code == 0 and not any(s["cached"] for s in json.loads(stdout)["sources"])


def test_previous_package_written_without_the_poam_is_refused_saying_why(capsys, tmp_path, no_content):
    first, second = tmp_path / "first", tmp_path / "second"
    code, _out, err = run_scc(capsys, *PACKAGE_ARGS, "--formats", "ckl", "--out", str(first))
    assert code == 0, err
    code, _out, err = run_scc(capsys, *PACKAGE_ARGS, "--formats", "ckl", "--previous", str(first),
                              "--out", str(second))
    assert code == 2 and "without the oscal-poam format" in err and err.count("\n") == 1
    assert not second.exists()
