"""Which image files are a shell, a package manager or a compiler: data in controls/configuration.yaml
(``executables:``), decided by the engine; the filesystem reader only records the files (issue #9).

Each test works on a copy of the shipped controls/ or on a small root filesystem written here.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import edit_yaml

from scc.engine.checks import CheckContext, registry
from scc.engine.checks.support import executables_of
from scc.engine.tables import EXECUTABLE_KINDS, load_tables
from scc.errors import RulePackError
from scc.facts import read_input

NOW = datetime(2026, 1, 1, tzinfo=UTC)

# File names as distributions ship them and the kind scc counts each as (None: not a tool of CM-7's lists).
# Written from the lists scc used before they moved to data, so the move changes no decision.
KNOWN_NAMES = {
    "sh": "shell", "bash": "shell", "ash": "shell", "dash": "shell", "zsh": "shell", "ksh93": "shell",
    "mksh": "shell", "tcsh": "shell", "fish": "shell", "yash": "shell",
    "apk": "package manager", "apt-get": "package manager", "dpkg": "package manager", "rpm": "package manager",
    "dnf": "package manager", "dnf5": "package manager", "microdnf": "package manager", "zypper": "package manager",
    "pip": "package manager", "pip3": "package manager", "pip3.12": "package manager", "npm": "package manager",
    "gem": "package manager", "cargo": "package manager", "composer": "package manager",
    "gcc": "compiler", "gcc-12": "compiler", "x86_64-linux-gnu-gcc": "compiler",
    "x86_64-linux-gnu-gcc-12": "compiler", "aarch64-linux-gnu-g++-13": "compiler", "cc": "compiler",
    "c++": "compiler", "clang": "compiler", "clang-17": "compiler", "clang++": "compiler", "gfortran": "compiler",
    "tcc": "compiler", "go": "compiler", "gccgo": "compiler", "rustc": "compiler", "javac": "compiler",
    # near misses: tools that sound alike but neither run code as a shell nor install nor compile
    "gcc-ar": None, "gcc-ar-12": None, "c++filt": None, "gofmt": None, "ccache": None, "pip-compile": None,
    "apk-static-helper": None, "bashbug": None, "shred": None, "ls": None, "python3": None, "Bash": None,
    "cc-wrapper": None, "rpmbuild": None, "go-md2man": None,
}


def _rootfs(root: Path, *executables: str) -> Path:
    """A root filesystem with os-release, passwd and the named files (paths under it, mode 0755)."""
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text("ID=debian\nVERSION_ID=12\n")
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    for path in executables:
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"\x7fELF")
        target.chmod(0o755)
    (root / "usr/share/doc").mkdir(parents=True)
    (root / "usr/share/doc/bash").write_text("not in a bin directory")
    return root


@pytest.mark.parametrize("name,kind", sorted(KNOWN_NAMES.items()))
def test_the_shipped_executable_lists_classify_file_names(name: str, kind: str | None) -> None:
    assert load_tables().executable_kind(name) == kind


def test_the_reader_records_every_bin_file_and_the_engine_picks_the_tools(tmp_path: Path) -> None:
    root = _rootfs(tmp_path / "rootfs", "/bin/bash", "/usr/bin/ls", "/usr/local/go/bin/go", "/usr/sbin/apk",
                   "/opt/tools/gcc")
    _, facts = read_input(str(root))
    fs = facts.filesystem
    recorded = [e.path for e in fs.executables]
    # every file in a bin/ or sbin/ directory, whatever its name; nothing outside one (/opt/tools, /usr/share/doc)
    assert sorted(recorded) == ["/bin/bash", "/usr/bin/ls", "/usr/local/go/bin/go", "/usr/sbin/apk"]
    assert all(e.evidence[0].pointer == "rootfs:" + e.path for e in fs.executables)
    tables = load_tables()
    assert [e.path for e in executables_of(fs, "shell", tables)] == ["/bin/bash"]
    assert [e.path for e in executables_of(fs, "package manager", tables)] == ["/usr/sbin/apk"]
    assert [e.path for e in executables_of(fs, "compiler", tables)] == ["/usr/local/go/bin/go"]


def test_the_shell_verdict_follows_the_executable_list_and_the_facts_do_not(tmp_path: Path, controls_copy: Path) -> None:
    root = _rootfs(tmp_path / "rootfs", "/usr/bin/rc", "/usr/bin/ls")
    before = read_input(str(root))[1]
    check = registry()["no_shell"]
    shipped = CheckContext(now=NOW)
    assert check.function(before, check.params(), shipped).verdict.value == "satisfied"
    edit_yaml(controls_copy / "configuration.yaml", lambda d: d["executables"]["shell"].append("rc"))
    edited = replace(shipped, tables=load_tables(controls_copy))
    outcome = check.function(before, check.params(), edited)
    assert outcome.verdict.value == "not-satisfied" and "/usr/bin/rc" in outcome.reason
    assert "/usr/bin/ls" not in outcome.reason
    after = read_input(str(root))[1]
    assert after.filesystem.executables == before.filesystem.executables   # the reader is table-blind


def test_a_name_on_two_lists_counts_once_as_the_first(controls_copy: Path) -> None:
    edit_yaml(controls_copy / "configuration.yaml", lambda d: d["executables"]["compiler"].append("bash"))
    assert load_tables(controls_copy).executable_kind("bash") == "shell"
    assert EXECUTABLE_KINDS[0] == "shell"


@pytest.mark.parametrize("change,message", [
    (lambda d: d.pop("executables"), r"configuration\.yaml: 'executables' must map each of shell, package manager"),
    (lambda d: d["executables"].pop("compiler"), r"'executables' must map each of"),
    (lambda d: d["executables"].update(shell="bash"), r"configuration\.yaml: executables\.shell must be a list"),
    (lambda d: d["executables"]["compiler"].append("/usr/bin/gcc"), r"executables\.compiler .*no '/'"),
])
def test_a_malformed_executable_list_is_refused_naming_the_file(controls_copy: Path, change, message: str) -> None:
    edit_yaml(controls_copy / "configuration.yaml", change)
    with pytest.raises(RulePackError, match=message):
        load_tables(controls_copy)


def test_the_fs_reader_holds_no_tool_lists() -> None:
    """The file names a reviewer must see are data, not Python, in the reader."""
    from scc.facts.image import fs_scan

    text = Path(fs_scan.__file__).read_text()
    for name in ('"bash"', '"dash"', "microdnf", "gfortran", "rustc"):
        assert name not in text
