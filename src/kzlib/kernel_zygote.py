"""Fork server for report kernels: a process that has imported ipykernel and the notebooks' modules once
and forks a fresh kernel process per request (`python -m kzlib.kernel_zygote`; used by kzlib.kernels).

Protocol, one JSON object per line. First request: {"preload": [module, ...]}; answer {"ready": true,
"failed": [modules that did not import]}. Then per kernel: {"argv": [...ipykernel arguments...], "cwd": dir,
"env": {...}, "log": file or null}; answer {"pid": n} or {"error": text}. End of input ends the server.

Each child is a new session (its own process group, like jupyter_client's kernels), has SIGCHLD and SIGINT
back to their defaults, its cwd, environment and log as asked, numpy's global random state re-seeded, and
runs ipykernel's own entry point. It never ran any notebook code before: the only thing it shares with its
siblings is the modules imported here, exactly as a fresh interpreter would have imported them. The server
ignores SIGCHLD (children are reaped by the system); a kernel whose server went away sees its parent become
init and exits (ipykernel's parent poller watches JPY_PARENT_PID, set to this server).
"""

from __future__ import annotations

import json
import os
import signal
import sys


def _child(request: dict) -> None:
    """In the forked child: become the kernel; never returns."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as in a fresh interpreter
        devnull = os.open(os.devnull, os.O_RDWR)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600) if request.get("log") else devnull
        os.dup2(devnull, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if "numpy" in sys.modules:  # the legacy global RandomState was seeded in the server
            sys.modules["numpy"].random.seed()
        import importlib.util

        launcher = importlib.util.find_spec("ipykernel_launcher")
        # ipykernel reads JPY_PARENT_PID into a trait default when it is imported (here, in the server,
        # before any kernel had one): give it on the command line, so the parent poller watches the server
        parent = request["env"].get("JPY_PARENT_PID") or str(os.getppid())
        sys.argv = [launcher.origin if launcher else "ipykernel_launcher", *request["argv"],
                    f"--IPKernelApp.parent_handle={int(parent)}"]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # noqa: BLE001 - report anything, then leave
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _preload(modules: list[str]) -> list[str]:
    import importlib

    failed = []
    for name in ["ipykernel.kernelapp", *modules]:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - not a module (a name imported from one), or broken
            failed.append(name)
    return failed


def serve(requests, answers) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        if "preload" in request:
            answer = {"ready": True, "failed": _preload(request["preload"])}
        else:
            try:
                pid = os.fork()
            except OSError as exc:
                answer = {"error": f"fork failed: {exc}"}
            else:
                if pid == 0:
                    _child(request)
                answer = {"pid": pid}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main() -> None:
    # like ipykernel_launcher: no working directory on the path while loading (the kernel adds it back)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    requests, answers = sys.stdin, sys.stdout
    # the kernels must not inherit the protocol pipes as their stdout: keep them on other descriptors
    sys.stdout = sys.stderr
    serve(requests, answers)
    # end of input: leave at once (the kernels are separate processes; nothing here needs finalizing)
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
