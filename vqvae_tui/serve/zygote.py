"""The zygote: one process that has imported torch and Textual, loaded the weights and traced
once, with a single thread, which forks a process per session.

Forked children share the zygote's memory page by page until they write to it, so torch, the
weights and the imported modules cost a session almost nothing (the README has the figure).
The zygote never starts a thread: `fork` copies only the thread that calls it, so a thread pool
in the parent (OpenBLAS starts one when numpy is imported, unless told to use one thread) would
leave each child with the pool's locks and none of its threads. Each fork checks it.

The server (`vqvae_tui.serve.ssh` or `.web`) talks to the zygote over a socket pair
(`vqvae_tui.serve.control`); the zygote is the parent of every session, so it reaps them, and it
ends them all when the server asks or goes away.
"""

from __future__ import annotations

import fcntl
import gc
import os
import select
import signal
import socket
import struct
import sys
import termios
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from vqvae_tui.serve import control

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
GRACE = 3.0  # seconds a session has to end after it is asked to, before it is killed
MAX_COLUMNS, MAX_ROWS = 500, 200  # a terminal larger than this is drawn at this size


@dataclass(frozen=True)
class ZygoteOptions:
    weights: Path | None = None  # None: the shipped weights
    max_sessions: int = 30
    idle_timeout: float = 0.0  # seconds without input that end a session (0: never)
    export_dir: Path | None = None  # None: sessions cannot save files


@dataclass
class Child:
    """A session the zygote forked: the server's number for it, and when to kill it."""

    id: int
    kill_at: float | None = None


def start_zygote(options: ZygoteOptions) -> tuple[socket.socket, int]:
    """Fork the zygote: the server's end of the control pair and the zygote's pid. Call it
    before the server starts threads or imports numpy (whose thread pool a fork would break)."""
    assert "numpy" not in sys.modules, "the zygote must import numpy itself, with one thread"
    server_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        server_end.close()
        code = 1
        try:
            code = Zygote(zygote_end, options).run()
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    zygote_end.close()
    return server_end, pid


def thread_names() -> list[str]:
    """The names of this process's threads (from /proc: C threads count too)."""
    names = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as comm:
                names.append(comm.read().strip())
        except FileNotFoundError:  # a thread that has just ended
            pass
    return names


def window(width: int, height: int) -> bytes:
    """A TIOCSWINSZ argument: the size in cells, kept within what a session may ask for."""
    columns = min(max(int(width), 1), MAX_COLUMNS)
    rows = min(max(int(height), 1), MAX_ROWS)
    return struct.pack("HHHH", rows, columns, 0, 0)


class Zygote:
    def __init__(self, sock: socket.socket, options: ZygoteOptions):
        self.control = sock
        self.options = options
        self.children: dict[int, Child] = {}
        self.model = None
        self.latent_models: dict = {}  # the VAE and the autoencoder, shared by the sessions
        self.wake_read, self.wake_write = os.pipe()

    def run(self) -> int:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which asks
        problem = self.warm_up()
        if problem is not None:
            control.send(self.control, {"op": "failed", "error": problem})
            return 2
        for fd in (self.wake_read, self.wake_write):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self.wake_write)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # the wakeup fd says it
        control.send(self.control, {"op": "ready", "pid": os.getpid()})
        return self.serve()

    def warm_up(self) -> str | None:
        """Import and load everything a session needs, so that sessions share it; why not, in
        one line, if the weights cannot be loaded."""
        for name in [name for name in os.environ if name.startswith("TEXTUAL")]:
            del os.environ[name]  # Textual reads these once, at import: sessions get defaults
        os.environ.update(ONE_THREAD)
        import numpy as np
        import torch

        from vqvae_tui.errors import UserError
        from vqvae_tui.model import IMAGE, load, trace_and_straight_through
        from vqvae_tui.serve import session

        torch.set_num_threads(1)
        try:
            self.model = load(self.options.weights)
        except UserError as error:
            return str(error)
        except Exception as error:  # whatever else a weights file can do to a loader
            return f"{self.options.weights}: cannot be loaded ({error!r})"
        trace_and_straight_through(self.model, np.zeros((IMAGE, IMAGE), "f4"))
        self.latent_models = session.shipped_latent_models()
        session.import_screens()
        threads = thread_names()
        if len(threads) != 1:
            return f"the zygote has {len(threads)} threads ({', '.join(threads)}), not one"
        gc.disable()  # collections would touch every object and unshare its page
        return None

    def serve(self) -> int:
        while True:
            now = time.monotonic()
            deadlines = [c.kill_at for c in self.children.values() if c.kill_at is not None]
            timeout = max(0.0, min(deadlines) - now) if deadlines else None
            readable, _, _ = select.select([self.control, self.wake_read], [], [], timeout)
            if self.wake_read in readable:
                self.drain_wakeups()
                self.reap()
            if self.control in readable:
                message, fds = control.receive(self.control)
                if message is None or message.get("op") == "shutdown":
                    return self.shutdown()
                self.handle(message, fds)
            self.kill_overdue()

    def handle(self, message: dict, fds: list[int]) -> None:
        try:
            if message.get("op") == "open":
                self.open(message, fds)
            elif message.get("op") == "hangup":
                self.hangup(int(message["id"]))
        finally:
            for fd in fds:
                os.close(fd)

    def open(self, request: dict, fds: list[int]) -> None:
        answer = {"op": "refused", "id": request.get("id")}
        if len(self.children) >= self.options.max_sessions:
            answer["reason"] = f"the server is full ({self.options.max_sessions} sessions)"
            control.send(self.control, answer)
            return
        threads = thread_names()
        if len(threads) != 1:  # never expected: a fork now would break the child
            answer["reason"] = f"the server cannot start a session ({len(threads)} threads)"
            control.send(self.control, answer)
            return
        request = {**request, "number": int(request["id"])}  # the server logs this number
        if request.get("kind") == "pty":
            master, follower = os.openpty()
            fcntl.ioctl(follower, termios.TIOCSWINSZ, window(request["width"], request["height"]))
            session_fds, give = [follower], [master]
        else:
            session_fds, give = fds, []
        gc.freeze()  # what exists now is shared: the child's collections leave it alone
        pid = os.fork()
        if pid == 0:
            self.become_session(request, session_fds, give)
        self.children[pid] = Child(id=request["id"])
        control.send(self.control, {"op": "opened", "id": request["id"], "pid": pid}, give)
        for fd in give + ([follower] if request.get("kind") == "pty" else []):
            os.close(fd)

    def become_session(self, request: dict, session_fds: list[int], parent_fds: list[int]):
        """In the forked child: drop the zygote's descriptors and signals, run the session."""
        from vqvae_tui.serve import session

        code = 1
        server_log = os.dup(2)  # the server's stderr, for what a student should not see
        try:
            signal.set_wakeup_fd(-1)
            for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_DFL)
            for fd in (*parent_fds, self.wake_read, self.wake_write):
                os.close(fd)
            self.control.close()
            code = session.run_session(
                request, session_fds, self.model, self.options, self.latent_models
            )
        except BaseException as error:
            os.write(server_log, traceback.format_exc().encode())
            os.write(2, f"vqvae-tui: the session failed ({error!r})\r\n".encode())
        finally:
            os._exit(code)

    def hangup(self, id_: int, signum: int = signal.SIGHUP) -> None:
        for pid, child in self.children.items():
            if child.id == id_ or id_ < 0:
                os.kill(pid, signum)
                if child.kill_at is None:
                    child.kill_at = time.monotonic() + GRACE

    def kill_overdue(self) -> None:
        now = time.monotonic()
        for pid, child in self.children.items():
            if child.kill_at is not None and child.kill_at <= now:
                os.kill(pid, signal.SIGKILL)
                child.kill_at = None

    def drain_wakeups(self) -> None:
        try:
            while os.read(self.wake_read, 512):
                pass
        except BlockingIOError:
            pass

    def reap(self) -> None:
        while self.children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return
            child = self.children.pop(pid, None)
            if child is None:
                continue
            code = os.waitstatus_to_exitcode(status)  # a signal's death: minus its number
            try:
                control.send(self.control, {"op": "exited", "id": child.id, "status": code})
            except OSError:  # the server has gone: nobody to tell
                pass

    def shutdown(self) -> int:
        """End every session (SIGTERM: the app quits and gives the terminal back), kill those
        still there after GRACE seconds, reap them all."""
        self.hangup(-1, signal.SIGTERM)
        deadline = time.monotonic() + GRACE
        while self.children and time.monotonic() < deadline:
            select.select([self.wake_read], [], [], max(0.0, deadline - time.monotonic()))
            self.drain_wakeups()
            self.reap()
        for pid in list(self.children):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            child = self.children.pop(pid)
            try:
                control.send(self.control, {"op": "exited", "id": child.id, "status": -9})
            except OSError:
                pass
        try:
            control.send(self.control, {"op": "bye"})
        except OSError:
            pass
        return 0
