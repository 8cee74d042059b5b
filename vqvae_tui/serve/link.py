"""The server's side of the zygote, for asyncio: start it, open sessions, hear when they end."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable

from vqvae_tui.errors import UserError
from vqvae_tui.serve import control
from vqvae_tui.serve.zygote import ZygoteOptions, start_zygote


class SessionRefused(Exception):
    """The zygote would not open a session (the reason is the message: one line)."""


class ZygoteLink:
    def __init__(self, options: ZygoteOptions):
        """Fork the zygote and wait until it has loaded the model (UserError if it cannot)."""
        self.sock, self.pid = start_zygote(options)
        message, _ = control.receive(self.sock)
        if message is None or message["op"] != "ready":
            self.wait()
            raise UserError(message["error"] if message else "the zygote could not start")
        self.next_id = 0
        self.pending: dict[int, asyncio.Future] = {}
        self.on_exit: dict[int, Callable[[int], None]] = {}  # id → told the exit status
        self.ended = asyncio.Event()  # the zygote has said bye, or gone

    def listen(self) -> None:
        """Start hearing the zygote's answers (inside the server's event loop)."""
        self.sock.setblocking(False)
        asyncio.get_running_loop().add_reader(self.sock.fileno(), self.readable)

    async def open(self, request: dict, on_exit: Callable[[int], None], fds=()):
        """Ask for a session: its id, pid and descriptors (SessionRefused: why not);
        `on_exit` is told its exit status (minus a signal's number; -1: the zygote is gone)."""
        if self.ended.is_set():
            raise SessionRefused("the server is stopping")
        self.next_id += 1
        id_ = self.next_id
        future = asyncio.get_running_loop().create_future()
        self.pending[id_] = future
        self.on_exit[id_] = on_exit
        control.send(self.sock, {**request, "op": "open", "id": id_}, list(fds))
        return await future

    def hangup(self, id_: int) -> None:
        if not self.ended.is_set():
            control.send(self.sock, {"op": "hangup", "id": id_})

    async def shutdown(self) -> None:
        """End every session, then the zygote (it gives each GRACE seconds)."""
        if not self.ended.is_set():
            control.send(self.sock, {"op": "shutdown"})
            await self.ended.wait()
        await asyncio.get_running_loop().run_in_executor(None, self.wait)

    def stop_now(self) -> None:
        """Outside the event loop: end the zygote (and its sessions) if it is still there."""
        if self.sock.fileno() == -1:
            return
        if not self.ended.is_set():
            try:
                control.send(self.sock, {"op": "shutdown"})
            except OSError:
                pass
        self.wait()

    def readable(self) -> None:
        try:
            message, fds = control.receive(self.sock)
        except BlockingIOError:
            return
        if message is None or message["op"] == "bye":
            asyncio.get_running_loop().remove_reader(self.sock.fileno())
            self.ended.set()
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(SessionRefused("the server is stopping"))
            for tell in list(self.on_exit.values()):
                tell(-1)
            return
        id_ = message.get("id")
        future = self.pending.pop(id_, None)
        if message["op"] == "opened" and future is not None and not future.done():
            future.set_result((id_, message["pid"], fds))
            return
        for fd in fds:  # nobody waits for them (the client went while the session opened)
            os.close(fd)
        if message["op"] == "opened":
            self.hangup(id_)
        elif message["op"] == "refused":
            self.on_exit.pop(id_, None)
            if future is not None and not future.done():
                future.set_exception(SessionRefused(message["reason"]))
        elif message["op"] == "exited" and id_ in self.on_exit:
            self.on_exit.pop(id_)(message["status"])

    def wait(self) -> None:
        """Reap the zygote once it has ended."""
        self.sock.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def connected_pair() -> tuple[socket.socket, socket.socket]:
    """A stream socket pair: the server's end and the session's."""
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
