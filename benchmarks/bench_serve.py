"""A class on one machine: `vqvae-tui serve` with 30 real SSH sessions drawing at once.

    python benchmarks/bench_serve.py [SESSIONS] [SECONDS]      (or: make bench)

Starts the server on a free loopback port and SESSIONS OpenSSH clients (`ssh -tt`), each in
its own 120×40 pseudo-terminal, as students' terminals would be. Memory: the proportional set
size (PSS, from /proc/PID/smaps_rollup) of the whole server — front end, zygote and sessions —
with one session and with all of them; the difference over the extra sessions is what each one
costs. Load: every client drags the mouse across its canvas for SECONDS, one cell a move, and
after each move reads until its app has been quiet for QUIET seconds; the time from the move to
the last byte is that stroke's latency (input → screen). Bounded: a time limit on every wait.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

import asyncssh

WIDTH, HEIGHT = 120, 40
QUIET = 0.1  # seconds without output that end one update
CANVAS_LEFT, CANVAS_TOP = 2, 2  # 1-based terminal cell of the canvas's top-left pixel pair
READY = b"reconstruction loss"
ESCAPE = re.compile(rb"\x1b\[[0-9;?<>=$]*[A-Za-z]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")
PATH = [(4 + i, 3 + i // 3) for i in range(20)] + [(24 - i, 10) for i in range(18)]


def mouse(button: int, x: int, y: int, release: bool = False) -> bytes:
    return f"\x1b[<{button};{CANVAS_LEFT + x};{CANVAS_TOP + y}{'m' if release else 'M'}".encode()


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError):
                pass
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent]
        found += children
        frontier += children
    return found


class Client:
    """One student: `ssh -tt` on a pty of WIDTH×HEIGHT."""

    def __init__(self, command: list[str]):
        self.leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
        self.process = subprocess.Popen(command, stdin=follower, stdout=follower,
                                        stderr=follower, close_fds=True)  # fmt: skip
        os.close(follower)
        os.set_blocking(self.leader, False)
        self.seen = b""
        self.step = 0
        self.sent_at: float | None = None
        self.last_byte: float | None = None
        self.latencies: list[float] = []

    def read(self) -> bytes:
        try:
            data = os.read(self.leader, 65536)
        except (BlockingIOError, OSError):
            return b""
        if len(self.seen) < 1_000_000:
            self.seen += data
        return data

    def wait_ready(self, deadline: float) -> None:
        while READY not in ESCAPE.sub(b"", self.seen):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"a session never became ready: {self.seen[-300:]!r}")
            select.select([self.leader], [], [], 0.2)
            self.read()

    def move(self) -> None:
        """The next drag step (the button goes down at the start of each pass)."""
        x, y = PATH[self.step % len(PATH)]
        button = 0 if self.step % len(PATH) == 0 else 32
        os.write(self.leader, mouse(button, x, y))
        self.step += 1
        self.sent_at, self.last_byte = time.perf_counter(), None

    def close(self) -> None:
        try:
            os.write(self.leader, b"q")
        except OSError:
            pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.leader)


def server_pss(server: subprocess.Popen) -> tuple[int, int, list[int]]:
    """(total PSS of the server's processes in kB, sessions, PSS of each session)."""
    tree = [server.pid, *descendants(server.pid)]
    children = [pid for pid in descendants(server.pid) if pid != zygote_of(server)]
    return sum(pss_kb(pid) for pid in tree), len(children), [pss_kb(pid) for pid in children]


def zygote_of(server: subprocess.Popen) -> int:
    with open(f"/proc/{server.pid}/task/{server.pid}/children") as children:
        return int(children.read().split()[0])


def drive(clients: list[Client], seconds: float) -> None:
    """Every client drags continuously: a move, then read until QUIET, then the next move."""
    by_fd = {client.leader: client for client in clients}
    for client in clients:
        client.move()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        ready, _, _ = select.select(list(by_fd), [], [], 0.01)
        now = time.perf_counter()
        for fd in ready:
            client = by_fd[fd]
            if client.read():
                client.last_byte = time.perf_counter()
        for client in clients:
            quiet_since = client.last_byte or client.sent_at
            if now - quiet_since >= QUIET:
                if client.last_byte is not None:
                    client.latencies.append((client.last_byte - client.sent_at) * 1000)
                client.move()


def main() -> None:
    sessions = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20
    if shutil.which("ssh") is None:
        raise SystemExit("the OpenSSH client (ssh) is needed: make test-tools")
    work = Path(tempfile.mkdtemp(prefix="vqvae-tui-bench-serve-"))
    key = asyncssh.generate_private_key("ssh-ed25519", comment="bench")
    key.write_private_key(work / "key")
    (work / "key").chmod(0o600)
    key.write_public_key(work / "authorized_keys")
    server = subprocess.Popen(
        [sys.executable, "-m", "vqvae_tui", "serve", "--host", "127.0.0.1", "--port", "0",
         "--authorized-keys", str(work / "authorized_keys"), "--host-key", str(work / "hk"),
         "--max-sessions", str(sessions), "--idle-timeout", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    clients: list[Client] = []
    try:
        port = None
        started = time.monotonic()
        for line in server.stdout:
            match = re.search(r"port (\d+)", line)
            if match:
                port = int(match.group(1))
                break
        if port is None:
            raise SystemExit("the server did not start")
        startup = time.monotonic() - started
        command = ["ssh", "-tt", "-o", "StrictHostKeyChecking=no", "-o",
                   "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                   "-i", str(work / "key"), "-p", str(port)]  # fmt: skip
        deadline = time.monotonic() + 120
        clients.append(Client([*command, "student0@127.0.0.1"]))
        clients[0].wait_ready(deadline)
        time.sleep(1)
        one_total, _, one_session = server_pss(server)
        opened = time.monotonic()
        for number in range(1, sessions):
            clients.append(Client([*command, f"student{number}@127.0.0.1"]))
        for client in clients:
            client.wait_ready(deadline)
        all_ready = time.monotonic() - opened
        time.sleep(2)
        idle_total, count, idle_sessions = server_pss(server)
        drive(clients, seconds)
        time.sleep(1)
        drawn_total, _, drawn_sessions = server_pss(server)
    finally:
        for client in clients:
            client.close()
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    latencies = [ms for client in clients for ms in client.latencies]
    medians = [statistics.median(c.latencies) for c in clients if c.latencies]
    extra = sessions - 1
    print(f"| measure, {sessions} SSH sessions at {WIDTH}×{HEIGHT} on loopback | result | budget |")
    print("| --- | --- | --- |")
    print(f"| server start → listening (zygote loaded) | {startup:.1f} s | |")
    print(f"| {extra} more sessions → all drawn | {all_ready:.1f} s | |")
    print(f"| PSS of the server, 1 session | {one_total / 1024:.0f} MB | |")
    for label, total, each in (("idle", idle_total, idle_sessions),
                               ("after drawing", drawn_total, drawn_sessions)):  # fmt: skip
        print(f"| PSS per extra session, {label} ((total − 1-session total) / {extra}) |"
              f" {(total - one_total) / extra / 1024:.1f} MB | ≤ 30 MB |")  # fmt: skip
        print(f"| PSS of one session process, {label} (median) |"
              f" {statistics.median(each) / 1024:.1f} MB | |")  # fmt: skip
    print(f"| strokes drawn in {seconds:g} s (all sessions) | {len(latencies)} | |")
    print(f"| stroke → screen, median over all sessions | {statistics.median(latencies):.0f} ms |"
          " ≤ 50 ms |")  # fmt: skip
    print(f"| stroke → screen, p90 over all sessions | "
          f"{statistics.quantiles(latencies, n=10)[-1]:.0f} ms | |")  # fmt: skip
    print(f"| stroke → screen, median of the slowest session | {max(medians):.0f} ms | ≤ 50 ms |")
    print(
        f"| (sessions counted: {count}; first session's PSS {one_session[0] / 1024:.1f} MB) | | |"
    )


if __name__ == "__main__":
    main()
