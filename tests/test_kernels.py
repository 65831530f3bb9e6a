"""kzlib.kernels: warm-up code, and (marked e2e: they start Jupyter kernels) the notebook pool — one fresh
kernel per notebook whether forked from the preloaded server or started as a new interpreter, every kernel
shut down after success, failure and timeout, and a fallback when the fork server fails."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import pytest

from kzlib import kernels
from kzlib.kernels import Job, NotebookPool

KERNELSPEC = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}


def _notebook(path: Path, *sources: str, parameters: str = "x = 0") -> Path:
    nb = nbformat.v4.new_notebook(metadata=KERNELSPEC)
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"),
                nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
                *(nbformat.v4.new_code_cell(source) for source in sources)]
    nbformat.write(nb, path)
    return path


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie child of ours would still answer; read its state
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def _wait_gone(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.05)
    return _gone(pid)


# --- fast ------------------------------------------------------------------------------------

def test_notebook_imports_lists_modules_and_candidate_submodules():
    nb = {"cells": [
        {"cell_type": "markdown", "source": "import nothing"},
        {"cell_type": "code", "source": ["from pathlib import Path\n", "import pandas as pd, json\n"]},
        {"cell_type": "code", "source": "%matplotlib inline\nimport os"},          # magic: skipped
        {"cell_type": "code", "source": "from kzlib import charts\nfrom . import x\nif True:\n    import re"},
    ]}
    assert kernels.notebook_imports(nb) == ["pathlib", "pathlib.Path", "pandas", "json", "kzlib", "kzlib.charts"]


def test_warm_code_imports_without_binding_any_name():
    namespace: dict = {}
    exec(kernels.warm_code(["json", "kzlib.io", "no_such_module_kz", "pathlib.Path"]), namespace)
    assert set(namespace) == {"__builtins__"}
    import sys

    assert "kzlib.io" in sys.modules


def test_warm_modules_adds_pyplot_for_plotting_modules(tmp_path):
    path = _notebook(tmp_path / "01_x.ipynb", "from kzlib import charts")
    assert kernels.warm_modules(path) == ["kzlib", "kzlib.charts", "matplotlib.pyplot"]
    assert kernels.warm_modules(tmp_path / "missing.ipynb") == []


def test_slots_go_to_the_highest_ranked_ready_job():
    import threading

    slots = kernels._Slots(1, rank=[2, 0, 1])
    got: list[int] = []

    def take(index):
        if slots.acquire(index):
            got.append(index)
            slots.release()

    threads = [threading.Thread(target=take, args=(i,)) for i in (0, 1, 2)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)   # all three ready and waiting for open()
    slots.open()
    for thread in threads:
        thread.join(5)
    assert got == [2, 0, 1]


def test_a_free_slot_waits_briefly_for_the_first_job_then_takes_a_ready_one():
    import threading

    slots = kernels._Slots(1, rank=[0, 1])
    slots.open()
    started = time.monotonic()
    assert slots.acquire(1)               # job 0's kernel never becomes ready: job 1 goes after the grace
    waited = time.monotonic() - started
    assert kernels._Slots.GRACE * 0.9 <= waited < 5
    slots.release()
    slots.drop(0)
    other = threading.Thread(target=slots.stop)
    other.start()
    other.join()
    assert not slots.acquire(0)           # stopped: no slot


# --- with kernels ----------------------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.parametrize("fork", [True, False], ids=["forked", "fresh-interpreter"])
def test_each_notebook_gets_its_own_kernel_and_sees_no_other_notebooks_variables(tmp_path, fork):
    if fork and not kernels.fork_available():
        pytest.skip("no fork on this platform")
    first = _notebook(tmp_path / "01_sets.ipynb", "secret = 'from notebook 01'\nimport os\nprint(os.getpid())")
    second = _notebook(tmp_path / "02_looks.ipynb",
                       "import os, json\n"
                       "print(json.dumps({'pid': os.getpid(), 'cwd': os.getcwd(), 'x': x,\n"
                       "                  'names': sorted(n for n in globals() if not n.startswith('_'))}))")
    jobs = [Job(first, tmp_path / "out_01.ipynb"), Job(second, tmp_path / "out_02.ipynb")]
    with NotebookPool(jobs, cwd=tmp_path, workers=2, timeout=120, fork=fork) as pool:
        assert pool.forking is fork
        assert pool.run({"x": 7}) == []
    assert all(job.ok and job.forked is fork for job in jobs)
    pid_01 = int(nbformat.read(jobs[0].target, as_version=4).cells[3].outputs[0]["text"])
    seen = json.loads(nbformat.read(jobs[1].target, as_version=4).cells[3].outputs[0]["text"])
    assert seen["pid"] != pid_01 and {jobs[0].kernel_pid, jobs[1].kernel_pid} == {pid_01, seen["pid"]}
    assert "secret" not in seen["names"], "notebook 02 sees notebook 01's variable"
    assert seen["x"] == 7 and seen["cwd"] == str(tmp_path)   # papermill's parameter; the pool's cwd
    # nothing from the warm-up or the fork server in the namespace: only what the notebook defined
    assert set(seen["names"]) - {"In", "Out", "exit", "quit", "get_ipython", "open"} == {"os", "json", "x"}
    assert all(_wait_gone(job.kernel_pid) for job in jobs), "kernel left running"


@pytest.mark.e2e
def test_a_failing_notebook_stops_the_rest_and_every_kernel_is_shut_down(tmp_path):
    broken = _notebook(tmp_path / "01_broken.ipynb", "raise ValueError('بيانات ناقصة')")
    later = [_notebook(tmp_path / f"0{i}_later.ipynb", "y = 1") for i in (2, 3, 4)]
    jobs = [Job(broken, tmp_path / "out_01.ipynb"), *(Job(p, tmp_path / f"out_{p.stem}.ipynb") for p in later)]
    with NotebookPool(jobs, cwd=tmp_path, workers=1, timeout=120) as pool:
        zygote = pool._zygote
        failed = pool.run({})
    assert failed == [jobs[0]] and not jobs[0].ok
    assert "ValueError" in jobs[0].error and jobs[0].target.is_file()   # papermill wrote the failing notebook
    assert all(job.skipped and not job.target.exists() for job in jobs[1:])
    started = [job.kernel_pid for job in jobs if job.kernel_pid]
    assert jobs[0].kernel_pid in started
    assert all(_wait_gone(pid) for pid in started), "kernel left running after a failure"
    if zygote is not None:
        assert zygote.proc.poll() is not None, "fork server left running"


@pytest.mark.e2e
def test_a_cell_past_the_timeout_fails_the_notebook_and_its_kernel_goes(tmp_path):
    slow = _notebook(tmp_path / "01_slow.ipynb", "import time\ntime.sleep(60)")
    job = Job(slow, tmp_path / "out.ipynb")
    started = time.monotonic()
    with NotebookPool([job], cwd=tmp_path, workers=1, timeout=2) as pool:
        failed = pool.run({})
    assert failed == [job] and "timed out" in job.error.lower()
    assert time.monotonic() - started < 30
    assert _wait_gone(job.kernel_pid)


@pytest.mark.e2e
def test_kernels_start_as_fresh_interpreters_when_the_fork_server_fails(tmp_path, monkeypatch, capsys):
    if not kernels.fork_available():
        pytest.skip("no fork on this platform")

    def broken_fork(self, *args, **kwargs):
        raise kernels.ZygoteError("fork server gone (test)")

    monkeypatch.setattr(kernels.Zygote, "fork", broken_fork)
    job = Job(_notebook(tmp_path / "01_x.ipynb", "print(x + 1)"), tmp_path / "out.ipynb")
    with NotebookPool([job], cwd=tmp_path, workers=1, timeout=120, fork=True) as pool:
        assert pool.run({"x": 41}) == []
    assert job.ok and not job.forked
    assert nbformat.read(job.target, as_version=4).cells[3].outputs[0]["text"].strip() == "42"
    assert "starting a fresh interpreter" in capsys.readouterr().err
    assert _wait_gone(job.kernel_pid)


@pytest.mark.e2e
def test_a_dead_fork_server_means_fresh_interpreters_not_a_failed_report(tmp_path, monkeypatch, capsys):
    import signal

    if not kernels.fork_available():
        pytest.skip("no fork on this platform")
    real_start = NotebookPool._start_zygote

    def start_then_kill(self):  # the server dies before it forks anything
        zygote = real_start(self)
        os.kill(zygote.pid, signal.SIGKILL)
        zygote.proc.wait()
        return zygote

    monkeypatch.setattr(NotebookPool, "_start_zygote", start_then_kill)
    job = Job(_notebook(tmp_path / "01_x.ipynb", "print(x * 2)"), tmp_path / "out.ipynb")
    with NotebookPool([job], cwd=tmp_path, workers=1, timeout=120, fork=True, log_dir=tmp_path) as pool:
        assert pool.run({"x": 21}) == []
    assert job.ok and not job.forked
    assert nbformat.read(job.target, as_version=4).cells[3].outputs[0]["text"].strip() == "42"
    assert "kernel fork server" in capsys.readouterr().err
    assert _wait_gone(job.kernel_pid)


@pytest.mark.parametrize("platform, setting, expected", [
    ("linux", "", True), ("linux", "0", False), ("darwin", "", False), ("darwin", "1", True), ("linux", "1", True),
])
def test_kernels_fork_by_default_only_on_linux(monkeypatch, platform, setting, expected):
    if not hasattr(kernels.os, "fork"):
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(kernels.sys, "platform", platform)
    monkeypatch.setenv("KZLIB_REPORT_FORK", setting)
    assert kernels.fork_available() is expected
