"""--out never loses a user's file: scc replaces only an empty directory or its own package, atomically.

The red-team cases from issue #8 (`--out .` beside the input, `--out evidence` over the evidence),
files in the way, a run killed between two renames, two runs at once, the umask, SIGTERM while
writing, and a folder input that holds an earlier package.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLE, run_scc

from scc.errors import SccError

GRYPE = EXAMPLE / "grype.json"
SBOM = EXAMPLE / "sbom.cdx.json"



def run_hooked(hook: str, *args: str, cwd: Path, **popen) -> subprocess.Popen[str]:
    """`scc ARGS` in a child process whose Python first runs ``hook`` (to pause or kill it at one point)."""
    script = f"{hook}\nfrom scc.cli import main\nmain({list(args)!r})\n"
    return subprocess.Popen([sys.executable, "-c", script], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    _out, err = process.communicate(timeout=300)
    return process.returncode, err


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def complete_package(directory: Path) -> bool:
    """Checked here, not with scc's own code: manifest.json lists exactly the files, hashes match."""
    if not (directory / "manifest.json").is_file():
        return False
    manifest = json.loads((directory / "manifest.json").read_text())
    listed = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    present = {p.name for p in directory.iterdir()}
    return present == set(listed) | {"manifest.json"} and all(
        hashlib.sha256((directory / name).read_bytes()).hexdigest() == digest for name, digest in listed.items())


@pytest.fixture(scope="module")
def old_package(tmp_path_factory) -> Path:
    """A package scc wrote from grype.json alone (the "old" package the tests replace)."""
    out = tmp_path_factory.mktemp("old") / "ato"
    subprocess.run([sys.executable, "-m", "scc.cli", "package", str(GRYPE), "--out", str(out)],
                   check=True, capture_output=True, env=dict(os.environ, SOURCE_DATE_EPOCH="1795700000"))
    assert complete_package(out)
    return out


@pytest.fixture
def workdir(tmp_path: Path, old_package: Path) -> Path:
    """tmp/ with grype.json and an earlier package in tmp/ato."""
    shutil.copy(GRYPE, tmp_path / "grype.json")
    shutil.copytree(old_package, tmp_path / "ato")
    return tmp_path


# -- the red-team cases -------------------------------------------------------------------------------
def test_out_dot_beside_user_files_and_the_input_is_refused_and_deletes_nothing(capsys, tmp_path, monkeypatch):
    shutil.copy(GRYPE, tmp_path / "grype.json")
    (tmp_path / "notes.md").write_text("my notes")
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, _out, err = run_scc(capsys, "package", "grype.json", "--out", ".")
    assert code == 2 and err.count("\n") == 1 and err.startswith("scc: error: .: ")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("given", ["evidence", "evidence/grype.json"])
def test_out_over_the_evidence_folder_is_refused_and_keeps_the_evidence(capsys, tmp_path, monkeypatch, given):
    (tmp_path / "evidence").mkdir()
    shutil.copy(GRYPE, tmp_path / "evidence" / "grype.json")
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, _out, err = run_scc(capsys, "package", given, "--out", "evidence")
    assert code == 2 and err.count("\n") == 1 and given in err and "inside --out" in err
    assert snapshot(tmp_path) == before


def test_out_holding_the_current_directory_is_refused(capsys, tmp_path, monkeypatch):
    (tmp_path / "work").mkdir()
    shutil.copy(GRYPE, tmp_path / "work" / "grype.json")
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path / "work")
    code, _out, err = run_scc(capsys, "package", "grype.json", "--out", "..")
    assert code == 2 and "current directory" in err
    assert snapshot(tmp_path) == before


@pytest.mark.slow
def test_overrides_file_inside_out_is_refused(capsys, workdir):
    overrides = workdir / "ato" / "overrides.yaml"
    shutil.copy(EXAMPLE / "overrides.yaml", overrides)
    code, _out, err = run_scc(capsys, "package", str(workdir / "grype.json"), "--overrides", str(overrides),
                              "--out", str(workdir / "ato"))
    assert code == 2 and str(overrides) in err
    assert overrides.read_bytes() == (EXAMPLE / "overrides.yaml").read_bytes()


@pytest.mark.slow
def test_previous_package_as_out_is_refused_so_the_new_manifest_never_cites_a_replaced_file(capsys, workdir):
    before = snapshot(workdir)
    code, _out, err = run_scc(capsys, "package", str(workdir / "grype.json"), "--previous", str(workdir / "ato"),
                              "--out", str(workdir / "ato"))
    assert code == 2 and "inside --out" in err
    assert snapshot(workdir) == before


@pytest.mark.slow
def test_rerun_of_package_dot_out_ato_gives_the_same_package(capsys, tmp_path, monkeypatch):
    shutil.copy(GRYPE, tmp_path / "grype.json")
    shutil.copy(SBOM, tmp_path / "sbom.cdx.json")
    monkeypatch.chdir(tmp_path)
    assert run_scc(capsys, "package", ".", "--out", "ato")[0] == 0
    first = snapshot(tmp_path / "ato")
    code, _out, err = run_scc(capsys, "package", ".", "--out", "ato")
    assert code == 0 and "ato: passed over (a package scc wrote)" in err
    assert snapshot(tmp_path / "ato") == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ato", "grype.json", "sbom.cdx.json"]


def test_folder_input_passes_over_the_outputs_a_bare_scc_manifest_lists(old_package, tmp_path):
    from scc.facts import expand_inputs

    evidence = tmp_path / "evidence"
    shutil.copytree(old_package, evidence)      # a package's files loose among the evidence
    shutil.copy(SBOM, evidence / "sbom.cdx.json")
    inputs, notes = expand_inputs([str(evidence)])
    assert inputs == [str(evidence / "sbom.cdx.json")]
    assert any("checklist.ckl: passed over" in n for n in notes)
    assert any("manifest.json: passed over" in n for n in notes)


# -- files in the way ---------------------------------------------------------------------------------
def _add_foreign_file(out: Path) -> Path:
    (out / "my-review.txt").write_text("assessor notes")
    return out / "my-review.txt"


def _edit_checklist(out: Path) -> Path:
    with (out / "checklist.ckl").open("ab") as stream:
        stream.write(b"<!-- reviewer comment -->")
    return out / "checklist.ckl"


def _delete_one_output(out: Path) -> Path:
    (out / "ssp.pdf").unlink()
    return out / "ssp.pdf"


def _foreign_manifest(out: Path) -> Path:
    for path in out.iterdir():
        path.unlink()
    (out / "manifest.json").write_text('{"generator": "other-tool", "outputs": []}')
    (out / "data.bin").write_bytes(b"\0")
    return out / "manifest.json"


def _subdirectory(out: Path) -> Path:
    (out / "extra").mkdir()
    return out / "extra"


def _user_directory(out: Path) -> Path:
    shutil.rmtree(out)
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    return out / "thesis.tex"


@pytest.mark.parametrize("spoil", [_add_foreign_file, _edit_checklist, _delete_one_output, _foreign_manifest,
                                   _subdirectory, _user_directory])
def test_out_that_is_not_exactly_scc_package_is_refused_naming_the_file_in_the_way(capsys, workdir, spoil):
    in_the_way = spoil(workdir / "ato")
    before = snapshot(workdir)
    code, _out, err = run_scc(capsys, "package", str(workdir / "grype.json"), "--out", str(workdir / "ato"))
    assert code == 2 and err.count("\n") == 1 and f"{in_the_way}:" in err
    assert snapshot(workdir) == before
    assert sorted(p.name for p in workdir.iterdir()) == ["ato", "grype.json"]


@pytest.mark.slow
def test_out_that_is_a_file_is_refused_by_the_library_too(tmp_path):
    import scc

    target = tmp_path / "ato"
    target.write_text("a file of mine")
    with pytest.raises(SccError, match="ato: in the way"):
        scc.assess([GRYPE]).write_package(target)   # the CLI's click.Path(file_okay=False) is not the guard
    assert target.read_text() == "a file of mine"
    assert [p.name for p in tmp_path.iterdir()] == ["ato"]


def test_out_that_is_a_symlink_to_user_files_is_refused(capsys, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("keep")
    (tmp_path / "ato").symlink_to(tmp_path / "mine")
    code, _out, err = run_scc(capsys, "package", str(GRYPE), "--out", str(tmp_path / "ato"))
    assert code == 2 and "ato" in err
    assert (tmp_path / "mine" / "keep.txt").read_text() == "keep" and (tmp_path / "ato").is_symlink()


@pytest.mark.slow
def test_rerun_over_scc_package_replaces_it_and_leaves_nothing_beside(capsys, workdir):
    # The guard must not over-refuse: this worked before the guard and must keep working.
    code, _out, _err = run_scc(capsys, "package", str(workdir / "grype.json"), str(SBOM), "--out", str(workdir / "ato"))
    assert code == 0 and complete_package(workdir / "ato")
    inputs = json.loads((workdir / "ato" / "manifest.json").read_text())["inputs"]
    assert any(i["path"].endswith("sbom.cdx.json") for i in inputs)
    assert sorted(p.name for p in workdir.iterdir()) == ["ato", "grype.json"]


@pytest.mark.slow
def test_library_write_package_uses_the_same_guard(tmp_path, monkeypatch):
    import scc

    (tmp_path / "evidence").mkdir()
    shutil.copy(GRYPE, tmp_path / "evidence" / "grype.json")
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    assessment = scc.assess(["evidence"])
    for out in ("evidence", "."):
        with pytest.raises(SccError):
            assessment.write_package(out)
    assert snapshot(tmp_path) == before


# -- killed runs, stale directories -------------------------------------------------------------------
KILL_WHEN_OLD_PACKAGE_LEAVES = """
import os, shutil, signal
seen = []
real_replace, real_rmtree = os.replace, shutil.rmtree
def replace(a, b, *args, **kwargs):
    if os.path.basename(str(b)) in ("ato", ".ato.previous"):
        seen.append(b)
    if len(seen) == 2:
        os.kill(os.getpid(), signal.SIGKILL)      # between the two renames
    return real_replace(a, b, *args, **kwargs)
real_unlink = os.unlink
def rmtree(path, *args, **kwargs):
    if os.path.basename(str(path)).startswith(".ato."):
        os.kill(os.getpid(), signal.SIGKILL)      # after the swap, before the old package is removed
    return real_rmtree(path, *args, **kwargs)
def unlink(path, *args, **kwargs):
    name, folder = os.path.basename(str(path)), os.path.basename(os.path.dirname(str(path)))
    if folder.startswith(".ato.") and name != ".scc-staging":
        os.kill(os.getpid(), signal.SIGKILL)      # the same moment, file by file
    return real_unlink(path, *args, **kwargs)
os.replace, shutil.rmtree, os.unlink = replace, rmtree, unlink
"""
NO_EXCHANGE = """
try:
    import scc.package_dir
    scc.package_dir._exchange = lambda first, second: False
except ImportError:
    pass
"""


@pytest.mark.slow
def test_kill_during_the_swap_leaves_the_old_or_the_new_package_and_the_next_run_cleans_up(capsys, workdir):
    run = run_hooked(KILL_WHEN_OLD_PACKAGE_LEAVES, "package", "grype.json", str(SBOM), "--out", "ato", cwd=workdir)
    code, _err = finished(run)
    assert code == -signal.SIGKILL
    assert complete_package(workdir / "ato")
    code, _out, _err = run_scc(capsys, "package", str(workdir / "grype.json"), "--out", str(workdir / "ato"))
    assert code == 0 and complete_package(workdir / "ato")
    assert sorted(p.name for p in workdir.iterdir()) == ["ato", "grype.json"]


@pytest.mark.slow
def test_kill_between_two_renames_is_repaired_by_the_next_run(capsys, workdir, old_package):
    run = run_hooked(NO_EXCHANGE + KILL_WHEN_OLD_PACKAGE_LEAVES, "package", "grype.json", str(SBOM), "--out", "ato",
                     cwd=workdir)
    code, _err = finished(run)
    assert code == -signal.SIGKILL
    broken = workdir / "broken.grype.json"
    broken.write_text('{"matches": [')
    code, _out, _err = run_scc(capsys, "package", str(broken), "--out", str(workdir / "ato"))
    assert code == 2
    assert snapshot(workdir / "ato") == snapshot(old_package)   # the old package is back in place
    broken.unlink()
    code, _out, _err = run_scc(capsys, "package", str(workdir / "grype.json"), "--out", str(workdir / "ato"))
    assert code == 0 and complete_package(workdir / "ato")
    assert sorted(p.name for p in workdir.iterdir()) == ["ato", "grype.json"]


@pytest.mark.slow
def test_next_run_removes_only_staging_directories_scc_left(capsys, workdir):
    stale = workdir / ".ato.staging.0123456789abcdef"
    stale.mkdir()
    (stale / ".scc-staging").write_bytes(b"")
    (stale / "checklist.ckl").write_text("half written")
    not_ours = workdir / ".ato.staging.fedcba9876543210"
    not_ours.mkdir()
    (not_ours / "precious.txt").write_text("mine")
    code, _out, _err = run_scc(capsys, "package", str(workdir / "grype.json"), "--out", str(workdir / "ato"))
    assert code == 0 and complete_package(workdir / "ato")
    assert not stale.exists()
    assert (not_ours / "precious.txt").read_text() == "mine"


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_termination_while_writing_leaves_no_staging_directory_and_the_old_package(workdir, old_package, signum):
    hook = f"""
import os, pathlib, time
real_write = pathlib.Path.write_bytes
def write_bytes(self, data):
    written = real_write(self, data)
    if ".staging." in self.parent.name and self.name != ".scc-staging":
        os.kill(os.getpid(), {int(signum)})
        for _ in range(200):
            time.sleep(0.01)
    return written
pathlib.Path.write_bytes = write_bytes
"""
    code, err = finished(run_hooked(hook, "package", "grype.json", str(SBOM), "--out", "ato", cwd=workdir))
    assert code in (-signum, 128 + signum), err   # ended by the signal, after cleaning up
    assert sorted(p.name for p in workdir.iterdir()) == ["ato", "grype.json"]
    assert snapshot(workdir / "ato") == snapshot(old_package)


# -- two runs at once ---------------------------------------------------------------------------------
def _wait_for(predicate, processes: list[subprocess.Popen[str]]) -> None:
    """Poll until predicate() holds; fail (never hang) if every process has ended without it."""
    deadline = time.monotonic() + 300
    while not predicate():
        assert time.monotonic() < deadline and any(p.poll() is None for p in processes), "child never got there"
        time.sleep(0.05)


@pytest.mark.slow
def test_two_runs_to_one_out_take_turns_and_leave_one_package(workdir, tmp_path_factory):
    flags = tmp_path_factory.mktemp("flags")
    ready, release, blocked, overlap = (flags / n for n in ("ready", "release", "blocked", "overlap"))
    first_hook = f"""
import os, pathlib, time
real_write = pathlib.Path.write_bytes
def write_bytes(self, data):
    if ".staging." in self.parent.name and not os.path.exists({str(ready)!r}):
        open({str(ready)!r}, "w").close()             # mid-write: wait for the test's go-ahead
        while not os.path.exists({str(release)!r}):
            time.sleep(0.05)
    return real_write(self, data)
pathlib.Path.write_bytes = write_bytes
"""
    second_hook = f"""
import fcntl, os, pathlib
real_write, real_flock = pathlib.Path.write_bytes, fcntl.flock
def write_bytes(self, data):
    if ".staging." in self.parent.name and not os.path.exists({str(release)!r}):
        open({str(overlap)!r}, "w").close()           # writing while the first run is still mid-write
    return real_write(self, data)
def flock(fd, operation):
    if operation == fcntl.LOCK_EX:
        try:
            return real_flock(fd, operation | fcntl.LOCK_NB)
        except BlockingIOError:
            open({str(blocked)!r}, "w").close()       # waiting for the first run's lock
    return real_flock(fd, operation)
pathlib.Path.write_bytes, fcntl.flock = write_bytes, flock
"""
    first = run_hooked(first_hook, "package", "grype.json", "--out", "ato", cwd=workdir)
    _wait_for(ready.exists, [first])
    second = run_hooked(second_hook, "package", "grype.json", str(SBOM), "--out", "ato", cwd=workdir)
    _wait_for(lambda: blocked.exists() or overlap.exists(), [first, second])
    release.touch()
    results = [finished(first), finished(second)]
    assert not overlap.exists(), "the second run wrote while the first was mid-write"
    assert [code for code, _err in results] == [0, 0], results
    assert complete_package(workdir / "ato")
    assert sorted(p.name for p in workdir.iterdir()) == ["ato", "grype.json"]


# -- modes ----------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(("umask", "directory_mode", "file_mode"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_package_directory_gets_the_umask_mode(tmp_path, umask, directory_mode, file_mode):
    run = run_hooked("", "package", str(GRYPE), "--out", "ato", cwd=tmp_path, preexec_fn=lambda: os.umask(umask))
    code, err = finished(run)
    assert code == 0, err
    assert (tmp_path / "ato").stat().st_mode & 0o7777 == directory_mode
    assert {p.stat().st_mode & 0o7777 for p in (tmp_path / "ato").iterdir()} == {file_mode}
