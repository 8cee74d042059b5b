"""Banded widgets: one widget's cells drawn by narrow bands; a change repaints within its band."""

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.geometry import Region
from textual.widget import Widget

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


class ColouredLetters(Letters):
    """Letters in colours, and a cell that can change without a refresh (to see the cache)."""

    def __init__(self):
        super().__init__(id="letters")
        self.changed: dict[tuple[int, int], str] = {}

    def cell(self, x: int, y: int) -> Segment:
        letter = self.changed.get((x, y), LETTERS[x])
        return Segment(letter, Style(color=f"color({16 + 3 * x})", bgcolor="color(234)"))


class ColouredApp(LettersApp):
    def compose(self):
        yield ColouredLetters()


def lines_of(band: Band) -> list[list[Segment]]:
    return [list(strip) for strip in band.render_lines(Region(0, 0, *band.size))]


async def test_a_band_draws_a_line_again_only_when_it_is_refreshed():
    app = ColouredApp()
    async with app.run_test(size=(20, 5)) as pilot:
        await pilot.pause()
        letters = app.query_one(ColouredLetters)
        first = letters.bands[0]
        before = first.render_lines(Region(0, 0, 4, 3))
        assert before[0] is before[2]  # lines that look the same: the same Strip
        letters.changed[1, 2] = "X"
        assert first.render_lines(Region(0, 0, 4, 3))[2] is before[2]  # not refreshed: kept
        letters.refresh_cells([(1, 2)])
        after = first.render_lines(Region(0, 0, 4, 3))
        assert after[2].text == "aXcd" and after[0] is before[0] and after[1] is before[1]
        assert first.render_lines(Region(1, 0, 2, 3))[2].text == "Xc"  # a part of the band
        letters.changed.clear()
        first.refresh()  # a refresh without regions: every line again
        assert first.render_lines(Region(0, 0, 4, 3))[2].text == "abcd"


async def test_a_band_draws_as_textuals_styles_cache_would_with_or_without_colour(monkeypatch):
    """Its lines are those Textual's own path gives, the app's line filters applied: palette
    colours without RGB made truecolour, or (NO_COLOR) greys."""
    drawn = {}
    for no_color in (False, True):
        if no_color:
            monkeypatch.setenv("NO_COLOR", "1")
        else:
            monkeypatch.delenv("NO_COLOR", raising=False)
        app = ColouredApp()
        async with app.run_test(size=(20, 5)) as pilot:
            await pilot.pause()
            for band in app.query_one(ColouredLetters).bands:
                region = Region(0, 0, *band.size)
                assert lines_of(band) == [list(s) for s in Widget.render_lines(band, region)]
            drawn[no_color] = lines_of(band)[0][0].style  # a cell as the screen gets it
            own = band.parent.cell(band.start, 0).style
    assert len({drawn[False], drawn[True], own}) == 3
    assert len(set(drawn[True].color.triplet)) == 1  # a grey
