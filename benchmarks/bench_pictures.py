"""Static pictures two ways: rich-pixels (a Static holding `Pixels`) against the project's own
Line-API `Picture`, on what the atlas and the generate screen show.

    python benchmarks/bench_pictures.py        (or: make bench)

Each way runs as the same small app in a real pseudo-terminal at 120×40: the atlas's 20 mean
training windows (12×12) and one 28×28 decoded digit; every `n` shows the next generated digit
(codes drawn from the prior, seeded) and moves the selected tile, as the generate and atlas
screens do. Measured: the bytes of the first frame, the bytes and time of each update (median
of UPDATES), and with NO_COLOR the distinct glyphs the digit is drawn with (one glyph: the
digit cannot be seen).
"""

from __future__ import annotations

import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ui import read_until, visible  # noqa: E402

WIDTH, HEIGHT = 120, 40
UPDATES = 30
WAYS = ("Picture", "rich-pixels")
BLOCKS = set(" ░▒▓█▀▄")  # the glyphs a picture can be drawn with


def run_app(way: str) -> None:
    """The app of one way (in the pty's child process)."""
    import numpy as np
    from PIL import Image
    from rich_pixels import Pixels
    from textual.app import App
    from textual.containers import Grid, Horizontal
    from textual.widgets import Static

    from vqvae_tui.model import atlas_of, decode, load, prior_of, sample_codes
    from vqvae_tui.ui.widgets.picture import Picture

    model = load()
    means = [entry.mean for entry in atlas_of(model.sidecar, 20).codes]
    rng = np.random.default_rng(0)
    prior = prior_of(model.sidecar)
    digits = [decode(model, sample_codes(20, rng, prior)) for _ in range(UPDATES + 1)]
    monochrome = bool(os.environ.get("NO_COLOR"))

    def widget(pixels: np.ndarray):
        if way == "Picture":
            picture = Picture(monochrome=monochrome, pixels=len(pixels))
            picture.show(pixels)
            return picture
        return Static(pixels_of(pixels))

    def pixels_of(pixels: np.ndarray):
        grey = Image.fromarray((np.clip(pixels, 0, 1) * 255 + 0.5).astype(np.uint8))
        return Pixels.from_image(grey.convert("RGB"))

    class Pictures(App):
        CSS = """
        Grid { grid-size: 5; grid-columns: 12; grid-rows: 7; grid-gutter: 0 2; width: 70; }
        Grid > * { width: 12; height: 6; }
        .selected { outline: tall yellow; }
        #digit { width: 28; height: 14; margin-left: 2; }
        """

        def compose(self):
            self.tiles = [widget(mean) for mean in means]
            self.digit = widget(digits[0])
            self.digit.id = "digit"
            self.shown = 0
            with Horizontal():
                with Grid():
                    yield from self.tiles
                yield self.digit
            yield Static("ready", id="ready")

        def on_key(self, event) -> None:
            if event.key != "n":
                return
            self.tiles[self.shown % len(self.tiles)].set_class(False, "selected")
            self.shown += 1
            self.tiles[self.shown % len(self.tiles)].set_class(True, "selected")
            pixels = digits[self.shown % len(digits)]
            if way == "Picture":
                self.digit.show(pixels)
            else:
                self.digit.update(pixels_of(pixels))

    Pictures().run()


def measure(way: str, no_color: bool = False) -> dict:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    if no_color:
        env["NO_COLOR"] = "1"
    app = subprocess.Popen(
        [sys.executable, __file__, "--app", way], stdin=follower, stdout=follower,
        stderr=follower, env=env, close_fds=True,
    )  # fmt: skip
    os.close(follower)
    try:
        first, _ = read_until(leader, b"ready", timeout=60)
        more, _ = read_until(leader, None, timeout=5)
        first += more
        sizes, latencies = [], []
        for _ in range(UPDATES):
            sent = time.perf_counter()
            os.write(leader, b"n")
            data, last = read_until(leader, None, timeout=5)
            if data and last is not None:
                sizes.append(len(data))
                latencies.append((last - sent) * 1000)
        os.write(leader, b"\x11")  # ctrl+q
        app.wait(timeout=10)
    finally:
        if app.poll() is None:
            app.kill()
        os.close(leader)
    glyphs = {c for c in visible(first).decode(errors="replace") if c in BLOCKS} - {" "}
    return {"first": len(first), "sizes": sizes, "latencies": latencies, "glyphs": glyphs}


def main() -> None:
    results = {way: measure(way) for way in WAYS}
    plain = {way: measure(way, no_color=True) for way in WAYS}
    print(
        f"| {WIDTH}×{HEIGHT} in a pty, 20 atlas tiles + a 28×28 digit | " + " | ".join(WAYS) + " |"
    )
    print("| --- | --- | --- |")
    rows = {
        "first frame": lambda r: f"{r['first'] / 1024:.1f} KB",
        f"next digit + tile (median of {UPDATES})": lambda r: (
            f"{statistics.median(r['sizes']) / 1024:.1f} KB, "
            f"{statistics.median(r['latencies']):.1f} ms"
        ),
    }
    for name, cell in rows.items():
        print(f"| {name} | " + " | ".join(cell(results[way]) for way in WAYS) + " |")
    shown = " | ".join(f"{len(plain[way]['glyphs'])} ({''.join(sorted(plain[way]['glyphs']))})"
                       for way in WAYS)  # fmt: skip
    print(f"| NO_COLOR: glyphs the pictures are drawn with | {shown} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--app"]:
        run_app(sys.argv[2])
    else:
        main()
