"""One session, in a process forked from the zygote: the app on its own terminal.

A "pty" session makes the pseudo-terminal the zygote opened its controlling terminal (a new
session, TIOCSCTTY), so a window change reaches it as SIGWINCH and a hang-up as SIGHUP. A "web"
session speaks Textual's web-driver protocol on the pipes of a browser's connection. Either way
the process starts from a clean environment (the terminal's type and colours, nothing else the
client sent), from `/`, and can write files only through the export place of its session.
"""

from __future__ import annotations

import asyncio
import ctypes
import fcntl
import gc
import os
import pkgutil
import re
import signal
import sys
import termios
import time
from importlib import import_module
from pathlib import Path

from textual import events

from vqvae_tui.exports import ExportPlace
from vqvae_tui.serve.control import EXIT_IDLE
from vqvae_tui.ui import app as ui_app
from vqvae_tui.ui.app import VQVAEApp

PR_SET_PDEATHSIG = 1  # prctl: the signal this process gets when its parent dies
NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_.-]+")
MAX_NAME = 32


def import_screens() -> None:
    """Import every module a session may need, in the zygote, so that sessions share them."""
    import vqvae_tui.ui

    for module in pkgutil.walk_packages(vqvae_tui.ui.__path__, "vqvae_tui.ui."):
        import_module(module.name)
    for module in ("vqvae_tui.state", "textual.drivers.linux_driver", "textual.drivers.web_driver"):
        import_module(module)


def shipped_latent_models() -> dict:
    """The shipped VAE and autoencoder with their latent maps, for the sessions to share; a
    kind whose weights cannot be loaded is left out (its screens load it, and say why not)."""
    from vqvae_tui.errors import UserError
    from vqvae_tui.model import load, read_latent_map

    loaded = {}
    for kind in ("vae", "ae"):
        try:
            loaded[kind] = (load(kind=kind), read_latent_map(kind=kind))
        except UserError:
            pass
    return loaded


def session_name(user: str, number: int) -> str:
    """A file-name-safe name for session `number` of `user` (who may be called anything)."""
    safe = NAME_CHARACTERS.sub("_", user).strip("._")[:MAX_NAME] or "user"
    return f"{safe}-{number}"


def environment(request: dict) -> dict[str, str]:
    """The session's whole environment: the terminal's type and colour depth, UTF-8."""
    env = {"PATH": os.defpath, "LANG": "C.UTF-8", "HOME": "/"}
    if request["kind"] == "web":
        env.update(TERM="xterm-256color", COLORTERM="truecolor",
                   COLUMNS=str(request["width"]), ROWS=str(request["height"]))  # fmt: skip
    else:
        env["TERM"] = request["term"]
        if request.get("colorterm"):
            env["COLORTERM"] = request["colorterm"]
    if request.get("no_color"):
        env["NO_COLOR"] = "1"
    return env


class ClassroomApp(VQVAEApp):
    """The app as a served session: it ends after `idle_timeout` seconds without input, and
    quits cleanly (giving the terminal back) on SIGTERM, which the server sends when it stops."""

    # Textual finds CSS files beside the module of the class that names them: the app's
    CSS_PATH = [Path(ui_app.__file__).parent / path for path in VQVAEApp.CSS_PATH]

    def __init__(self, idle_timeout: float, **options):
        self.idle_timeout = idle_timeout
        self.last_input = time.monotonic()
        super().__init__(**options)

    def on_mount(self) -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.exit)
        if self.idle_timeout > 0:
            self.set_interval(min(5.0, self.idle_timeout / 4), self.end_if_idle)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.last_input = time.monotonic()
        await super().on_event(event)

    def end_if_idle(self) -> None:
        if time.monotonic() - self.last_input >= self.idle_timeout:
            signal.alarm(5)  # a session that cannot even quit (a client not reading) is ended
            self.exit(return_code=EXIT_IDLE)


def attach(request: dict, fds: list[int]) -> None:
    """Make the session's terminal (or the browser's pipes) this process's 0, 1 and 2."""
    os.setsid()
    if request["kind"] == "pty":
        [terminal] = fds
        fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)
        streams = (terminal, terminal, terminal)
    else:
        stdio, errors = fds
        streams = (stdio, stdio, errors)
    for target, fd in enumerate(streams):
        os.dup2(fd, target)
    for fd in set(fds) - {0, 1, 2}:
        os.close(fd)


def run_session(request: dict, fds: list[int], model, options, latent_models=None) -> int:
    """Run the app for one session; its exit code (EXIT_IDLE after the idle timeout)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGHUP)  # the zygote gone: this session ends too
    attach(request, fds)
    os.environ.clear()
    os.environ.update(environment(request))
    os.chdir("/")
    gc.enable()
    exports = None
    if options.export_dir is not None:
        name = session_name(request.get("user", "web"), request["number"])
        exports = ExportPlace(options.export_dir, prefix=f"vqvae-tui-{name}")
    app = ClassroomApp(
        options.idle_timeout, model=model, exports=exports, latent_models=latent_models
    )
    if request["kind"] == "web":
        from textual.drivers.web_driver import WebDriver

        app.driver_class = WebDriver
    app.run()
    if app.error:
        print(f"vqvae-tui: {app.error}", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    return app.return_code or 0
