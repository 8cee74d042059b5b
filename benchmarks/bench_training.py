"""Training in the app: input while a run trains, and the run's throughput in the app
against `vqvae-tui train` with the same settings.

    python benchmarks/bench_training.py [MNIST_DIR] [--input-only] [--pairs=N]  (or: make bench)

Input: the app in a real pseudo-terminal at 120×40 (as benchmarks/bench_ui.py runs it) starts
a run on the training screen (L, space), waits for its first batch, goes back to the summary
(Esc: the run goes on behind it) and drags the mouse across the canvas, a cell a move: each
move is timed from the report to the last byte of the frame it caused, as in bench_ui.py, while
the child process trains. Throughput: a second run, watched on the training screen to its end,
against the train command with the same settings: the training seconds each sidecar records
(train() times each epoch's batches and validation), in PAIRS pairs, each in turn first: the
median share. --input-only: the strokes alone.
"""

from __future__ import annotations

import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_ui import HEIGHT, WIDTH, drags, read_until  # noqa: E402

from vqvae_tui.model import read_metadata  # noqa: E402
from vqvae_tui.settings import DEFAULTS, command_line  # noqa: E402
from vqvae_tui.settings import SETTINGS as SETTINGS_TABLE  # noqa: E402

EPOCHS = 5  # long enough that the strokes all fall while it trains (an epoch is ~5 s quiet)
SETTINGS = {**DEFAULTS, "epochs": EPOCHS}
PAIRS = 3  # runs in the app against runs of the command: one pair varies by ±15% here
EPOCHS_ROW = [setting.name for setting in SETTINGS_TABLE].index("epochs")


def in_the_app(data: Path, scratch: Path, strokes: bool) -> tuple[list[float], float, float]:
    """A run of the recipe (EPOCHS epochs) started on the training screen. `strokes`: go back
    to the summary and drag across the canvas while it trains behind it, then quit (the
    strokes' times); else watch it on the training screen to its end (its training seconds, and
    the CPU seconds the app's own process spent meanwhile)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    app = subprocess.Popen(
        [sys.executable, "-m", "vqvae_tui", "--data", str(data)], stdin=follower,
        stdout=follower, stderr=follower, env=env, close_fds=True, cwd=scratch,
    )  # fmt: skip
    os.close(follower)
    latencies: list[float] = []
    try:
        read_until(leader, b"reconstruction loss", timeout=60)
        os.write(leader, b"L")
        read_until(leader, b"Settings", timeout=10)
        # the epochs row: down to it, then ← from 55 to 5 (55 → 30 → 20 → 10 → 5)
        os.write(leader, b"j" * EPOCHS_ROW + b"h" * 4 + b" ")
        read_until(leader, b", batch ", timeout=120)  # the first batch seen (quiet: not the 1st)
        if strokes:
            os.write(leader, b"\x1b")  # Esc: back to the summary
            read_until(leader, None, timeout=5)
            _, latencies = drags(leader)
            os.write(leader, b"q")
            app.wait(timeout=30)
            return latencies, 0.0, 0.0
        cpu_before = cpu_seconds(app.pid)
        sidecar = scratch / "runs" / "run-1.json"
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline and not (
            sidecar.exists() and read_metadata(sidecar).get("epochs") == EPOCHS
        ):
            read_until(leader, None, timeout=1, quiet=0.5)
        app_cpu = cpu_seconds(app.pid) - cpu_before
        os.write(leader, b"q")
        app.wait(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
        os.close(leader)
    return latencies, read_metadata(scratch / "runs" / "run-1")["training_seconds"], app_cpu


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has spent so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_the_command(data: Path, out: Path) -> float:
    line = command_line(SETTINGS, data, out).split()
    subprocess.run([sys.executable, "-m", "vqvae_tui", *line[1:]], check=True, capture_output=True)
    return read_metadata(out)["training_seconds"]


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    whole_run = "--input-only" not in sys.argv
    pairs = next((int(a.split("=")[1]) for a in sys.argv if a.startswith("--pairs=")), PAIRS)
    data = Path(arguments[0]) if arguments else ROOT.parent / "shared" / "data" / "mnist"
    data = data.resolve()
    with tempfile.TemporaryDirectory() as scratch:
        latencies, _, _ = in_the_app(data, Path(scratch), strokes=True)
    latencies.sort()
    median = statistics.median(latencies)
    print(f"stroke → all panels drawn while a run trains: median {median:.1f} ms,"
          f" p95 {latencies[int(0.95 * len(latencies))]:.1f} ms, max {latencies[-1]:.1f} ms"
          f" ({len(latencies)} strokes)", flush=True)  # fmt: skip
    if not whole_run:
        return
    shares = []
    for pair in range(pairs):  # in turn first, so neither always has the fresher machine
        with tempfile.TemporaryDirectory() as scratch:
            if pair % 2:
                cli_seconds = with_the_command(data, Path(scratch) / "cli")
            _, app_seconds, app_cpu = in_the_app(data, Path(scratch), strokes=False)
            if not pair % 2:
                cli_seconds = with_the_command(data, Path(scratch) / "cli")
        shares.append(cli_seconds / app_seconds)
        print(f"{EPOCHS} epochs of the recipe: in the app {app_seconds:.1f} s (the app's own"
              f" process {app_cpu / app_seconds:.0%} of a core), `vqvae-tui train`"
              f" {cli_seconds:.1f} s: {shares[-1]:.0%} of the command's", flush=True)  # fmt: skip
    print(
        f"the app's throughput, median of {pairs} pairs: {statistics.median(shares):.0%}"
        " of the command's"
    )


if __name__ == "__main__":
    main()
