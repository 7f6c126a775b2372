"""The cyclic collector is paused while facts are read and assessed, and a CLI run freezes what it built."""
from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scc.gcpause import paused_then_kept

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "demo-image"


def test_paused_then_kept_freezes_what_exists_before_the_collector_runs_again():
    frozen_before = gc.get_freeze_count()
    try:
        with paused_then_kept():
            assert not gc.isenabled()
            built = [[index] for index in range(1000)]   # tracked containers
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(built)
    finally:
        gc.unfreeze()    # this test process goes on: let the collector see everything again


def test_paused_then_kept_freezes_nothing_when_the_block_fails():
    gc.unfreeze()
    with pytest.raises(RuntimeError), paused_then_kept():
        raise RuntimeError("reading failed")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_assess_reads_and_assesses_with_the_collector_paused(monkeypatch):
    import scc.assessment
    import scc.facts

    seen: dict[str, bool] = {}
    read_inputs, assessment_init = scc.facts.read_inputs, scc.assessment.Assessment.__init__

    def reading(*args, **kwargs):
        seen["read"] = gc.isenabled()
        return read_inputs(*args, **kwargs)

    def assessing(self, *args, **kwargs):
        seen["assess"] = gc.isenabled()
        assessment_init(self, *args, **kwargs)

    monkeypatch.setattr(scc.facts, "read_inputs", reading)
    monkeypatch.setattr(scc.assessment.Assessment, "__init__", assessing)
    scc.assessment.assess([EXAMPLE])
    assert seen == {"read": False, "assess": False}
    assert gc.isenabled()


_CLI_RUN = """
import gc, json, sys
from click.testing import CliRunner
from scc.cli.app import cli
result = CliRunner().invoke(cli, sys.argv[1:], catch_exceptions=False)
print(json.dumps({"exit": result.exit_code, "frozen": gc.get_freeze_count(), "enabled": gc.isenabled()}))
"""


@pytest.mark.parametrize("command", [["facts"], ["gate", "--max-cat1", "1000"]])
def test_a_cli_run_leaves_what_it_read_and_assessed_out_of_later_collections(command, tmp_path):
    # in a child: a frozen generation is the whole process's, not this test's
    done = subprocess.run([sys.executable, "-c", _CLI_RUN, *command, str(EXAMPLE)], capture_output=True,
                          text=True, check=True, cwd=tmp_path)
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["exit"] == 0
    assert state["enabled"]
    assert state["frozen"] > 10_000    # the facts (and the Report) of the example, at the least


_GARBAGE_AT_EXIT = """
import sys
if sys.argv[1] == "cli":
    from scc.cli.app import main
    main(["--version"])
class Noisy:
    def __del__(self):
        print("collected at exit")
cycle = [Noisy()]
cycle.append(cycle)
del cycle
"""


@pytest.mark.parametrize("through_cli", [True, False])
def test_the_command_line_leaves_the_last_garbage_to_the_end_of_the_process(through_cli):
    done = subprocess.run([sys.executable, "-c", _GARBAGE_AT_EXIT, "cli" if through_cli else "plain"],
                          capture_output=True, text=True, check=True)
    # without scc's CLI, Python's last collection finalises the cycle; after it, the process's end reclaims it
    assert ("collected at exit" in done.stdout) is not through_cli
    assert done.stderr == ""
