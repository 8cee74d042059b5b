"""The SSH server: every connection gets the app on its own pseudo-terminal, nothing else.

asyncssh does the protocol; each session asks the zygote for a process on a new pty and copies
bytes between the SSH channel and the pty's master side, both ways with flow control (a client
that sends faster than its app reads, or reads slower than it draws, slows only itself). A
window change becomes TIOCSWINSZ (the app gets SIGWINCH). Exec, subsystems (sftp, scp), port
forwarding, agent and X11 forwarding are refused. A disconnect closes the pty (the kernel hangs
up the app) and the zygote kills what is still there after a grace period and reaps it.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import signal
import termios
import time

import asyncssh

from vqvae_tui.serve.control import EXIT_IDLE
from vqvae_tui.serve.journal import duration, log, log_session, printable
from vqvae_tui.serve.keys import Logins
from vqvae_tui.serve.link import SessionRefused, ZygoteLink
from vqvae_tui.serve.zygote import window

MAX_INPUT = 64 * 1024  # bytes of input waiting for the app before the client is paused
TERM_NAME = re.compile(r"[A-Za-z0-9._+-]{1,64}")
TRUE_COLOUR = ("truecolor", "24bit")
# what a terminal must be told when its app was killed before it could say it
RESTORE_TERMINAL = b"\x1b[?1000l\x1b[?1003l\x1b[?1006l\x1b[?2004l\x1b[?1049l\x1b[?25h\x1b[0m"


def terminal_problem(term: str | None) -> str | None:
    """Why a session cannot be drawn on the client's terminal, or None."""
    if term is None:
        return "vqvae-tui needs a terminal: connect with ssh -t"
    if not TERM_NAME.fullmatch(term):
        return "your terminal type (TERM) is not a name vqvae-tui knows"
    if term == "dumb":
        return "this terminal (TERM=dumb) cannot draw the app; set TERM=xterm-256color"
    return None


class ClassServer(asyncssh.SSHServer):
    """One connection: its login, and the sessions it opens."""

    def __init__(self, hub: Hub):
        self.hub = hub
        self.peer = "?"
        self.username = ""
        self.who = "?"  # the user name and how they logged in, for the log

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        host, port = conn.get_extra_info("peername")[:2]
        self.peer = f"{host}:{port}"
        self.conn = conn
        self.hub.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        self.hub.connections.discard(self.conn)

    def begin_auth(self, username: str) -> bool:
        self.username = username
        return True  # everyone logs in

    def public_key_auth_supported(self) -> bool:
        return bool(self.hub.logins.keys)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        comment = self.hub.logins.key_comment(key)
        if comment is not None:
            self.who = f"{printable(username)} (key {printable(comment)})"
        return comment is not None

    def password_auth_supported(self) -> bool:
        return bool(self.hub.logins.passwords)

    def validate_password(self, username: str, password: str) -> bool:
        if self.hub.logins.password_matches(username, password):
            self.who = f"{printable(username)} (password)"
            return True
        log.info("login refused: %s from %s, wrong password", printable(username), self.peer)
        return False

    def session_requested(self) -> ClassSession:
        return ClassSession(self)


class ClassSession(asyncssh.SSHServerSession):
    """One channel: the app's pty, the bytes both ways, and the log line at the end."""

    def __init__(self, server: ClassServer):
        self.server = server
        self.hub = server.hub
        self.user = server.username
        self.chan: asyncssh.SSHServerChannel | None = None
        self.term: str | None = None
        self.size = (80, 24)
        self.id: int | None = None
        self.master: int | None = None
        self.input = bytearray()
        self.paused = False  # the client is paused: too much input is waiting
        self.started = time.time()
        self.status: int | None = None  # the app's exit status, once it has ended
        self.drained = False  # all the app wrote has been passed on
        self.gone = False  # the client has disconnected
        self.finished = False

    # ---- what the client asks for ---------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = chan

    def pty_requested(self, term_type, term_size, term_modes) -> bool:
        self.term = term_type
        width, height = term_size[:2]
        self.size = (width or 80, height or 24)  # 0: the client does not know
        return True

    def terminal_size_changed(self, width, height, pixwidth, pixheight) -> None:
        self.size = (width, height)
        if self.master is not None:
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, window(width, height))

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.finish(f"refused: asked to run the command {command[:80]!r}")
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        self.finish(f"refused: asked for the subsystem {subsystem[:80]!r}")
        return False

    def break_received(self, msec: int) -> bool:
        return False

    def session_started(self) -> None:
        self.hub.sessions.add(self)
        asyncio.ensure_future(self.start())

    async def start(self) -> None:
        problem = terminal_problem(self.term)
        if problem is None and self.hub.stopping:
            problem = "the server is stopping"
        if problem is not None:
            self.refuse(problem)
            return
        env = self.chan.get_environment()
        request = {
            "kind": "pty", "user": self.user, "term": self.term,
            "colorterm": env.get("COLORTERM") if env.get("COLORTERM") in TRUE_COLOUR else None,
            "no_color": "NO_COLOR" in env, "width": self.size[0], "height": self.size[1],
        }  # fmt: skip
        try:
            self.id, _, [self.master] = await self.hub.zygote.open(request, self.app_ended)
        except SessionRefused as refusal:
            self.refuse(str(refusal))
            return
        if self.gone:  # the client left while the session opened
            self.close_master()
            self.hub.zygote.hangup(self.id)
            return
        os.set_blocking(self.master, False)
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, window(*self.size))  # changed meanwhile?
        asyncio.get_running_loop().add_reader(self.master, self.output)
        self.write_input()

    def data_received(self, data: bytes, datatype) -> None:
        self.input += data
        self.write_input()

    def eof_received(self) -> bool:
        return True  # no more input (`echo q | ssh -tt …`): the app still ends as it will

    def connection_lost(self, exc: Exception | None) -> None:
        if self.gone:
            return
        self.gone = True
        if self.id is not None and self.status is None:
            self.close_master()  # the kernel hangs up the app; the zygote makes sure
            self.hub.zygote.hangup(self.id)
        elif self.id is None:
            self.finish("disconnected before the session started")
        self.chan.close()

    # ---- bytes both ways ------------------------------------------------------------------

    def write_input(self) -> None:
        """Pass waiting input to the app as fast as it reads; pause the client past
        MAX_INPUT bytes (the SSH window then stops it), resume it when the app has caught up."""
        if self.master is None:
            if len(self.input) > MAX_INPUT:
                del self.input[MAX_INPUT:]  # before the app exists, keep only the start
            return
        loop = asyncio.get_running_loop()
        try:
            while self.input:
                written = os.write(self.master, self.input[:MAX_INPUT])
                del self.input[:written]
        except BlockingIOError:
            pass
        except OSError:  # the app has gone
            self.input.clear()
        loop.remove_writer(self.master)
        if self.input:
            loop.add_writer(self.master, self.write_input)
        if len(self.input) >= MAX_INPUT and not self.paused:
            self.paused = True
            self.chan.pause_reading()
        elif not self.input and self.paused:
            self.paused = False
            self.chan.resume_reading()

    def output(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: the app has ended and closed the terminal
            data = b""
        if not data:
            self.close_master()
            self.drained = True
            self.end_if_done()
            return
        try:
            self.chan.write(data)
        except BrokenPipeError:  # the channel is closing: the client has gone
            self.connection_lost(None)

    def pause_writing(self) -> None:
        """The client reads slower than the app draws: stop reading the app until it catches
        up (the app then waits on its terminal; nobody else does)."""
        if self.master is not None:
            asyncio.get_running_loop().remove_reader(self.master)

    def resume_writing(self) -> None:
        if self.master is not None:
            asyncio.get_running_loop().add_reader(self.master, self.output)

    def close_master(self) -> None:
        if self.master is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self.master)
            loop.remove_writer(self.master)
            os.close(self.master)
            self.master = None

    # ---- the end --------------------------------------------------------------------------

    def app_ended(self, status: int) -> None:
        self.status = status
        if self.gone or status == -1:  # nothing more will come from the pty that matters
            self.close_master()
            self.drained = True
        self.end_if_done()

    def end_if_done(self) -> None:
        if self.status is None or not self.drained:
            return
        status = self.status
        if self.gone:
            reason = "disconnected"
        elif status == EXIT_IDLE:
            reason = f"closed after {duration(self.hub.idle_timeout)} without input"
        elif self.hub.stopping:
            reason = "the server has stopped"
        elif status < 0:
            reason = f"ended by {signal.Signals(-status).name}"
        else:
            reason = "quit" if status == 0 else f"ended with exit status {status}"
        if not self.gone:
            if status < 0:
                self.chan.write(RESTORE_TERMINAL)
            if status != 0:
                self.chan.write(f"vqvae-tui: {reason}\r\n".encode())
            self.chan.exit(max(status, 0) if status >= 0 else 128 - status)
        self.finish(reason)

    def refuse(self, reason: str) -> None:
        """One line to the client, then the channel closes."""
        if not self.gone:
            self.chan.write(f"vqvae-tui: {reason}\r\n".encode())
            self.chan.exit(1)
        self.finish(f"refused: {reason}")

    def finish(self, reason: str) -> None:
        """The one log line of this session."""
        if self.finished:
            return
        self.finished = True
        self.hub.sessions.discard(self)
        log_session(self.id, self.server.who, self.server.peer, self.started, reason)
        self.hub.session_finished.set()


class Hub:
    """What every connection shares: the logins, the zygote, the sessions open now."""

    def __init__(self, logins: Logins, zygote: ZygoteLink, idle_timeout: float):
        self.logins = logins
        self.zygote = zygote
        self.idle_timeout = idle_timeout
        self.sessions: set[ClassSession] = set()
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self.stopping = False
        self.session_finished = asyncio.Event()

    async def stop(self, server) -> None:
        """Stop listening, end every session (each app quits and gives its terminal back),
        then close what is left."""
        self.stopping = True
        server.close()
        await self.zygote.shutdown()
        deadline = time.monotonic() + 2
        while self.sessions and time.monotonic() < deadline:
            self.session_finished.clear()
            try:
                await asyncio.wait_for(self.session_finished.wait(), deadline - time.monotonic())
            except asyncio.TimeoutError:
                break
        for session in list(self.sessions):
            session.finish("the server has stopped")
        for conn in list(self.connections):
            conn.close()
        await server.wait_closed()


async def serve_ssh(host: str, port: int, host_key, logins: Logins, zygote: ZygoteLink,
                    idle_timeout: float, announce) -> None:  # fmt: skip
    """Serve until SIGINT or SIGTERM; `announce(port)` once listening."""
    hub = Hub(logins, zygote, idle_timeout)
    zygote.listen()
    server = await asyncssh.create_server(
        lambda: ClassServer(hub), host, port, server_host_keys=[host_key], encoding=None,
        line_editor=False, agent_forwarding=False, x11_forwarding=False, allow_scp=False,
        gss_host=None, kbdint_auth=False, host_based_auth=False, login_timeout=30,
        keepalive_interval=30, keepalive_count_max=4,
    )  # fmt: skip
    announce(server.get_port())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    ended = asyncio.ensure_future(zygote.ended.wait())
    await asyncio.wait([asyncio.ensure_future(stop.wait()), ended],
                       return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
    await hub.stop(server)
