"""`vqvae-tui serve` as a real process on a free loopback port, and real clients for it."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import asyncssh
from terminal import ESCAPES

PASSWORD = ("alice", "wonderland")
LISTENING = re.compile(r"(?:port |http://127\.0\.0\.1:)(\d+)")


class Served:
    """The server, started in its own process group (as a shell starts a foreground job, so
    that `interrupt` is what Ctrl-C does), with a client key and a password it accepts."""

    def __init__(self, directory: Path, *options: str, web: bool = False):
        directory.mkdir(parents=True, exist_ok=True)
        self.client_key = asyncssh.generate_private_key("ssh-ed25519", comment="student")
        self.client_key_path = directory / "student_key"
        self.client_key.write_private_key(self.client_key_path)
        self.client_key_path.chmod(0o600)
        keys = directory / "authorized_keys"
        self.client_key.write_public_key(keys)
        passwords = directory / "passwords"
        passwords.write_text("# the class\n" + ":".join(PASSWORD) + "\n")
        command = [sys.executable, "-m", "vqvae_tui", "serve", "--host", "127.0.0.1",
                   "--port", "0", *options]  # fmt: skip
        if web:
            command.append("--web")
        else:
            command += ["--authorized-keys", str(keys), "--passwords", str(passwords),
                        "--host-key", str(directory / "host_key")]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        self.out: list[str] = []
        self.log: list[str] = []
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.log)):
            threading.Thread(target=self.collect, args=(stream, lines), daemon=True).start()
        self.port = self.wait_for_port()

    @staticmethod
    def collect(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def wait_for_port(self, timeout: float = 90) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.out:
                match = LISTENING.search(line)
                if match:
                    return int(match.group(1))
            if self.process.poll() is not None:
                time.sleep(0.2)  # let the reader threads finish
                break
            time.sleep(0.05)
        raise AssertionError(f"the server did not start: {self.out} {self.log}")

    def sessions(self) -> list[int]:
        """The pids of the session processes: the zygote's children."""
        zygotes = children(self.process.pid)
        return [pid for zygote in zygotes for pid in children(zygote)]

    def wait_log(self, words: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log:
                if words in line:
                    return line
            time.sleep(0.05)
        raise AssertionError(f"no log line with {words!r}: {self.log}")

    def interrupt(self, timeout: float = 30) -> int:
        """Ctrl-C, as the terminal sends it to the whole foreground job; the exit code."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.interrupt()
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def children(pid: int) -> list[int]:
    """The live (not zombie) child processes of `pid`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def zombies_of(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        try:
            with open(f"/proc/{child}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    found.append(child)
        except FileNotFoundError:
            pass
    return found


def wait_until(condition, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


async def eventually(condition, timeout: float = 20) -> bool:
    """`wait_until` for async tests: the event loop (and the clients on it) goes on meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def connect(served: Served, username: str = "alice", key=True, **options):
    """An asyncssh client connection, logged in with the client key (or `password=`, or
    other `client_keys=`)."""
    options.setdefault("client_keys", [served.client_key] if key else [])
    return await asyncssh.connect("127.0.0.1", served.port, username=username,
                                  known_hosts=None, agent_path=None, **options)  # fmt: skip


class AppClient:
    """One SSH session's terminal: what the app has drawn, and keys to send it."""

    def __init__(self, process: asyncssh.SSHClientProcess):
        self.process = process
        self.output = b""

    @classmethod
    async def open(cls, conn, size=(120, 40), term="xterm-256color", **options) -> AppClient:
        process = await conn.create_process(term_type=term, term_size=size, encoding=None,
                                            **options)  # fmt: skip
        return cls(process)

    def text(self, since: int = 0) -> str:
        return ESCAPES.sub(b"", self.output[since:]).decode(errors="replace")

    async def read(self, timeout: float = 0.2) -> bytes:
        """What arrives until nothing has for `timeout` seconds (or the session ends)."""
        data = b""
        while True:
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), timeout)
            except asyncio.TimeoutError:
                break
            if not chunk:
                break
            data += chunk
        self.output += data
        return data

    async def wait_for(self, words: str, timeout: float = 30, since: int = 0) -> bool:
        deadline = time.monotonic() + timeout
        while words not in self.text(since) and time.monotonic() < deadline:
            if self.process.stdout.at_eof():
                break
            await self.read(0.1)
        return words in self.text(since)

    def send(self, data: bytes | str) -> None:
        self.process.stdin.write(data.encode() if isinstance(data, str) else data)

    async def ended(self, timeout: float = 20) -> int | None:
        """The session's exit status once the channel has closed (None: still open)."""
        try:
            await asyncio.wait_for(self.process.wait_closed(), timeout)
        except asyncio.TimeoutError:
            return None
        await self.read(0.05)
        return self.process.exit_status
