"""scc.forking.forked_map shares work with forked workers (issue #12: the engine's checks on two cores); it must
give what the serial loop gives, raise what it would raise, and the engine's Report must not depend on it.

The sharing cases run in a fresh interpreter: threads that other tests leave alive in this one (Dask's)
rule the fork out, and forked_map then rightly computes everything itself."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from scc.forking import forked_map

ROOT = Path(__file__).resolve().parents[1]


def _run(script: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], check=False, capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def test_the_work_is_shared_with_a_worker_and_comes_back_in_order():
    out = _run("""
        import os, time
        from scc.forking import forked_map, worker_context
        assert worker_context()[1], "a fresh interpreter must take the fork path"
        def square(index):
            time.sleep(0.02)        # long enough that the worker, once forked, takes some of the indices
            return index * index, os.getpid()
        results = forked_map(square, 40, jobs=2)
        assert [value for value, _ in results] == [n * n for n in range(40)]
        pids = {pid for _, pid in results}
        assert os.getpid() in pids and len(pids) == 2, pids
        print("shared")
    """)
    assert out == "shared"


def test_the_first_error_in_index_order_is_raised_as_the_serial_loop_raises_it():
    out = _run("""
        import os, time
        from scc.forking import forked_map
        def failing(index):
            time.sleep(0.01)
            if index in (7, 23):
                raise ValueError(f"index {index} failed in {'this process' if os.getpid() == PARENT else 'a worker'}")
            return index
        PARENT = os.getpid()
        for attempt in range(3):
            try:
                forked_map(failing, 30, jobs=2)
            except ValueError as exc:
                assert str(exc).startswith("index 7 failed"), exc
        class Unpicklable(Exception):
            def __reduce__(self):
                raise TypeError("no")
        def unpicklable(index):
            time.sleep(0.01)
            if os.getpid() != PARENT:
                raise Unpicklable("worker only")
            return index
        try:
            forked_map(unpicklable, 30, jobs=2)
        except RuntimeError as exc:
            assert "Unpicklable: worker only" in str(exc), exc
        else:
            raise AssertionError("the worker's error was lost")
        print("raised")
    """)
    assert out == "raised"


def test_without_a_second_job_or_with_a_thread_alive_everything_is_computed_here():
    import os

    assert forked_map(lambda n: (n, os.getpid()), 5, jobs=1) == [(n, os.getpid()) for n in range(5)]
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert {pid for _, pid in forked_map(lambda n: (n, os.getpid()), 5, jobs=2)} == {os.getpid()}
    finally:
        stop.set()
        thread.join()
    assert forked_map(lambda n: n, 0, jobs=2) == []


@pytest.mark.usefixtures("with_content")
def test_the_engine_decides_the_same_report_on_two_cores(content_dir):
    out = _run(f"""
        import os, time
        os.environ["SCC_CONTENT_DIR"] = {str(content_dir)!r}
        os.environ.setdefault("SOURCE_DATE_EPOCH", "1795564800")
        import scc.engine.evaluate as evaluate
        from scc import forking
        from scc.assessment import assess
        from scc.package import render_outputs
        from scc.writers import available_writers

        evaluate.PARALLEL_SIZE = 0          # the example is small: share its checks anyway
        where = []
        def spy(compute, count, *, jobs):
            def traced(index):
                time.sleep(0.01)
                return os.getpid(), compute(index)
            done = forking.forked_map(traced, count, jobs=jobs)
            where.extend(pid for pid, _ in done)
            return [outcome for _, outcome in done]
        evaluate.forked_map = spy
        demo = "examples/demo-image"
        options = dict(keys=[demo + "/demo-signing.pub"], overrides=demo + "/overrides.yaml",
                       profile=demo + "/system-profile.yaml", registry_policy=demo + "/registry-policy.yaml")
        inputs = [demo + "/"]     # the folder, as the README's command gives it
        serial = assess(inputs, jobs=1, **options)
        assert set(where) == {{os.getpid()}}
        where.clear()
        shared = assess(inputs, jobs=2, **options)
        assert len(set(where)) == 2, "no check ran in the worker"
        writers = [w for w in available_writers() if w.format != "pdf"]
        assert render_outputs(shared, writers) == render_outputs(serial, writers)
        print(len(serial.report.rule_results), "rules, the same package")
    """)
    assert out.endswith("rules, the same package") and int(out.split()[0]) > 50
