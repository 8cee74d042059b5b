"""The details screen: live matrices, the code pane linked both ways, losses, straight-through."""

import numpy as np
import pytest
from rich.color import ColorSystem
from scenarios import make_app
from textual.strip import Strip

from vqvae_tui.model import CODE_LABELS, VQVAE, ModelConfig, straight_through
from vqvae_tui.model.steps import STEP_MATRICES, line_of, quantizer_source, steps
from vqvae_tui.ui.colours import code_colour, palette_grey
from vqvae_tui.ui.screens.details import lines_of_panel, panel_of
from vqvae_tui.ui.widgets.matrix import row_levels

FULL = (120, 40)


async def open_details(pilot, digit="3"):
    """Draw a sample and open the details screen; the screen."""
    await pilot.press(digit, "d")
    await pilot.pause()
    await pilot.pause()
    assert pilot.app.screen.id == "details"
    return pilot.app.screen


async def test_d_opens_the_details_and_d_returns(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        details = await open_details(pilot)
        assert app.screen is details
        await pilot.press("d")
        await pilot.pause()
        assert app.screen is not details


async def test_matrices_show_exactly_the_trace(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        details = await open_details(pilot)
        t = app.trace
        matrices = details.matrices
        for field in ("flat", "distances", "selected"):
            np.testing.assert_array_equal(matrices[field].levels, row_levels(getattr(t, field)))
        labels = "".join(matrices["distances"].text(y)[-2:] for y in range(25))[:49]
        assert labels == "".join(CODE_LABELS[c] for c in t.codes)  # the argmin of every row
        assert (t.distances.argmin(axis=1) == t.codes).all()
        d = t.quantized.shape[-1]
        expected = row_levels(t.quantized.reshape(49, d)).reshape(7, 7, d)
        np.testing.assert_array_equal(matrices["quantized"].levels, expected)


async def test_focused_row_shows_its_exact_numbers_and_selects_the_position(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        details = await open_details(pilot)
        details.matrices["distances"].focus()
        await pilot.press("down", "down", "down", "down", "down")
        await pilot.pause()
        assert app.selection.position == 5 and details.linked_matrix == "distances"
        t, text = app.trace, str(details.row.render())
        code = int(t.codes[5])
        assert text.startswith(f"row 5 (0,5) → code {CODE_LABELS[code]}")
        for k in range(20):
            assert f"{CODE_LABELS[k]} {t.distances[5, k]:5.2f}" in text
        await pilot.press("d")  # the same selection on the summary screen
        await pilot.pause()
        assert app.query_one("#codes").cells[5, 1] == 1
        assert app.query_one("#input").patch == 5


async def test_a_code_line_highlights_its_matrix_and_a_matrix_its_lines(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        details = await open_details(pilot)
        code = details.code
        for step in steps():
            code.focus()
            code.cursor = step.line - 1
            await pilot.press("down")
            await pilot.pause()
            assert details.linked_matrix == step.matrix
            assert details.query_one(f"#panel-{panel_of(step.matrix)}").has_class("-linked")
            assert step.line in code.linked
        for field in ("flat", "distances", "selected", "quantized"):
            details.matrices[field].focus()
            await pilot.pause()
            assert details.linked_matrix == field
            assert code.linked == lines_of_panel(field) >= set(line_of(field)) and code.linked
            assert sum(details.query_one(f"#panel-{f}").has_class("-linked") for f in
                       ("flat", "distances", "selected", "quantized")) == 1  # fmt: skip


def test_every_step_marker_maps_to_a_shown_matrix_and_back():
    from vqvae_tui.ui.screens.details import MATRIX_TITLES

    shown = set(MATRIX_TITLES) | {"codes"}  # codes: the argmin labels beside the distances
    assert {step.matrix for step in steps()} <= shown
    assert all(line_of(field) for field in shown)
    assert set(STEP_MATRICES.values()) == shown
    assert "cdist" in quantizer_source().lines[line_of("distances")[0]]


async def test_losses_and_straight_through_are_computed_live(shipped_model):
    app = make_app(shipped_model)
    shown = []
    async with app.run_test(size=FULL) as pilot:
        for digit in "37":
            details = await open_details(pilot, digit)
            text = str(details.losses.render())
            live = straight_through(shipped_model, app.session.image)
            assert f"reconstruction    {live.reconstruction_loss:.5f}" in text
            assert f"codebook          {live.codebook_loss:.5f}" in text
            assert f"commitment β=0.25 {live.commitment_loss:.5f}" in text
            assert live.reconstruction_loss == pytest.approx(
                app.trace.reconstruction_loss, rel=1e-5
            )
            assert live.forward_difference < 1e-6 and live.gradient_difference == 0
            assert f"{live.gradient_norm:.1e}" in text
            shown.append(text)
            await pilot.press("d")
            await pilot.pause()
        assert shown[0] != shown[1]


async def test_drawing_on_the_details_screen_updates_it(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        details = await open_details(pilot)
        before = details.matrices["flat"].levels.copy()
        await pilot.press("c")
        await pilot.mouse_down("#details-input", offset=(3, 3))
        await pilot.hover("#details-input", offset=(12, 5))
        await pilot.mouse_up("#details-input", offset=(12, 5))
        await pilot.pause()
        assert app.session.image[6:12, 3:12].max() > 0.5
        np.testing.assert_array_equal(
            details.canvas.levels,
            (app.session.image * 255 + 0.5).astype(np.uint8),
        )
        assert not np.array_equal(before, details.matrices["flat"].levels)


async def test_details_at_80x24_scroll(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=(80, 24)) as pilot:
        details = await open_details(pilot)
        body = details.query_one("#details-body")
        assert body.max_scroll_y > 0 and body.max_scroll_x > 0


async def test_no_color_matrices_use_shade_glyphs(shipped_model, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        details = await open_details(pilot)
        for field in ("flat", "distances", "selected", "quantized"):
            text = "".join(details.matrices[field].text(y) for y in range(14))
            assert set(text) - set(" ▶") <= set(" ░▒▓█" + "0123456789ABCDEFGHIJ")
            assert "█" in text and "░" in text or "▒" in text


def cells_of(matrix, y: int) -> list[tuple[str, object]]:
    """The (character, style) of each cell of a matrix's line, across its bands."""
    return [
        (character, segment.style)
        for band in matrix.bands
        for segment in band.render_line(y)
        for character in segment.text
    ]


async def test_every_value_cell_shows_its_trace_shade(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        details = await open_details(pilot)
        t = app.trace
        for field in ("flat", "distances", "selected"):
            matrix, levels = (
                details.matrices[field],
                row_levels(getattr(t, field)),
            )
            for y in range(25):
                cells = cells_of(matrix, y)[1 : 1 + levels.shape[1]]
                for column, (character, style) in enumerate(cells):
                    assert character == "▀"
                    for row, colour in ((2 * y, style.color), (2 * y + 1, style.bgcolor)):
                        if row == 49:
                            expected = palette_grey(0)
                        elif field == "distances" and t.codes[row] == column:
                            expected = code_colour(column)  # the argmin, in its code's colour
                        else:
                            expected = palette_grey(int(levels[row, column]))
                        assert colour == expected, (field, row, column)


async def test_matrix_greys_reach_the_terminal_as_palette_numbers(shipped_model):
    """38;5;N, not 38;2;R;G;B: a third fewer bytes for every repainted value."""
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        details = await open_details(pilot)
        band = details.matrices["flat"].bands[0]
        strip = band.render_line(3)
        for line_filter in app.get_line_filters():  # as the compositor does
            strip = strip.apply_filter(line_filter, band.background_colors[1])
        sent = "".join(  # as a truecolor terminal is sent it
            Strip.render_style(segment.style, segment.text, ColorSystem.TRUECOLOR)
            for segment in strip
        )
        assert "38;5;" in sent and "48;5;" in sent and "38;2;" not in sent


async def test_details_fit_other_model_shapes():
    model = VQVAE(ModelConfig(num_codes=5, dim=9)).eval()
    app = make_app(model)
    async with app.run_test(size=FULL) as pilot:
        details = await open_details(pilot)
        t, matrices = app.trace, details.matrices
        assert len(matrices["flat"].text(0)) == 1 + 9
        assert len(matrices["distances"].text(0)) == 1 + 5 + 3
        labels = "".join(matrices["distances"].text(y)[-2:] for y in range(25))[:49]
        assert labels == "".join(CODE_LABELS[c] for c in t.codes)
        grid = matrices["quantized"]
        assert (grid.rows, grid.columns) == (3, 3) and grid.region.width == 7 * 3
        assert [len(grid.text(y)) for y in range(14)] == [21] * 14
        expected = row_levels(t.quantized.reshape(49, 9)).reshape(7, 7, 9)
        np.testing.assert_array_equal(grid.levels[..., :9], expected)


async def test_hovering_any_band_of_a_matrix_selects_its_row_and_links_it(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        details = await open_details(pilot)
        for field, x, y in (("distances", 2, 3), ("distances", 14, 5), ("flat", 16, 9)):
            await pilot.hover(f"#matrix-{field}", offset=(x, y))
            await pilot.pause()
            assert app.selection.position == 2 * y and details.linked_matrix == field
        matrix = details.matrices["flat"]
        assert matrix.text(9).startswith("▶") and not matrix.text(5).startswith("▶")
        await pilot.click("#matrix-selected", offset=(10, 2))
        await pilot.pause()
        assert app.focused is details.matrices["selected"]


async def test_straight_through_runs_once_a_trace_not_at_every_hover(shipped_model, monkeypatch):
    import vqvae_tui.model
    import vqvae_tui.model.passes  # the one pass the app runs for each model

    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        details = await open_details(pilot)
        passes = []
        for module in (vqvae_tui.model, vqvae_tui.model.passes):
            for name in ("straight_through", "trace_and_straight_through"):
                measure = getattr(module, name, None)
                if measure is None:
                    continue

                def counted(model, image, name=name, measure=measure):
                    passes.append((name, image.copy()))
                    return measure(model, image)

                monkeypatch.setattr(module, name, counted)
        for y in range(4):
            await pilot.hover("#matrix-distances", offset=(3, y))
            await pilot.pause()
        assert app.selection.position == 6 and passes == []
        await pilot.press("c")  # a new drawing: one pass for its trace and its straight-through
        await pilot.pause()
        assert [name for name, _ in passes] == ["trace_and_straight_through"]
        assert not passes[0][1].any() and not app.trace.image.any()
        text = str(details.losses.render())
        assert f"codebook          {app.trace.codebook_loss:.5f}" in text
