"""The summary screen, driven as a user would: drawing, samples, linking, layouts, a storm."""

import numpy as np
import pytest
from scenarios import line_text, make_app
from textual import events

from vqvae_tui.model import CODE_LABELS
from vqvae_tui.session import Selection, runner_up
from vqvae_tui.ui.app import VQVAEApp

FULL = (120, 40)


async def test_model_loads_in_a_worker_after_the_first_frame(shipped_model, monkeypatch):
    import threading

    import vqvae_tui.model

    loading = threading.Event()

    def slow_load(path=None, kind="vqvae"):
        loading.wait(timeout=30)
        return shipped_model

    monkeypatch.setattr(vqvae_tui.model, "load", slow_load)
    app = VQVAEApp()
    async with app.run_test(size=FULL) as pilot:
        await pilot.pause()
        assert app.trace is None  # the UI is up before the model
        assert "loading model" in str(app.query_one("#inspector").render())
        loading.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.trace is not None and app.model is not None
        assert "loading" not in str(app.query_one("#inspector").render())


async def test_bad_weights_exit_with_one_line(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"junk")
    app = VQVAEApp(weights=bad)
    async with app.run_test(size=FULL) as pilot:
        while app.return_code is None:
            await pilot.pause(0.02)
    assert app.return_code == 2
    assert app.error.startswith(str(tmp_path)) and "JSON sidecar" in app.error


def test_no_mouse_flag_runs_the_app_without_mouse(monkeypatch):
    from vqvae_tui import cli

    calls = []
    monkeypatch.setattr(cli, "check_terminal", lambda: None)  # pytest's stdin is no terminal
    monkeypatch.setattr("vqvae_tui.ui.terminal.watch_for_hangup", lambda: None)
    monkeypatch.setattr(VQVAEApp, "run", lambda self, **options: calls.append(options))
    assert cli.main(["--no-mouse"]) == 0 and calls == [{"mouse": False}]
    assert cli.main([]) == 0 and calls[-1] == {"mouse": True}


def test_cli_prints_the_apps_error_as_one_line(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"junk")
    code = (
        "import sys; from vqvae_tui import cli; from vqvae_tui.ui.app import VQVAEApp\n"
        "import vqvae_tui.ui.terminal as terminal; terminal.watch_for_hangup = lambda: None\n"
        "cli.check_terminal = lambda: None  # its stdin is no terminal\n"
        "VQVAEApp.run = lambda self, **kw: setattr(self, 'error', 'boom')\n"
        f"sys.exit(cli.main(['--weights', {str(bad)!r}]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr == "vqvae-tui: boom\n"


async def test_drawing_with_the_mouse_changes_input_and_output(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        before = app.trace.reconstruction.copy()
        await pilot.mouse_down("#input", offset=(8, 3))
        for x in range(9, 20):
            await pilot.hover("#input", offset=(x, 3 + (x - 8) // 2))
        await pilot.mouse_up("#input", offset=(20, 9))
        await pilot.pause()
        assert app.trace.image.sum() > 10
        assert app.trace.image[7, 8] > 0.5  # cell (x=8, y=3) is pixels rows 6-7
        assert np.abs(app.trace.reconstruction - before).max() > 0.1
        np.testing.assert_array_equal(app.trace.image, app.session.image)
        # the right button erases
        await pilot.mouse_down("#input", offset=(8, 3), button=3)
        await pilot.mouse_up("#input", offset=(8, 3))
        await pilot.pause()
        assert app.trace.image[7, 8] < 0.05


async def test_drawing_with_the_keyboard(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("space")  # paints at the cursor, the canvas centre
        await pilot.pause()
        assert app.trace.image[14, 14] == pytest.approx(1.0)
        await pilot.press("p", *["right"] * 6, "p", *["down"] * 5)
        await pilot.pause()
        assert app.trace.image[14, 14:21].min() > 0.9  # drawn while the pen was down
        assert app.trace.image[17:20, 20].max() == 0  # not after it was lifted
        assert app.query_one("#input").cursor == (19, 20)
        await pilot.press("x")
        await pilot.pause()
        assert app.trace.image[19, 20] == 0
        await pilot.press("u")  # undo the erase
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert app.trace.image.max() == 0
        await pilot.press("u")
        await pilot.pause()
        assert app.trace.image[14, 17] > 0.9


@pytest.mark.parametrize("digit", [str(d) for d in range(10)])
async def test_each_sample_key_draws_a_digit_the_model_reconstructs(shipped_model, digit):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press(digit)
        await pilot.pause()
        t = app.trace
        assert t.image.sum() > 40
        assert t.reconstruction_loss < 0.015
        assert t.reconstruction_loss == pytest.approx(
            float(((t.reconstruction - t.image) ** 2).mean())
        )


async def test_samples_animate_stroke_by_stroke(shipped_model):
    app = VQVAEApp(model=shipped_model)
    app.animation_level = "full"
    async with app.run_test(size=FULL) as pilot:
        app.screen.action_sample("8")
        drawn = []
        while app.session.sample:
            drawn.append(app.session.image.sum())
            await pilot.pause(0.01)
        assert len(drawn) >= 3 and drawn == sorted(drawn) and drawn[-1] < app.session.image.sum()
        app.screen.play_sample()  # a tick queued before the timer stopped: nothing to draw
        await pilot.pause()
        assert app.is_running


def inspector_text(app) -> str:
    return str(app.query_one("#inspector").render())


async def test_hover_and_cursor_select_the_same_position_and_inspector_tells_the_trace(
    shipped_model,
):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.hover("#codes", offset=(2 * 4, 2 * 3))  # row 3, column 4
        await pilot.pause()
        hovered = app.selection
        assert hovered == Selection(position=3 * 7 + 4)
        text_by_hover = inspector_text(app)

        await pilot.press("escape")
        app.query_one("#features").focus()
        await pilot.press("right")  # from the centre (3,3) to (3,4)
        await pilot.pause()
        assert app.selection == hovered
        assert inspector_text(app) == text_by_hover

        t, p = app.trace, hovered.position
        code, second = int(t.codes[p]), runner_up(t.distances[p])
        third = int(np.argsort(t.distances[p], kind="stable")[2])
        assert code == int(t.distances[p].argmin())
        expected = (
            f"(3,4) → code  {CODE_LABELS[code]}  d²={t.distances[p, code]:.2f}; runner-up "
            f" {CODE_LABELS[second]}  d²={t.distances[p, second]:.2f}; then "
            f" {CODE_LABELS[third]}  d²={t.distances[p, third]:.2f}"
        )
        assert text_by_hover.splitlines()[0] == expected
        for kind in ("features", "codes", "quantized"):
            grid = app.query_one(f"#{kind}")
            assert line_text(grid, 2 * 3 + 1)[8:10] == "<>"  # marked in all three grids
        assert app.query_one("#input").patch == p and app.query_one("#output").patch == p
        assert line_text(app.query_one("#codebook"), code).startswith("▶")


async def test_selecting_a_codebook_row_marks_exactly_its_positions(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("5")
        await pilot.pause()
        codes = app.trace.codes
        code = int(np.bincount(codes).argmax())
        await pilot.hover("#codebook", offset=(5, code))
        await pilot.pause()
        assert app.selection == Selection(code=code)
        grid = app.query_one("#codes")
        marked = [
            row * 7 + col
            for row in range(7)
            for col in range(7)
            if line_text(grid, 2 * row + 1)[2 * col : 2 * col + 2] == "··"
        ]
        assert marked == list(np.flatnonzero(codes == code))
        assert f"is used by {len(marked)} of 49 positions" in inspector_text(app)
        app.query_one("#codebook").focus()
        await pilot.press("down")
        await pilot.pause()
        assert app.selection == Selection(code=(code + 1) % 20)


async def test_layouts_full_compact_and_too_small(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        assert app.screen.layout_name == "full"
        assert (
            app.query_one("#features-panel").display and app.query_one("#quantized-panel").display
        )
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.screen.layout_name == "compact"
        assert app.query_one("#codes-panel").region.width > 0
        assert app.query_one("#output-panel").region.right <= 80
        assert app.query_one("#features-panel").region.width == 0
        codebook = app.query_one("#codebook")
        assert codebook.region.height == 2  # the codebook became a one-line strip with counts
        assert line_text(codebook, 0).split() == [*"0123456789ABCDEFGHIJ"]
        counts = [int(n) for n in line_text(codebook, 1).split()]
        assert counts == np.bincount(app.trace.codes, minlength=20).tolist()
        await pilot.press("v")  # the compact layout shows one grid at a time
        await pilot.pause()
        assert app.query_one("#quantized-panel").region.width > 0
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert app.screen.layout_name == "tiny"
        notice = str(app.query_one("#too-small").render())
        assert "Enlarge the terminal to at least 80×24 (now 60×20)" in notice
        assert app.query_one("#figure").region.height == 0
        await pilot.resize_terminal(*FULL)
        await pilot.pause()
        assert app.screen.layout_name == "full" and app.query_one("#figure").region.height == 16


async def test_no_color_pictures_use_shade_glyphs(shipped_model, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("1")
        await pilot.pause()
        rows = [line_text(app.query_one("#input"), y) for y in range(14)]
        assert any("█" in row for row in rows) and all(set(row) <= set(" ░▒▓█▀▄") for row in rows)
        app.query_one("#codes").focus()
        await pilot.press("right")
        await pilot.pause()
        assert "<>" in line_text(app.query_one("#codes"), 7)  # selection by glyph, not colour


@pytest.mark.parametrize("after", [("question_mark",), ("d",), ("g",), ("a", "d"), ("ctrl+p",)])
async def test_keys_queued_behind_quit_do_nothing(shipped_model, after):
    app = make_app(shipped_model)
    pushed = []
    async with app.run_test(size=FULL) as pilot:
        await pilot.pause()
        push = app.push_screen
        app.push_screen = lambda screen, *a, **k: (pushed.append(screen), push(screen, *a, **k))[1]
        for name in ("q", *after):
            app.post_message(events.Key(name, "?" if name == "question_mark" else None))
        await pilot.pause()
    assert app.return_code == 0 and pushed == []


async def test_any_failure_to_load_the_model_ends_the_app_with_one_line(monkeypatch):
    import vqvae_tui.model

    def broken(path=None):
        raise RecursionError("maximum recursion depth exceeded while decoding a JSON object")

    monkeypatch.setattr(vqvae_tui.model, "load", broken)
    app = VQVAEApp(weights="deep.json")
    async with app.run_test(size=FULL) as pilot:
        while app.return_code is None:
            await pilot.pause(0.02)
    assert app.return_code == 2 and "\n" not in app.error
    assert app.error.startswith("deep.json: cannot be loaded (RecursionError(")


def test_after_the_app_python_skips_its_slow_last_collection(monkeypatch):
    """Quitting waited a second for Python's final garbage collection over torch's objects;
    the benchmark bench_ui.py measures the time from q to the shell."""
    import gc

    from vqvae_tui import cli

    frozen = []
    monkeypatch.setattr(cli, "check_terminal", lambda: None)  # pytest's stdin is no terminal
    monkeypatch.setattr("vqvae_tui.ui.terminal.watch_for_hangup", lambda: None)
    monkeypatch.setattr(VQVAEApp, "run", lambda self, **options: None)
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    assert cli.main([]) == 0 and frozen == [True]
