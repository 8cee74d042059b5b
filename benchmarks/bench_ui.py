"""The app in a real pseudo-terminal at 120×40: start-up, and the cost of each stroke update on
the summary, details and VAE screens.

    python benchmarks/bench_ui.py        (or: make bench)

Starts `python -m vqvae_tui` on a pty, waits for the first frame and for the model, then drags
the mouse across the canvas one cell at a time (SGR mouse reports, as a terminal sends them).
After each move it reads until the app has been quiet for QUIET seconds, and records the bytes
the app wrote and the time from the report to the last byte: input event → all panels drawn.
At the end it times `q` until the process has ended (the shell has its terminal back).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import termios
import time

WIDTH, HEIGHT = 120, 40
QUIET = 0.15  # seconds without output that end one update
DRAGS = 3  # drags per screen: ~110 strokes, so the medians hold still from run to run
CANVAS_LEFT, CANVAS_TOP = 2, 2  # 1-based terminal cell of the canvas's top-left pixel pair
ESCAPE = re.compile(rb"\x1b\[[0-9;?<>=$]*[A-Za-z]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")


def visible(data: bytes) -> bytes:
    """The text of terminal output without its escape sequences."""
    return ESCAPE.sub(b"", data)


def read_until(fd: int, needle: bytes | None, timeout: float, quiet: float = QUIET):
    """Read until `needle` arrives (or, with no needle, until quiet): (bytes, last byte time)."""
    data, last = b"", None
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            if needle is None:
                break
            continue
        data += os.read(fd, 65536)
        last = time.perf_counter()
        if needle is not None and needle in visible(data):
            break
    if needle is not None and needle not in visible(data):
        raise SystemExit(f"the app never showed {needle!r}")
    return data, last


def mouse(button: int, x: int, y: int, release: bool = False) -> bytes:
    return f"\x1b[<{button};{x};{y}{'m' if release else 'M'}".encode()


def drag(leader: int) -> tuple[list[int], list[float]]:
    """Drag across the canvas, a cell a move: the bytes and milliseconds of each update."""
    sizes, latencies = [], []
    path = [(4 + i, 3 + i // 3) for i in range(20)] + [(24 - i, 10) for i in range(18)]
    os.write(leader, mouse(0, CANVAS_LEFT + path[0][0], CANVAS_TOP + path[0][1]))
    read_until(leader, None, timeout=5)
    for x, y in path[1:]:
        sent = time.perf_counter()
        os.write(leader, mouse(32, CANVAS_LEFT + x, CANVAS_TOP + y))  # drag with button 1
        data, last = read_until(leader, None, timeout=5)
        if data and last is not None:
            sizes.append(len(data))
            latencies.append((last - sent) * 1000)
    os.write(leader, mouse(0, CANVAS_LEFT + 4, CANVAS_TOP + 10, release=True))
    read_until(leader, None, timeout=5)
    os.write(leader, b"c")  # clear, for the next drag
    read_until(leader, None, timeout=5)
    return sizes, latencies


def drags(leader: int) -> tuple[list[int], list[float]]:
    sizes, latencies = [], []
    for _ in range(DRAGS):
        more_sizes, more_latencies = drag(leader)
        sizes += more_sizes
        latencies += more_latencies
    return sizes, latencies


def main() -> None:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    started = time.perf_counter()
    app = subprocess.Popen(
        [sys.executable, "-m", "vqvae_tui"], stdin=follower, stdout=follower, stderr=follower,
        env=env, close_fds=True,
    )  # fmt: skip
    os.close(follower)
    try:
        _, first = read_until(leader, "Input 28×28".encode(), timeout=30)
        _, ready = read_until(leader, b"reconstruction loss", timeout=30)
        read_until(leader, None, timeout=5)  # let the first full frame settle
        results = {"summary": drags(leader)}
        os.write(leader, b"d")  # the details screen
        read_until(leader, b"straight-through", timeout=10)
        read_until(leader, None, timeout=5)
        results["details"] = drags(leader)
        os.write(leader, b"d")  # back to the summary
        read_until(leader, None, timeout=5)
        os.write(leader, b"z")  # the VAE screen: its input canvas stands where the summary's does
        read_until(leader, b"KL", timeout=30)  # the VAE loads when its screen first needs it
        read_until(leader, None, timeout=5)
        results["vae"] = drags(leader)
        os.write(leader, b"z")  # back to the summary, then quit: q → the shell is back
        read_until(leader, None, timeout=5)
        asked = time.perf_counter()
        os.write(leader, b"q")
        app.wait(timeout=10)
        quit_seconds = time.perf_counter() - asked
    finally:
        if app.poll() is None:
            app.kill()
        os.close(leader)

    print(f"| measure, {WIDTH}×{HEIGHT} in a pty | result | budget |")
    print("| --- | --- | --- |")
    print(f"| first frame after launch | {(first - started):.2f} s | ≤ 1 s |")
    print(f"| model ready after launch | {(ready - started):.2f} s | ≤ 3 s |")
    print(f"| q → the process has ended | {quit_seconds:.2f} s | a bare Textual app's ~0.3 s |")
    budgets = {"summary": 4, "details": 6, "vae": 4}
    for screen, (sizes, latencies) in results.items():
        print(
            f"| {screen}: stroke → all panels drawn (median of {len(latencies)}) |"
            f" {statistics.median(latencies):.1f} ms | ≤ 16 ms |"
        )
        median_kb = statistics.median(sizes) / 1024
        budget = budgets[screen]
        print(f"| {screen}: output per stroke (median) | {median_kb:.1f} KB | ≤ {budget} KB |")
        print(f"| {screen}: output per stroke (max) | {max(sizes) / 1024:.1f} KB | |")


if __name__ == "__main__":
    main()
