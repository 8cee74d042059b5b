"""Banded widgets: one widget's cells drawn by narrow bands; a change repaints within its band."""

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.geometry import Region

from vqvae_tui.ui.widgets.bands import Band, Banded

LETTERS = "abcdefghij"


class Letters(Banded):
    def line_count(self) -> int:
        return 3

    def cell(self, x: int, y: int) -> Segment:
        return Segment(LETTERS[x] if y != 1 else LETTERS[x].upper(), Style())


class LettersApp(App):
    def compose(self):
        yield Letters(id="letters")

    def on_mount(self) -> None:
        self.query_one(Letters).set_edges([0, 4, 8, 10])


async def test_bands_show_the_widgets_cells_side_by_side():
    app = LettersApp()
    async with app.run_test(size=(20, 5)) as pilot:
        await pilot.pause()
        letters = app.query_one(Letters)
        assert [band.region for band in letters.bands] == [
            Region(0, 0, 4, 3), Region(4, 0, 4, 3), Region(8, 0, 2, 3)
        ]  # fmt: skip
        assert letters.region.size == (10, 3)
        assert [letters.text(y) for y in range(3)] == [LETTERS, LETTERS.upper(), LETTERS]


async def test_a_change_repaints_its_band_up_to_the_change_only(monkeypatch):
    app = LettersApp()
    async with app.run_test(size=(20, 5)) as pilot:
        await pilot.pause()
        letters = app.query_one(Letters)
        repainted = []
        monkeypatch.setattr(
            Band, "refresh", lambda band, *regions, **_: repainted.append((band.start, regions))
        )
        letters.refresh_cells({(5, 1), (6, 1), (9, 2)})
        assert sorted(repainted) == [(4, (Region(0, 1, 3, 1),)), (8, (Region(0, 2, 2, 1),))]
        repainted.clear()
        letters.refresh_lines([0])
        assert sorted(repainted) == [
            (0, (Region(0, 0, 4, 1),)), (4, (Region(0, 0, 4, 1),)), (8, (Region(0, 0, 2, 1),))
        ]  # fmt: skip


async def test_new_edges_replace_the_bands():
    app = LettersApp()
    async with app.run_test(size=(20, 5)) as pilot:
        await pilot.pause()
        letters = app.query_one(Letters)
        letters.set_edges([0, 5, 10])
        await pilot.pause()
        assert [band.region.width for band in letters.query(Band)] == [5, 5]
        assert letters.text(0) == LETTERS
