"""`vqvae-tui serve --web`: the same app in browsers, with textual-serve.

textual-serve serves the page and its terminal (xterm.js) and speaks to one app process per
browser over the process's stdin and stdout. Here that process is not a new Python that would
import torch and load the weights again: the zygote forks it, with a socket pair as its stdin
and stdout, and the app runs Textual's web driver on them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from types import SimpleNamespace

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from vqvae_tui.serve.control import EXIT_IDLE
from vqvae_tui.serve.journal import duration, log, log_session
from vqvae_tui.serve.link import SessionRefused, ZygoteLink, connected_pair
from vqvae_tui.serve.zygote import GRACE, MAX_COLUMNS, MAX_ROWS


def cells(width: int, height: int) -> tuple[int, int]:
    """A browser's terminal size, kept within what a session may ask for."""
    return min(max(width, 1), MAX_COLUMNS), min(max(height, 1), MAX_ROWS)


class BrowserSession(AppService):
    """One browser's app, forked by the zygote instead of started as a command."""

    def __init__(self, zygote: ZygoteLink, **streams):
        super().__init__("", **streams)
        self.zygote = zygote
        self.id: int | None = None
        self.status: int | None = None

    async def _open_app_process(self, width: int = 80, height: int = 24):
        ours, theirs = connected_pair()
        errors_read, errors_write = os.pipe()
        width, height = cells(width, height)
        request = {"kind": "web", "user": "web", "width": width, "height": height}
        try:
            self.id, _, _ = await self.zygote.open(
                request, self.ended, fds=[theirs.fileno(), errors_write]
            )
        except SessionRefused:
            ours.close()
            os.close(errors_read)
            raise
        finally:
            theirs.close()
            os.close(errors_write)
        loop = asyncio.get_running_loop()
        stdout, self._stdin = await asyncio.open_unix_connection(sock=ours)
        stderr = asyncio.StreamReader()
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(stderr), os.fdopen(errors_read, "rb")
        )
        self._process = SimpleNamespace(stdout=stdout, stderr=stderr)
        return self._process

    def ended(self, status: int) -> None:
        self.status = status

    async def set_terminal_size(self, width: int, height: int) -> None:
        await super().set_terminal_size(*cells(int(width), int(height)))

    async def stop(self) -> None:
        """Ask the app to quit; hang it up if it has not within the grace period."""
        try:
            await asyncio.wait_for(super().stop(), GRACE)
        except asyncio.TimeoutError:
            if self.id is not None:
                self.zygote.hangup(self.id)


class ClassWebServer(Server):
    def __init__(self, zygote: ZygoteLink, host: str, port: int, limits: str, idle: float):
        super().__init__("vqvae-tui", host=host, port=port, title="vqvae-tui")
        self.zygote = zygote
        self.limits = limits
        self.idle_timeout = idle
        self.stopping = False

    def initialize_logging(self) -> None:
        """The command has set up logging: one line per session."""

    async def on_startup(self, app: web.Application) -> None:
        self.zygote.listen()

    async def on_shutdown(self, app: web.Application) -> None:
        self.stopping = True
        await self.zygote.shutdown()

    async def handle_index(self, request: web.Request):
        # The page's websocket and static addresses: the address the browser used.
        self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        started = time.time()
        await websocket.prepare(request)
        session = BrowserSession(
            self.zygote, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
            close=websocket.close, download_manager=self.download_manager,
        )  # fmt: skip
        try:
            await session.start(width, height)
        except SessionRefused as refusal:
            await websocket.send_bytes(f"vqvae-tui: {refusal}\r\n".encode())
            await websocket.close()
            log_session(None, "a browser", request.remote, started, f"refused: {refusal}")
            return websocket
        try:
            await self._process_messages(websocket, session)
        except Exception as error:  # a browser sending what no browser sends
            log.info("browser %s sent what cannot be read: %r", request.remote, error)
        finally:
            await session.stop()
        log_session(session.id, "a browser", request.remote, started, self.reason(session))
        return websocket

    def reason(self, session: BrowserSession) -> str:
        if session.status == EXIT_IDLE:
            return f"closed after {duration(self.idle_timeout)} without input"
        if self.stopping:
            return "the server has stopped"
        if session.status == 0:
            return "quit"
        return "the browser left"

    def serve(self, debug: bool = False) -> None:
        asyncio.run(self.run())

    async def run(self) -> None:
        """Serve until SIGINT or SIGTERM (or the zygote ends)."""
        runner = web.AppRunner(await self._make_app(), handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        port = runner.addresses[0][1]
        print(f"vqvae-tui serve: browsers at http://{self.host}:{port}/ ; {self.limits}")
        print("no login: anyone who can open the address gets a session (Ctrl-C here stops it)")
        print(flush=True, end="")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        ended = asyncio.ensure_future(self.zygote.ended.wait())
        await asyncio.wait([asyncio.ensure_future(stop.wait()), ended],
                           return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
        await runner.cleanup()
