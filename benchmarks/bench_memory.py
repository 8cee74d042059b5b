"""Memory per screen toggle: the real app and a bare Textual app, each in a pseudo-terminal.

    python benchmarks/bench_memory.py [TOGGLES]        (or: make bench)

For each screen, opens and closes it TOGGLES times (100 unless given) after 10 to warm up,
waiting after each key until the app has drawn, and reports how the process's resident memory
(VmRSS) grew, in MB per open/close. The same for a bare Textual app: a screen with a Footer
pushed and popped, and Textual's command palette opened and closed.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ui import read_until  # noqa: E402

WIDTH, HEIGHT = 120, 40
WARM_UP = 10
QUIET = 0.08  # seconds without output that end one redraw
ESC, CTRL_P = b"\x1b", b"\x10"

OURS = {  # screen → (the key that opens it, the key that closes it)
    "details (d)": (b"d", b"d"),
    "help (?)": (b"?", ESC),
    "generate (g)": (b"g", ESC),
    "atlas (a)": (b"a", ESC),
    "walkthrough (w)": (b"w", ESC),
    "command palette (ctrl+p)": (CTRL_P, ESC),
}
BARE_APP = """
from textual.app import App
from textual.screen import Screen
from textual.widgets import Footer, Static

class Other(Screen):
    BINDINGS = [("o", "app.pop_screen", "Back")]
    def compose(self):
        yield Static("another screen")
        yield Footer()

class Bare(App):
    SCREENS = {"other": Other}
    BINDINGS = [("o", "push_screen('other')", "Other")]
    def compose(self):
        yield Static("a bare app")
        yield Footer()

Bare().run()
"""
BARE = {
    "a Screen with a Footer, pushed and popped": (b"o", b"o"),
    "the command palette (ctrl+p)": (CTRL_P, ESC),
}


def resident_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise SystemExit(f"no VmRSS for process {pid}")


def growth(command: list[str], ready: bytes, keys: tuple[bytes, bytes], toggles: int):
    """(MB at the start, MB per toggle) of `command` toggling a screen with `keys`."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    app = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env,
                           close_fds=True)  # fmt: skip
    os.close(follower)
    try:
        read_until(leader, ready, timeout=60)
        read_until(leader, None, timeout=5)

        def toggle(times: int) -> None:
            for _ in range(times):
                for key in keys:
                    os.write(leader, key)
                    read_until(leader, None, timeout=5, quiet=QUIET)

        toggle(WARM_UP)
        before = resident_mb(app.pid)
        toggle(toggles)
        return before, (resident_mb(app.pid) - before) / toggles
    finally:
        app.kill()
        app.wait()
        os.close(leader)


def main() -> None:
    toggles = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print(f"| screen opened and closed {toggles} times, 120×40 in a pty | MB per toggle |")
    print("| --- | --- |")
    for name, keys in OURS.items():
        command = [sys.executable, "-m", "vqvae_tui"]
        start, per_toggle = growth(command, b"reconstruction loss", keys, toggles)
        print(f"| vqvae-tui: {name} (from {start:.0f} MB) | {per_toggle:+.3f} |", flush=True)
    for name, keys in BARE.items():
        start, per_toggle = growth([sys.executable, "-c", BARE_APP], b"a bare app", keys, toggles)
        print(f"| bare Textual app: {name} (from {start:.0f} MB) | {per_toggle:+.3f} |", flush=True)


if __name__ == "__main__":
    main()
