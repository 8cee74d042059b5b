"""Codebooks of up to K=64 codes of up to D=64 values, on every screen of the explainer: one
character and one colour per code, a codebook that scrolls or compacts, matrices that scroll
sideways, labels typed on the Codes grid, the tour and generated codes."""

import numpy as np
import pytest
from rich.color import ColorSystem
from scenarios import WIDE, WIDE_DETAILS, line_text, make_app
from textual.widgets import Static

from vqvae_tui.model import load
from vqvae_tui.model.config import CODE_LABELS
from vqvae_tui.ui.colours import CODE_COLOURS, code_colour
from vqvae_tui.ui.screens.walkthrough import TOUR_LENGTH, TOUR_STEPS
from vqvae_tui.ui.widgets.codebook import compact_cell, count_bar, heat_layout

FULL, COMPACT = (120, 40), (80, 24)
SELECT = ("3", "tab", "right", "down")  # a sample 3, then position (4,4) from the Features grid


def app_of(wide_weights, name):
    path = wide_weights[name]
    return make_app(load(path), weights=path)


def test_one_character_and_one_colour_per_code():
    assert len(CODE_LABELS) == len(set(CODE_LABELS)) == 64
    assert all(len(label) == 1 and label.isprintable() and label != " " for label in CODE_LABELS)
    assert CODE_LABELS[:36] == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # as before, for K ≤ 36
    assert len(CODE_COLOURS) == len(CODE_LABELS) and len(set(CODE_COLOURS)) == 64
    # where a terminal has only 256 colours, codes past 20 keep colours of their own (of the
    # first 20, tab20's, A and J share one there: their labels tell them apart)
    eight_bit = [code_colour(c).downgrade(ColorSystem.EIGHT_BIT).number for c in range(64)]
    assert len(set(eight_bit[20:])) == 44 and not set(eight_bit[20:]) & set(eight_bit[:20])


def test_codebook_layouts():
    assert [heat_layout(d) for d in (8, 16, 17, 32, 33, 64)] == [
        (2, 1), (2, 1), (1, 1), (1, 1), (1, 2), (1, 2),
    ]  # fmt: skip
    assert [compact_cell(k, 80) for k in (20, 21, 40, 41, 64)] == [4, 2, 2, 1, 1]
    assert [count_bar(c, 20) for c in (0, 1, 10, 20)] == ["·", "▁", "▄", "█"]


def viewport(scroller) -> range:
    return range(
        int(scroller.scroll_y), int(scroller.scroll_y) + scroller.scrollable_content_region.height
    )


@pytest.mark.parametrize("name", WIDE)
async def test_the_summary_at_120x40(wide_weights, name):
    num_codes, dim = WIDE[name]
    app = app_of(wide_weights, name)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press(*SELECT)
        await pilot.pause()
        summary, t = app.screen, app.trace
        position = app.selection.position
        code = int(t.codes[position])
        codebook = summary.codebook
        assert codebook.highlighted == code and codebook.size.height == num_codes
        assert codebook.size.width <= 4 + 32  # any D in 32 columns
        scroller = summary.query_one("#codebook-scroll")
        assert scroller.max_scroll_y > 0 and code in viewport(scroller)  # its row in view
        assert summary.query_one("#codebook-panel").border_subtitle.endswith("↕")
        assert summary.query_one("#codebook-panel").region.bottom <= FULL[1] - 1  # the footer
        labels = "".join(line_text(summary.grids["codes"], 2 * row)[::2] for row in range(7))
        assert labels == "".join(CODE_LABELS[c] for c in t.codes)
        inspector = summary.inspector
        lines = str(inspector.render()).split("\n")
        assert len(lines) == 3 and max(map(len, lines)) <= inspector.size.width
        assert summary.query_one("#difference-panel").region.right <= FULL[0]
        # the keyboard walks the codebook round: its rows follow
        await pilot.press("tab", "tab", "tab")  # Features → Codes → Quantized → Codebook
        await pilot.pause()
        assert app.focused is codebook
        for _ in range(code + 1):
            await pilot.press("up")
        await pilot.pause()
        assert app.selection.code == num_codes - 1
        assert num_codes - 1 in viewport(scroller)
        await pilot.press("down")
        await pilot.pause()
        assert app.selection.code == 0 and 0 in viewport(scroller)


@pytest.mark.parametrize("name", WIDE)
async def test_the_summary_at_80x24_shows_every_code_in_one_strip(wide_weights, name):
    num_codes, _ = WIDE[name]
    app = app_of(wide_weights, name)
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.press(*SELECT)
        await pilot.pause()
        codebook, t = app.screen.codebook, app.trace
        cell = compact_cell(num_codes, COMPACT[0])
        assert line_text(codebook, 0)[: num_codes * cell : cell] == CODE_LABELS[:num_codes]
        counts = np.bincount(t.codes, minlength=num_codes)
        shown = line_text(codebook, 1)[: num_codes * cell : cell]
        assert shown == "".join(count_bar(int(c), int(counts.max())) for c in counts)
        assert codebook.region.right <= COMPACT[0]
        lines = str(app.screen.inspector.render()).split("\n")
        assert max(map(len, lines)) <= app.screen.inspector.size.width
        await pilot.hover("#codebook", offset=(cell * (num_codes - 1), 0))
        await pilot.pause()
        assert app.selection.code == num_codes - 1  # the last code, under the pointer


@pytest.mark.parametrize("name", WIDE)
async def test_the_details_screen(wide_weights, name):
    num_codes, dim = WIDE[name]
    app = app_of(wide_weights, name)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press(*WIDE_DETAILS)
        await pilot.pause()
        details, t = app.screen, app.trace
        distances = details.matrices["distances"]
        assert app.focused is distances and app.selection.position == 10
        assert len(distances.text(0)) == 1 + num_codes + 3
        assert details.matrices["flat"].region.width == 1 + dim
        labels = "".join(distances.text(y)[-2:] for y in range(25))[:49]
        assert labels == "".join(CODE_LABELS[c] for c in t.codes)
        assert distances.region.x >= 0 and distances.region.right <= FULL[0]  # scrolled to
        row = details.row.render().plain.split("\n")
        assert len(row) <= 8 and max(map(len, row)) <= 30  # the panel: 8 lines of 30
        if num_codes > 21:
            nearest = np.argsort(t.distances[10], kind="stable")[:18]
            assert row[1] == f"the 18 nearest of {num_codes} codes:"
            assert row[2].startswith(
                f"{CODE_LABELS[nearest[0]]} {t.distances[10, nearest[0]]:5.2f}"
            )
        grid = details.matrices["quantized"]
        assert grid.line_count() <= 14  # never taller than for D = 16
        assert details.query_one("#code-panel").region.bottom <= FULL[1] - 1
        await pilot.press("tab")  # on to ④, which scrolls into view
        await pilot.pause()
        selected = details.matrices["selected"]
        assert (
            app.focused is selected and 0 <= selected.region.x and selected.region.right <= FULL[0]
        )


@pytest.mark.parametrize("name", WIDE)
async def test_codes_are_typed_by_their_labels(wide_weights, name):
    num_codes, _ = WIDE[name]
    app = app_of(wide_weights, name)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3", "tab", "tab", "right", "down")  # the Codes grid, (4,4)
        await pilot.pause()
        position = app.selection.position
        capital = min(num_codes, 36) - 1  # the last capital the model has: V or Z
        await pilot.press(CODE_LABELS[capital])  # capitals: directly
        await pilot.pause()
        assert app.session.edits == {position: capital}
        await pilot.press("equals_sign", "h")  # = then any label: h is also "move left"
        await pilot.pause()
        if num_codes > CODE_LABELS.index("h"):
            assert app.session.edits == {position: CODE_LABELS.index("h")}
        else:  # no code h: said, and nothing changed
            assert app.session.edits == {position: capital}
            assert any("no code is labelled 'h'" in n.message for n in app._notifications)
        await pilot.press("h")  # without =: a key
        await pilot.pause()
        assert app.selection.position == position - 1
        if num_codes == 64:
            await pilot.press("@")
            await pilot.pause()
            assert app.session.edits[position - 1] == 62
            label_row = line_text(app.screen.grids["codes"], 2 * 4)
            assert label_row[2 * 3] == "@"
        await pilot.press("equals_sign", "escape")  # = then Esc: no code, no deselection
        await pilot.pause()
        assert app.selection.position == position - 1


@pytest.mark.parametrize("name", WIDE)
async def test_every_tour_step(wide_weights, name):
    num_codes, _ = WIDE[name]
    app = app_of(wide_weights, name)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3", "w")
        for step in range(len(TOUR_STEPS)):
            await pilot.pause()
            text = str(app.screen.query_one("#tour", Static).render())
            assert text.startswith(f"Step {step + 1} of {TOUR_LENGTH}")  # the VQ-VAE part
            await pilot.press("n")
        assert f"K={num_codes}" in text or "K=" not in text


@pytest.mark.parametrize("name", WIDE)
async def test_generated_codes(wide_weights, name):
    num_codes, _ = WIDE[name]
    app = app_of(wide_weights, name)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        assert screen.mode == "prior" and screen.prior.shape == (49, num_codes)
        seen = set()
        for _ in range(5):
            codes = screen.codes.reshape(49)
            assert codes.min() >= 0 and codes.max() < num_codes
            shown = "".join(line_text(screen.grid, 2 * row)[::2] for row in range(7))
            assert shown == "".join(CODE_LABELS[c] for c in codes)
            seen |= set(codes.tolist())
            await pilot.press("space")
            await pilot.pause()
        await pilot.press("m")  # uniform: codes past the first 36 too
        await pilot.pause()
        assert screen.mode == "uniform"
        assert max(seen | set(screen.codes.reshape(49).tolist())) > 20


async def test_the_prior_is_the_loaded_models_own(wide_weights, shipped_model):
    """A model handed to the app with another model's weights path keeps its own prior (read
    from its sidecar when it loaded, checked against its K), not the file's of that path."""
    app = make_app(load(wide_weights["K64-D64"]))  # weights: the shipped file, K = 20
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("g")
        await pilot.pause()
        assert app.screen.prior.shape == (49, 64) and app.screen.mode == "prior"


@pytest.mark.parametrize("size", [FULL, (80, 24)])
async def test_the_atlas_index_with_64_codes(wide_weights, size):
    """Every code has a tile (the index scrolls to the selected one) or, compact, a label in the
    strip; capitals select a code; small letters, being keys too, only after =."""
    app = app_of(wide_weights, "K64-D64")
    async with app.run_test(size=size) as pilot:
        await pilot.press("a")
        await pilot.pause()
        atlas = app.screen
        assert atlas.id == "atlas" and len(atlas.tiles) == 64
        strip = str(atlas.strip.render())
        assert all(label in strip for label in CODE_LABELS)
        await pilot.press("Z")  # a capital: directly
        await pilot.pause()
        assert app.selection.code == CODE_LABELS.index("Z")
        await pilot.press("equals_sign", "x")  # = then a small letter
        await pilot.pause()
        code = CODE_LABELS.index("x")
        assert app.selection.code == code
        if size == FULL:
            panel, tile = atlas.query_one("#index-panel"), atlas.tiles[code]
            assert panel.region.contains_region(tile.region)  # scrolled into view
        await pilot.press("n")  # without =: the next code, as with K ≤ 36
        await pilot.pause()
        assert app.screen is atlas and app.selection.code == code + 1
        await pilot.press("a")  # and back
        await pilot.pause()
        assert app.screen.id == "summary"
