"""Notebook execution for `kz report`: papermill in this process, one fresh pre-warmed kernel per notebook.

Each notebook gets its own Jupyter kernel, started (in the project root) before it is needed — while the
claims ledger is being extracted or while other notebooks run — and warmed by importing the modules the
notebook itself imports (read from its code cells, plus WARM_ALSO; the imports run inside a function, so
no name reaches the notebook's namespace). The kernel is then handed to papermill (`km=`), executes that
one notebook and is shut down. A kernel is never reused: no notebook sees another's variables.

Where the OS can fork, kernels are not started as new interpreters but forked from a fork server
(kzlib.kernel_zygote) that imported ipykernel and the notebooks' modules once: a kernel is then ready in
a fraction of the time and CPU, and is still a new process that never ran notebook code. If the server
fails, kernels start as fresh interpreters (also with KZLIB_REPORT_FORK=0, and by default off Linux).

Everything one kernel does (start, warm-up, papermill, shutdown) happens in one thread with its own event
loop, since jupyter_client's asyncio sockets belong to the loop that made them. At most `workers`
notebooks execute at a time, in the given priority order among those whose kernel is ready, and at most
`workers + ahead` kernels are alive and not yet done executing.

papermill's `cwd=` is not used: it changes the working directory of the whole process (`os.chdir`), which
threads must not do; the kernels are started with `cwd=ROOT` instead, which is what the notebooks see.
"""

from __future__ import annotations

import ast
import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

KERNEL = "python3"
LANGUAGE = "python"
#: The kernel's environment on top of ours: figures inline (PNG in the notebook), UTF-8 output.
KERNEL_ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONIOENCODING": "utf-8"}
#: What nbclient passes to kernels it starts itself: no IPython history database (concurrent kernels
#: would otherwise contend for ~/.ipython/profile_default/history.sqlite).
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]
ENGINE = "kzlib-own-kernel"
START_TIMEOUT = 60
#: Seconds a kernel gets to exit after the shutdown request before it is killed.
SHUTDOWN_WAIT = 3.0


@dataclass
class Timings:
    """Seconds per phase of one notebook (wall time of this process's thread)."""
    kernel_start: float = 0.0    # process start until the kernel answers
    warm: float = 0.0            # importing the notebook's modules
    waiting: float = 0.0         # warm kernel waiting for the ledger / an execution slot
    execute: float = 0.0         # papermill: every cell
    shutdown: float = 0.0
    export: float = 0.0          # HTML (filled in by the caller's `after` hook)
    started_at: float = 0.0      # execution start, seconds after the pool was created
    finished_at: float = 0.0     # end of the `after` hook, seconds after the pool was created

    def line(self) -> str:
        return (f"kernel {self.kernel_start:.1f} s + warm {self.warm:.1f} s, waited {self.waiting:.1f} s, "
                f"run {self.execute:.1f} s from +{self.started_at:.1f} s, html {self.export:.1f} s, "
                f"done +{self.finished_at:.1f} s")


# --- warm-up ---------------------------------------------------------------------------------

def notebook_imports(nb) -> list[str]:
    """Modules a notebook imports at the top level of its code cells, in order (absolute imports only).

    `nb` is a notebook as JSON (dict) or an nbformat node. `from a.b import c` gives `a.b` and `a.b.c` (c
    may be a submodule); the warm-up ignores names that are not modules. Cells that are not plain Python
    (magics) are skipped."""
    modules: list[str] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse(source if isinstance(source, str) else "".join(source))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                modules.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.append(node.module)
                modules.extend(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return list(dict.fromkeys(modules))


#: Modules imported lazily by a module a notebook imports, warmed with it (kzlib.charts plots with pyplot).
WARM_ALSO = {"kzlib.charts": ("matplotlib.pyplot",), "kzlib.tables": ("matplotlib.pyplot",),
             "kzlib.sources": ("matplotlib.pyplot",), "kzlib.timeline": ("matplotlib.pyplot",)}


def warm_modules(source: Path) -> list[str]:
    """What to import in a kernel before it runs notebook `source`: its own imports, plus WARM_ALSO.

    Read as plain JSON: nbformat's import (jsonschema) is left to the main thread (see kzlib.report)."""
    try:
        modules = notebook_imports(json.loads(Path(source).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return []  # papermill will say what is wrong with the notebook
    extra = [also for name in modules for also in WARM_ALSO.get(name, ())]
    return list(dict.fromkeys(modules + extra))


def fork_available() -> bool:
    """Kernels are forked from a preloaded server on Linux unless KZLIB_REPORT_FORK=0; elsewhere only with
    KZLIB_REPORT_FORK=1 — macOS system frameworks are not fork-safe once loaded (the reason Python's
    multiprocessing spawns there), and Windows has no fork."""
    choice = os.environ.get("KZLIB_REPORT_FORK", "")
    if choice == "0" or not hasattr(os, "fork"):
        return False
    return choice == "1" or sys.platform.startswith("linux")


def warm_code(modules: Sequence[str]) -> str:
    """Kernel code importing `modules` without binding any name in the user namespace."""
    return ("def __kzlib_warm(names):\n"
            "    import importlib, importlib.util\n"
            "    for name in names:\n"
            "        try:\n"
            "            if importlib.util.find_spec(name) is not None:\n"
            "                importlib.import_module(name)\n"
            "        except Exception:\n"
            "            pass  # not a module, or broken: the notebook's own import reports it\n"
            f"__kzlib_warm({list(modules)!r})\n"
            "del __kzlib_warm\n")


# --- fork server -----------------------------------------------------------------------------

class ZygoteError(RuntimeError):
    """The fork server is not available (failed to start, died, or could not fork)."""


class Zygote:
    """Parent side of kzlib.kernel_zygote: start it (it preloads `modules`), ask it for kernel processes.

    Thread-safe; `fork` blocks until the preload is done. `close` ends the server; kernels it forked that
    are still running then exit too (their parent poller sees the server gone)."""

    def __init__(self, modules: Sequence[str], cwd: Path, env: dict, log_path: Path | None = None):
        self.log_path = log_path
        self._log = open(log_path, "wb") if log_path is not None else None
        self.proc = subprocess.Popen([sys.executable, "-m", "kzlib.kernel_zygote"], cwd=str(cwd), env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._log if self._log is not None else subprocess.DEVNULL,
                                     text=True, encoding="utf-8", bufsize=1, start_new_session=True)
        self._lock = threading.Lock()
        self._ready: dict | None = None
        self._send({"preload": list(modules)}, wait=False)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _send(self, request: dict, wait: bool = True) -> dict:
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        except (OSError, ValueError) as exc:
            raise ZygoteError(f"kernel fork server gone: {exc}") from exc
        return self._answer() if wait else {}

    def _answer(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            said = ""
            if self.log_path is not None and self.log_path.is_file():
                said = "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:])
            raise ZygoteError(f"kernel fork server exited (code {self.proc.wait()})" + (f": {said}" if said else ""))
        return json.loads(line)

    def wait_ready(self) -> dict:
        with self._lock:
            if self._ready is None:
                self._ready = self._answer()
            return self._ready

    def fork(self, argv: Sequence[str], cwd: Path, env: dict, log: Path | None) -> int:
        self.wait_ready()
        with self._lock:
            answer = self._send({"argv": list(argv), "cwd": str(cwd), "env": env,
                                 "log": str(log) if log is not None else None})
        if "pid" not in answer:
            raise ZygoteError(answer.get("error", f"unexpected answer {answer}"))
        return int(answer["pid"])

    def close(self) -> None:
        try:
            if self.proc.stdin and not self.proc.stdin.closed:
                self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            if self.proc.stdout:
                self.proc.stdout.close()
            if self._log is not None:
                self._log.close()


class _ForkedProcess:
    """The Popen interface jupyter_client's LocalProvisioner uses, for a kernel forked by the zygote (not
    our child: it is reaped by the system, so "gone" means exited; the exit code is not known)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _fork_provisioner(km, zygote: Zygote, log_path: Path | None):
    """A jupyter_client LocalProvisioner for `km` whose launch asks `zygote` to fork the kernel (when the
    kernel command is this interpreter's ipykernel_launcher; anything else launches normally)."""
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd, **kwargs):
            if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"] or \
                    os.path.realpath(cmd[0]) != os.path.realpath(sys.executable):
                return await super().launch_kernel(cmd, **kwargs)
            cwd = kwargs.get("cwd") or os.getcwd()
            env = dict(kwargs.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(zygote.pid)  # the kernel's real parent: exit if it goes away
            pid = zygote.fork(cmd[3:], Path(cwd), env, log_path)
            self.process = _ForkedProcess(pid)
            self.pid = self.pgid = pid               # a new session: its own process group
            self.cwd = cwd
            return self.connection_info

    return ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)


# --- one kernel ------------------------------------------------------------------------------

class FreshKernel:
    """One kernel for one notebook. Use from a single thread (its asyncio loop owns the sockets)."""

    def __init__(self, cwd: Path, log_path: Path | None = None, zygote: Zygote | None = None):
        import uuid

        from jupyter_client.manager import AsyncKernelManager

        self.cwd = Path(cwd)
        self.km = AsyncKernelManager(kernel_name=KERNEL)
        self.km.shutdown_wait_time = SHUTDOWN_WAIT
        self.log_path = log_path
        self._log = None
        self.forked = zygote is not None
        if zygote is not None:
            self.km.kernel_id = str(uuid.uuid4())
            self.km.provisioner = _fork_provisioner(self.km, zygote, log_path)

    @property
    def pid(self) -> int | None:
        provisioner = getattr(self.km, "provisioner", None)
        return getattr(provisioner, "pid", None) if provisioner is not None else None

    async def start(self, timeout: float = START_TIMEOUT) -> None:
        if self.log_path is not None and not self.forked:
            self._log = open(self.log_path, "wb")
        out = self._log if self._log is not None else subprocess.DEVNULL
        await self.km.start_kernel(cwd=str(self.cwd), env={**os.environ, **KERNEL_ENV},
                                   extra_arguments=list(KERNEL_ARGUMENTS), stdout=out, stderr=out)
        kc = self.km.client()
        kc.start_channels(hb=False)      # liveness comes from the manager (the process); no heartbeat thread
        try:
            await kc.wait_for_ready(timeout=timeout)
        finally:
            kc.stop_channels()

    async def run_silently(self, code: str, timeout: float = START_TIMEOUT) -> dict:
        """Execute `code` without output, history or execution count; return the reply content."""
        kc = self.km.client()
        kc.start_channels(hb=False)
        try:
            msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
            deadline = time.monotonic() + timeout
            while True:
                reply = await kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    return reply["content"]
        finally:
            kc.stop_channels()

    async def shutdown(self) -> None:
        try:
            if self.km.has_kernel:
                await self.km.shutdown_kernel(now=False)
        finally:
            try:
                await self.km.cleanup_resources()
            except Exception:
                pass
            if self._log is not None:
                self._log.close()
                self._log = None

    def kill(self) -> None:
        """SIGKILL from any thread (for aborts: the owning thread then sees a dead kernel)."""
        pid = self.pid
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def log_tail(self, lines: int = 15) -> str:
        if self.log_path is None or not self.log_path.is_file():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return "\n".join(line for line in text[-lines:] if "running over TCP without encryption" not in line)


# --- papermill -------------------------------------------------------------------------------

_ENGINE_LOCK = threading.Lock()


def _register_engine() -> None:
    """A papermill engine like its nbclient one that takes an already started kernel (`km=`) and closes
    the client channels nbclient leaves open on kernels it does not own."""
    from papermill.engines import NBClientEngine, papermill_engines

    with _ENGINE_LOCK:
        if ENGINE in papermill_engines._engines:
            return

        class OwnKernelEngine(NBClientEngine):
            @classmethod
            def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                         stderr_file=None, start_timeout=START_TIMEOUT, execution_timeout=None,
                                         km=None, **kwargs):
                from papermill.clientwrap import PapermillNotebookClient
                from papermill.log import logger

                client = PapermillNotebookClient(nb_man, km=km, timeout=execution_timeout,
                                                 startup_timeout=start_timeout, kernel_name=kernel_name,
                                                 log=logger, log_output=log_output, stdout_file=stdout_file,
                                                 stderr_file=stderr_file)
                try:
                    return client.execute()
                finally:
                    if client.kc is not None:
                        client.kc.stop_channels()

        papermill_engines.register(ENGINE, OwnKernelEngine)
        # papermill warns about parameters a notebook does not declare (every notebook gets them all); the
        # subprocess runs had it at WARNING and hid it; keep it quiet unless someone configured it
        pm_logger = logging.getLogger("papermill")
        if pm_logger.level == logging.NOTSET:
            pm_logger.setLevel(logging.ERROR)


def papermill_execute(source: Path, target: Path, parameters: dict, kernel: FreshKernel, timeout: int) -> None:
    """papermill.execute_notebook on `kernel` (raises PapermillExecutionError when a cell fails)."""
    import papermill

    _register_engine()
    # request_save_on_cell_execute=False: papermill would otherwise rewrite (and re-validate) the whole
    # notebook after every cell; it still writes it at the end, and on a cell error before raising
    papermill.execute_notebook(str(source), str(target), parameters=parameters, engine_name=ENGINE,
                               kernel_name=KERNEL, language=LANGUAGE, progress_bar=False, log_output=False,
                               request_save_on_cell_execute=False, execution_timeout=int(timeout),
                               start_timeout=START_TIMEOUT, km=kernel.km)


# --- the pool --------------------------------------------------------------------------------

@dataclass
class Job:
    source: Path
    target: Path
    ok: bool = False
    error: str = ""                  # when not ok: papermill's error or the kernel's log tail
    exception: BaseException | None = None
    seconds: float = 0.0             # execution only
    timings: Timings = field(default_factory=Timings)
    skipped: bool = False            # not run because another notebook failed or the run was aborted
    after_error: BaseException | None = None   # the `after` hook (HTML export) failed
    kernel_pid: int | None = None    # the kernel process that ran it (gone once the pool is closed)
    forked: bool = False             # that kernel was forked from the preloaded server


class _Slots:
    """`workers` execution slots, handed out in priority order once `open()` was called.

    A free slot waits for the highest-ranked job still to run; if that job's kernel is not ready within
    GRACE seconds (of a slot being free with another job ready), the highest-ranked ready job takes it (no slot idles long for a slow
    kernel). `stop()` wakes every waiter, which then gets no slot; `drop(index)` forgets a job that will
    not ask (its kernel failed)."""

    GRACE = 0.5

    def __init__(self, workers: int, rank: Sequence[int]):
        self._free = max(1, workers)
        self._rank = {index: position for position, index in enumerate(rank)}
        self._pending: set[int] = set(rank)   # not yet started
        self._ready: set[int] = set()         # kernel ready, waiting for a slot
        self._opened = self._stopped = False
        self._since = time.monotonic()        # when a slot last became free
        self._ready_since = self._since       # when the ready set last became non-empty
        self._cond = threading.Condition()

    def open(self) -> None:
        with self._cond:
            self._opened = True
            self._since = time.monotonic()
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    @property
    def stopped(self) -> bool:
        return self._stopped

    def drop(self, index: int) -> None:
        with self._cond:
            self._pending.discard(index)
            self._ready.discard(index)
            self._cond.notify_all()

    def _first(self, jobs: set[int]) -> int:
        return min(jobs, key=self._rank.__getitem__)

    def acquire(self, index: int) -> bool:
        """Block until job `index` may execute (True) or the pool stopped (False)."""
        with self._cond:
            if not self._ready:
                self._ready_since = time.monotonic()
            self._ready.add(index)
            self._cond.notify_all()
            while not self._stopped:
                if self._opened and self._free > 0:
                    if index == self._first(self._pending):
                        break
                    # how long a free slot has had a ready job it could have given to
                    waited = time.monotonic() - max(self._since, self._ready_since)
                    if index == self._first(self._ready) and waited >= self.GRACE:
                        break
                    self._cond.wait(timeout=max(0.01, self.GRACE - waited))
                else:
                    self._cond.wait()
            self._ready.discard(index)
            self._pending.discard(index)
            if self._stopped:
                self._cond.notify_all()
                return False
            self._free -= 1
            self._cond.notify_all()  # the next-ranked job re-checks
            return True

    def release(self) -> None:
        with self._cond:
            self._free += 1
            self._since = time.monotonic()
            self._cond.notify_all()


class NotebookPool:
    """Start kernels for `jobs` now; `run(parameters)` executes them, `workers` at a time.

    `order` (indices into `jobs`, default: as given) is the order in which ready notebooks get an
    execution slot: put the longest first. At most `workers + ahead` kernels are alive and not yet done
    executing. `after(job)` is called in the job's thread once its kernel is shut down (e.g. HTML export),
    so it overlaps other notebooks' execution. Use as a context manager: leaving it kills what is left."""

    def __init__(self, jobs: Sequence[Job], cwd: Path, workers: int = 2, ahead: int = 1,
                 timeout: int = 900, log_dir: Path | None = None, order: Sequence[int] | None = None,
                 on_done: Callable[[Job], None] | None = None, after: Callable[[Job], None] | None = None,
                 fork: bool | None = None):
        self.jobs = list(jobs)
        self.cwd = Path(cwd)
        self.timeout = timeout
        self.log_dir = log_dir
        self.on_done, self.after = on_done, after
        order = list(order) if order is not None else list(range(len(self.jobs)))
        if sorted(order) != list(range(len(self.jobs))):
            raise ValueError(f"order {order} is not a permutation of the {len(self.jobs)} jobs")
        self._slots = _Slots(workers, order)
        self._alive = threading.Semaphore(max(1, workers) + max(0, ahead))
        self._parameters: dict | None = None
        self._kernels: dict[int, FreshKernel] = {}
        self._lock = threading.Lock()
        self._created = time.perf_counter()
        self._warm = {index: warm_modules(job.source) for index, job in enumerate(self.jobs)}
        self._zygote = self._start_zygote() if (fork_available() if fork is None else fork) else None
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(self.jobs)), thread_name_prefix="kz-notebook")
        # threads start in priority order, so the first kernels started are the first needed
        self._futures = [self._pool.submit(self._lifecycle, i, self.jobs[i]) for i in order]

    # public

    def run(self, parameters: dict) -> list[Job]:
        """Release the workers with `parameters`; wait for all; return the jobs that failed."""
        self._parameters = dict(parameters)
        self._slots.open()
        for future in self._futures:
            future.result()
        return [job for job in self.jobs if not job.ok and not job.skipped]

    def abort(self) -> None:
        """No further notebook starts; kernels not executing are shut down by their threads."""
        self._slots.stop()

    def close(self, kill: bool = False) -> None:
        """Wait for every thread; with `kill`, kill the kernels still executing first."""
        self.abort()
        if kill:
            with self._lock:
                kernels = list(self._kernels.values())
            for kernel in kernels:
                kernel.kill()
        self._pool.shutdown(wait=True)
        if self._zygote is not None:
            self._zygote.close()  # after every kernel it forked was shut down
            self._zygote = None
        if self.log_dir is not None:
            (self.log_dir / ".zygote.log").unlink(missing_ok=True)

    @property
    def forking(self) -> bool:
        """Whether kernels are forked from a preloaded server (else each is a fresh interpreter)."""
        return self._zygote is not None

    def _start_zygote(self) -> Zygote | None:
        modules = list(dict.fromkeys(m for index in sorted(self._warm) for m in self._warm[index]))
        try:
            return Zygote(modules, self.cwd, {**os.environ, **KERNEL_ENV},
                          self.log_dir / ".zygote.log" if self.log_dir else None)
        except OSError:
            return None

    def __enter__(self) -> "NotebookPool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(kill=exc_type is not None)

    # one notebook, in one thread

    def _lifecycle(self, index: int, job: Job) -> None:
        # the job's own event loop, closed when it is done: a loop left to the garbage collector keeps its
        # epoll descriptor and self-pipe (3 file descriptors) open until a collection happens to run
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)        # jupyter_client looks the thread's loop up
        try:
            self._run_job(loop, index, job)
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    def _run_job(self, loop, index: int, job: Job) -> None:
        timings = job.timings
        self._alive.acquire()
        released = False
        kernel = None
        try:
            if self._slots.stopped:
                self._slots.drop(index)
                job.skipped = True
                return
            log = self.log_dir / f".{job.source.stem}.kernel.log" if self.log_dir else None
            kernel = FreshKernel(self.cwd, log, zygote=self._zygote)
            with self._lock:
                self._kernels[index] = kernel
            t = time.perf_counter()
            try:
                loop.run_until_complete(kernel.start())
            except Exception as exc:
                if not kernel.forked:
                    raise
                # the fork server failed (or its kernel did not come up): start a fresh interpreter instead
                print(f"report: forked kernel for {job.source.name} did not start ({type(exc).__name__}: {exc}); "
                      f"starting a fresh interpreter", file=sys.stderr, flush=True)
                try:
                    loop.run_until_complete(kernel.shutdown())
                except Exception:
                    kernel.kill()
                kernel = FreshKernel(self.cwd, log)
                with self._lock:
                    self._kernels[index] = kernel
                loop.run_until_complete(kernel.start())
            timings.kernel_start = time.perf_counter() - t
            job.kernel_pid, job.forked = kernel.pid, kernel.forked
            t = time.perf_counter()
            modules = self._warm[index]
            if modules:
                loop.run_until_complete(kernel.run_silently(warm_code(modules), timeout=self.timeout))
            timings.warm = time.perf_counter() - t

            t = time.perf_counter()
            if not self._slots.acquire(index):
                job.skipped = True
                return
            try:
                timings.waiting = time.perf_counter() - t
                t = time.perf_counter()
                timings.started_at = t - self._created
                try:
                    papermill_execute(job.source, job.target, self._parameters, kernel, self.timeout)
                    job.ok = True
                except Exception as exc:  # cell error (PapermillExecutionError), timeout, dead kernel
                    job.exception = exc
                    job.error = f"{type(exc).__name__}: {exc}"
                    self._slots.stop()    # as before: the first failure stops the notebooks not yet started
                finally:
                    job.seconds = timings.execute = time.perf_counter() - t
            finally:
                self._slots.release()
                self._alive.release()
                released = True
        except Exception as exc:  # kernel did not start / warm-up failed
            self._slots.drop(index)
            job.exception = exc
            job.error = f"kernel for {job.source.name} did not start: {type(exc).__name__}: {exc}"
            self._slots.stop()
        finally:
            if not released:
                self._alive.release()
            if kernel is not None:
                t = time.perf_counter()
                try:
                    loop.run_until_complete(kernel.shutdown())
                except Exception:
                    kernel.kill()
                timings.shutdown = time.perf_counter() - t
                if job.exception is not None and type(job.exception).__name__ != "PapermillExecutionError":
                    tail = kernel.log_tail()  # a dead kernel, a timeout, a failed start: what the kernel said
                    if tail:
                        job.error += f"\nkernel log:\n{tail}"
                if kernel.log_path is not None:
                    kernel.log_path.unlink(missing_ok=True)
                with self._lock:
                    self._kernels.pop(index, None)
        if job.ok and self.after is not None:
            t = time.perf_counter()
            try:
                self.after(job)
            except Exception as exc:  # reported by the caller; the notebook itself ran fine
                job.after_error = exc
                self._slots.stop()
            timings.export = time.perf_counter() - t
        timings.finished_at = time.perf_counter() - self._created
        if self.on_done is not None and not job.skipped:
            self.on_done(job)
