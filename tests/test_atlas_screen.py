"""The atlas screen: the selected code is the session's (the summary's) selection; keys move
between codes and move the position; every picture is the model's or the stored atlas's."""

import numpy as np
import torch
from scenarios import make_app

from vqvae_tui.model import (
    VQVAE,
    ModelConfig,
    atlas_of,
    empty_canvas_codes,
    load,
    placed,
    read_prior,
    save,
)
from vqvae_tui.ui.widgets.code_tile import MIDDLE

FULL, COMPACT = (120, 40), (80, 24)


def levels(pixels: np.ndarray) -> np.ndarray:
    return (np.clip(pixels, 0, 1) * 255 + 0.5).astype(np.uint8)


async def open_on(pilot, code: int):
    """The atlas, opened with `code` selected (as on the summary's codebook)."""
    pilot.app.session.select_code(code)
    await pilot.press("a")
    await pilot.pause()
    return pilot.app.screen


def selected_tiles(screen) -> list[int]:
    return [tile.code for tile in screen.tiles if tile.has_class("-selected")]


async def test_the_atlas_shows_the_summarys_selection_and_changes_it(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3")
        app.session.select_code(5)  # the codebook's row 5, on the summary
        await pilot.press("a")
        await pilot.pause()
        atlas = app.screen
        assert atlas.id == "atlas" and atlas.code() == 5 and selected_tiles(atlas) == [5]
        await pilot.press("plus")
        await pilot.pause()
        assert app.selection.code == 6 and selected_tiles(atlas) == [6]
        await pilot.press("minus", "minus")
        await pilot.pause()
        assert app.selection.code == 4
        await pilot.press("B")  # a code's label
        await pilot.pause()
        assert app.selection.code == 11 and selected_tiles(atlas) == [11]
        await pilot.click("#code-tile-2")
        await pilot.pause()
        assert app.selection.code == 2
        await pilot.press("escape")
        await pilot.pause()
        summary = app.screen
        assert summary.id == "summary" and summary.codebook.highlighted == 2  # the same selection


async def test_a_selected_position_opens_the_atlas_on_its_code_there(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3")
        await pilot.pause()
        app.session.select_position(30)
        await pilot.press("a")
        await pilot.pause()
        atlas = app.screen
        code = int(app.trace.codes[30])
        assert atlas.position == 30 and atlas.code() == code
        background = empty_canvas_codes(shipped_model)
        expected = levels(placed(shipped_model, background, code, 30))
        np.testing.assert_array_equal(atlas.placed.levels, expected)
        assert atlas.placed.patch == 30 and atlas.usage.patch == 30


async def test_keys_and_clicks_move_the_position(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        atlas = await open_on(pilot, 11)
        assert atlas.position == 24  # the centre, when no position was selected
        await pilot.press("up", "l", "l")
        await pilot.pause()
        assert atlas.position == 24 - 7 + 2
        background = empty_canvas_codes(shipped_model)
        picture = placed(shipped_model, background, 11, 19)
        np.testing.assert_array_equal(atlas.placed.levels, levels(picture))
        assert atlas.query_one("#placed-panel").border_title == "B at (2,5)"
        await pilot.press("m")  # where the training digits choose B most often
        await pilot.pause()
        assert atlas.position == int(np.argmax(read_prior()[:, 11]))
        await pilot.click("#placed", offset=(5, 13))  # (6,1): a patch is 4 columns, 2 rows
        await pilot.pause()
        assert atlas.position == 6 * 7 + 1
        await pilot.click("#usage", offset=(2 * 3, 2))  # the usage map: 2 columns, 1 row a patch
        await pilot.pause()
        assert atlas.position == 2 * 7 + 3 and app.selection.code == 11  # the code stays


async def test_the_tiles_are_the_stored_atlas(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        atlas = await open_on(pilot, 7)
        stored = atlas_of(shipped_model.sidecar, 20)
        for code, tile in enumerate(atlas.tiles):
            np.testing.assert_array_equal(tile.picture.levels, levels(stored.codes[code].mean))
            assert f"{stored.share(code):.1%}" in str(tile.caption.render())
        for tile, patch in zip(atlas.nearest, stored.codes[7].nearest, strict=True):
            np.testing.assert_array_equal(tile.picture.levels, levels(patch.pixels))
            assert tile.picture.patch == MIDDLE  # the position's own patch, tinted
        about = str(atlas.about.render()).replace("\n", " ")
        assert f"({stored.codes[7].count:,})" in about and "9,000 training digits" in about
        used = int((app.trace.codes == 7).sum())
        assert f"{used} of 49 in your drawing" in about


async def test_weights_without_atlas_data_still_show_the_decoders_view(tmp_path):
    torch.manual_seed(0)
    save(VQVAE(ModelConfig(num_codes=8)), tmp_path / "w", {})
    model = load(tmp_path / "w")
    app = make_app(model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("a")
        await pilot.pause()
        atlas = app.screen
        assert len(atlas.tiles) == 8 and "without atlas data" in str(atlas.header.render())
        assert all(str(tile.caption.render()) == "—" for tile in atlas.nearest)
        await pilot.press("m")  # no prior either: said so, nothing moves
        await pilot.pause()
        assert atlas.position == 24


async def test_the_compact_atlas_keeps_the_code_and_its_pictures(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=COMPACT) as pilot:
        atlas = await open_on(pilot, 3)
        assert atlas.has_class("-compact")
        assert atlas.query_one("#index-panel").region.width == 0  # the strip stands for it
        assert "▶" in str(atlas.strip.render()) and atlas.placed.region.width > 0
        assert all(tile.region.width > 0 for tile in atlas.nearest)


async def test_an_index_of_many_codes_scrolls_to_the_selected_one(tmp_path):
    torch.manual_seed(0)
    save(VQVAE(ModelConfig(num_codes=36)), tmp_path / "w", {})
    app = make_app(load(tmp_path / "w"))
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("Z")  # the last code's label
        await pilot.pause()
        atlas = app.screen
        assert app.selection.code == 35 and selected_tiles(atlas) == [35]
        panel = atlas.query_one("#index-panel").region
        assert panel.contains_region(atlas.tiles[35].region)
