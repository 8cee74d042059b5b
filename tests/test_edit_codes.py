"""Editing codes on the Codes grid: the decoder's output follows, the difference map shows it."""

import numpy as np
from scenarios import EDIT, line_text, make_app
from textual import events

from vqvae_tui.model import decode
from vqvae_tui.session import runner_up

FULL = (120, 40)


def levels(pixels) -> np.ndarray:
    return (np.clip(pixels, 0, 1) * 255 + 0.5).astype(np.uint8)


async def select_codes_cell(pilot, moves=("right", "down", "down")):
    await pilot.press("3", "tab", "tab", *moves)  # the Codes grid, position (5,4)
    await pilot.pause()


async def test_typing_a_label_sets_the_code_and_the_output_follows(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await select_codes_cell(pilot)
        position = app.selection.position
        assert position == 5 * 7 + 4 and app.focused is app.screen.grids["codes"]
        t = app.trace
        target = 10 if t.codes[position] != 10 else 11
        await pilot.press("ABCDEFGHIJ"[target - 10])
        await pilot.pause()
        assert app.session.edits == {position: target}
        codes = t.codes.copy()
        codes[position] = target
        edited = decode(shipped_model, codes.reshape(7, 7))
        np.testing.assert_array_equal(app.screen.output.levels, levels(edited))
        own = decode(shipped_model, t.codes.reshape(7, 7))
        np.testing.assert_allclose(own, t.reconstruction, atol=1e-5)
        difference = np.abs(edited - own)
        np.testing.assert_array_equal(app.screen.difference.levels, levels(difference))
        assert app.screen.difference.levels.max() > 0
        # nothing else changed: far from the edited position the difference is exactly zero
        assert difference[:8, :8].max() == 0 and app.screen.difference.levels[:8, :8].max() == 0
        np.testing.assert_array_equal(app.trace.codes, t.codes)  # the Trace is the model's own
        label_row = line_text(app.screen.grids["codes"], 2 * 5)
        assert label_row[2 * 4] == "ABCDEFGHIJ"[target - 10]
        assert line_text(app.screen.grids["codes"], 2 * 5 + 1)[2 * 4 : 2 * 4 + 2] == "<>"
        await pilot.press("right")
        await pilot.pause()
        assert line_text(app.screen.grids["codes"], 2 * 5 + 1)[2 * 4] == "*"  # marked as edited


async def test_plus_minus_wheel_cycle_and_r_resets(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await select_codes_cell(pilot)
        position, nearest = app.selection.position, int(app.trace.codes[app.selection.position])
        await pilot.press("plus")
        await pilot.pause()
        assert app.session.edits == {position: (nearest + 1) % 20}
        await pilot.press("minus")
        await pilot.pause()
        assert app.session.edits == {}  # back to its nearest code: no edit
        await pilot.press("minus", "minus")
        await pilot.pause()
        assert app.session.edits == {position: (nearest - 2) % 20}
        grid = app.screen.grids["codes"]  # the mouse wheel over cell (0,0)
        x, y = grid.region.x, grid.region.y
        grid.post_message(events.MouseScrollDown(grid, 0, 0, 0, 1, 0, False, False, False, x, y))
        await pilot.pause()
        assert app.session.edits[0] == (int(app.trace.codes[0]) + 1) % 20
        await pilot.press("r")
        await pilot.pause()
        assert app.session.edits == {}
        np.testing.assert_array_equal(app.screen.output.levels, levels(app.trace.reconstruction))
        assert app.screen.difference.levels.max() == 0


async def test_runner_up_preview_toggles(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await select_codes_cell(pilot)
        position = app.selection.position
        second = runner_up(app.trace.distances[position])
        await pilot.press("n")
        await pilot.pause()
        assert app.session.edits == {position: second}
        await pilot.press("n")
        await pilot.pause()
        assert app.session.edits == {}


async def test_edit_scenario_is_what_the_snapshot_shows(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press(*EDIT)
        await pilot.pause()
        assert len(app.session.edits) == 2
