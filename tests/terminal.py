"""The real app in a real pseudo-terminal, for tests of what a terminal does to it."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

ESCAPES = re.compile(
    rb"\x1b\[[0-9;?<>=$]*[A-Za-z]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9AB]|\x1b[=>]"
)
READY = "reconstruction loss"  # the inspector's words once the model has traced


class Terminal:
    """`python -m vqvae_tui ARGS` (or another `command`) on a pty of `size`, with `env` over a
    clean environment."""

    def __init__(self, *args: str, env: dict | None = None, size=(120, 40), cwd=None,
                 command: list[str] | None = None):  # fmt: skip
        self.leader, follower = pty.openpty()
        width, height = size
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        base = {k: v for k, v in os.environ.items() if k not in ("TERM", "LANG", "LC_ALL")}
        environment = {**base, "TERM": "xterm-256color", "LANG": "C.UTF-8", **(env or {})}
        self.process = subprocess.Popen(
            command or [sys.executable, "-m", "vqvae_tui", *args], stdin=follower, stdout=follower,
            stderr=follower, env=environment, cwd=cwd, close_fds=True,
        )  # fmt: skip
        os.close(follower)
        self.output = b""

    def read(self, timeout: float = 0.2) -> bytes:
        """What the app writes until it has been quiet for `timeout` seconds."""
        data = b""
        while select.select([self.leader], [], [], timeout)[0]:
            try:
                chunk = os.read(self.leader, 65536)
            except OSError:  # the app has gone and closed its side
                break
            if not chunk:
                break
            data += chunk
        self.output += data
        return data

    def text(self) -> str:
        return ESCAPES.sub(b"", self.output).decode(errors="replace")

    def left_behind(self) -> list[str]:
        """The lines the terminal shows once the app has gone: what it wrote after leaving
        its alternate screen (or all it wrote, if it never drew)."""
        after = self.output.rsplit(b"\x1b[?1049l", 1)[-1]
        text = ESCAPES.sub(b"", after).decode(errors="replace")
        return [line for line in text.splitlines() if line.strip()]

    def wait_for(self, words: str, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while words not in self.text() and time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.read()
                break
            self.read(0.1)
        return words in self.text()

    def send(self, data: bytes | str) -> None:
        os.write(self.leader, data.encode() if isinstance(data, str) else data)

    def cpu_seconds(self) -> float:
        """User and system CPU time the app has used."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def ended(self, timeout: float = 60) -> int:
        """The exit code of an app that ends by itself (killed if it has not in `timeout`)."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read(0.1)
        return self.quit()

    def quit(self, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.send("q")
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read(0.1)
        if self.process.poll() is None:
            self.process.kill()
        self.read(0.05)
        os.close(self.leader)
        return self.process.wait()
