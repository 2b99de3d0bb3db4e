"""Starting section kernels quickly: forked from a server that has already imported the
libraries every section notebook uses.

A kernel started the usual way is a new Python process that imports IPython, ipykernel,
NumPy, pandas, Matplotlib, seaborn and SciPy before a notebook's first cell has done anything:
about two and a half seconds of every notebook run, most of a short section's time. Here a
kernel server (one per process that runs notebooks, started by :func:`warm` or by the first
kernel) imports those libraries once (:mod:`riskbrief.kernel_preload`), and each kernel is a
fork of it that sets its own environment, folder and standard error and then starts exactly as
``python -m ipykernel_launcher`` would.

Only third-party libraries are imported ahead: riskbrief's own modules are imported by each
kernel, so an edit to ``src/riskbrief`` is seen by the next notebook run, even in a long-lived
``riskbrief preview``. A forked kernel gives byte-identical executed notebooks to one started
the usual way (``tests/test_kernels.py``).

The server leaves when the process that started it does (it reads end-of-file on its socket),
and each kernel leaves when the server does, as Jupyter's kernels leave when their parent does.
Kernels are started the usual way where this cannot work (no ``fork``, or no process file
descriptors: Linux before 5.3), for a kernel command that is not this interpreter's ipykernel,
and when ``RISKBRIEF_KERNEL_START=exec``.
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

#: ``RISKBRIEF_KERNEL_START``: ``fork`` (the default where it works) or ``exec`` (a new
#: interpreter per kernel, as Jupyter starts them).
MODE_VARIABLE = "RISKBRIEF_KERNEL_START"
_LAUNCHER = "ipykernel_launcher"
_HEADER = struct.Struct("!I")


def forking() -> bool:
    """Whether kernels are forked from the kernel server in this process."""
    mode = os.environ.get(MODE_VARIABLE, "").strip().lower() or "fork"
    if mode not in ("fork", "exec"):
        from riskbrief.errors import InputError

        raise InputError(
            MODE_VARIABLE, f"is {mode!r}; it must be 'fork' or 'exec' (how kernels are started)"
        )
    return mode == "fork" and _supported()


def _supported() -> bool:
    if not hasattr(os, "fork") or not hasattr(os, "pidfd_open"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


def warm() -> None:
    """Start the kernel server now, so its imports run while the build checks its inputs
    (a no-op when kernels are not forked, or the server is running)."""
    if forking():
        _server()


# --- the parent's side ------------------------------------------------------------------------


class _Server:
    """The kernel server process and the socket to it, for the process that started it."""

    def __init__(self, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair()
        self.owner = os.getpid()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"from riskbrief.kernels import serve; serve({theirs.fileno()})",
            ],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            env=env,
        )
        theirs.close()
        self.sock = ours
        self.lock = threading.Lock()

    def fork(self, request: tuple[Any, ...]) -> int:
        with self.lock:
            _send(self.sock, request)
            reply = _recv(self.sock)
        if not isinstance(reply, int):
            raise OSError(f"the kernel server could not start a kernel: {reply}")
        return reply

    def close(self) -> None:
        """End the server (it leaves when its socket closes); kernels it forked follow."""
        self.sock.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


#: What Python, NumPy's maths libraries, Matplotlib and the C library read from the
#: environment when they start or are imported: a kernel must be forked from a server that
#: started with the same values, as a new interpreter would have read them.
_STARTUP_PREFIXES = ("PYTHON", "MPL", "OMP_", "OPENBLAS_", "MKL_", "LC_", "LANG", "TZ")

_lock = threading.Lock()
_servers: dict[tuple[tuple[str, str], ...], _Server] = {}


def _startup_key(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith(_STARTUP_PREFIXES)))


@atexit.register
def _stop() -> None:
    for server in _servers.values():
        if server.owner == os.getpid():
            server.close()


def _server(env: dict[str, str] | None = None) -> _Server:
    """This process's kernel server for kernels with the start-up environment of ``env``
    (default: this process's), started (again) if there is none or it has died."""
    env = dict(os.environ if env is None else env)
    key = _startup_key(env)
    with _lock:
        current = _servers.get(key)
        if current is None or current.owner != os.getpid() or current.process.poll() is not None:
            if current is not None and current.owner == os.getpid():
                current.sock.close()  # it died: let go of its socket
            current = _servers[key] = _Server(env)
        return current


class _ForkedKernel:
    """The parts of :class:`subprocess.Popen` that Jupyter's :class:`LocalProvisioner` uses,
    for a kernel forked by the server (not this process's child: it is watched through a
    process file descriptor, and its exit status is not known, so it reads as 0)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # it has already left
            self._fd = None

    def poll(self) -> int | None:
        return self.wait(0)

    def wait(self, timeout: float | None = None) -> int | None:
        if self._fd is None:
            return 0
        if not select.select([self._fd], [], [], timeout)[0]:
            return None
        os.close(self._fd)
        self._fd = None
        return 0

    def send_signal(self, signum: int) -> None:
        if self._fd is None:
            raise ProcessLookupError(3, "No such process")
        signal.pidfd_send_signal(self._fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def __del__(self) -> None:
        if self._fd is not None:
            os.close(self._fd)


def _ipykernel_argv(cmd: list[str]) -> list[str] | None:
    """The kernel's own arguments when ``cmd`` starts ipykernel in this interpreter, else None."""
    if len(cmd) < 3 or cmd[1] != "-m" or cmd[2] != _LAUNCHER:
        return None
    try:
        same = Path(cmd[0]).samefile(sys.executable)
    except OSError:
        return None
    return list(cmd[3:]) if same else None


class ForkingProvisioner(LocalProvisioner):
    """Jupyter's local provisioner, launching this interpreter's ipykernel as a fork of the
    kernel server; any other kernel command is launched as Jupyter launches it."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        argv = _ipykernel_argv(cmd) if forking() else None
        if argv is None:
            return await super().launch_kernel(cmd, **kwargs)
        stderr = kwargs.get("stderr")
        log = getattr(stderr, "name", None)
        env = dict(kwargs.get("env") or os.environ)
        request = (
            argv,
            env,
            str(kwargs.get("cwd") or Path.cwd()),
            log if isinstance(log, str) else None,
        )
        pid = _server(env).fork(request)
        self.process = _ForkedKernel(pid)  # type: ignore[assignment]
        self.pid = pid
        # the kernel leads its own process group (its first act is setsid), as Jupyter's do:
        # interrupts and kills reach it and anything it started, and nothing else
        self.pgid = pid
        return self.connection_info


# --- the server's side ------------------------------------------------------------------------


def _send(sock: socket.socket, obj: Any) -> None:
    data = pickle.dumps(obj)
    sock.sendall(_HEADER.pack(len(data)) + data)


def _recv_exactly(sock: socket.socket, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _recv(sock: socket.socket) -> Any:
    head = _recv_exactly(sock, _HEADER.size)
    if head is None:
        return None
    body = _recv_exactly(sock, _HEADER.unpack(head)[0])
    return None if body is None else pickle.loads(body)


def serve(fd: int) -> None:
    """The kernel server: import the preloads, then fork one kernel per request until the
    process that started it closes the socket."""
    sock = socket.socket(fileno=fd)
    # kernels are reaped by the system, never left as zombies
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import riskbrief.kernel_preload  # noqa: F401

    while True:
        request = _recv(sock)
        if request is None:
            os._exit(0)
        try:
            pid = os.fork()
        except OSError as exc:
            _send(sock, str(exc))
            continue
        if pid == 0:
            sock.close()
            _run_kernel(*request)
        _send(sock, pid)


def _run_kernel(argv: list[str], env: dict[str, str], cwd: str, log: str | None) -> None:
    """The forked kernel: what ``python -m ipykernel_launcher <argv>`` in ``cwd`` with ``env``
    and standard error to ``log`` would be, from the server's state. Never returns."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if log is not None:
            out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            os.dup2(out, 2)
            os.close(out)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        # `python -m` puts the working folder first on sys.path
        sys.path[0] = str(Path.cwd())
        from ipykernel.kernelapp import IPKernelApp

        # ipykernel read JPY_PARENT_PID when the server imported it: name the parent here,
        # so the kernel leaves if the server (and so the build) goes away
        IPKernelApp.launch_instance(argv=[*argv, f"--IPKernelApp.parent_handle={os.getppid()}"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        import atexit

        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)
