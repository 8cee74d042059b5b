"""Pictures: shown in the xterm palette's greys, repainting only the cells whose grey changed."""

import numpy as np
from rich.color import Color
from textual.app import App
from textual.geometry import Region

from vqvae_tui.ui.colours import PALETTE_NUMBER, XTERM_GREYS, palette_grey
from vqvae_tui.ui.widgets.picture import Picture


def test_palette_greys_are_the_nearest_xterm_greys_for_any_level_type():
    for level in range(256):
        for value in (level, np.uint8(level), np.int64(level)):
            colour = palette_grey(value)
            assert colour.triplet == Color.from_ansi(colour.number).get_truecolor()  # its RGB
            distance = abs(colour.triplet.red - level)
            assert distance == min(abs(grey - level) for grey in XTERM_GREYS) <= 8  # nearest
            assert colour.number == PALETTE_NUMBER[level]


class PictureApp(App):
    def __init__(self, monochrome: bool):
        super().__init__()
        self.picture = Picture(monochrome=monochrome)

    def compose(self):
        yield self.picture


async def repainted_by(monochrome: bool, monkeypatch) -> list[Region]:
    """The regions a picture repaints when two pixels change: one within its grey (level 0 → 3,
    both shown as black), one to another grey (0 → 100)."""
    app = PictureApp(monochrome)
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        picture, repainted = app.picture, []
        monkeypatch.setattr(picture, "refresh", lambda *regions, **_: repainted.extend(regions))
        pixels = np.zeros((28, 28), dtype=np.float32)
        pixels[0, 0], pixels[5, 10] = 3 / 255, 100 / 255
        picture.show(pixels)
        assert picture.levels[0, 0] == 3 and picture.levels[5, 10] == 100  # the exact levels
        return repainted


async def test_a_picture_repaints_only_the_cells_whose_grey_changed(monkeypatch):
    assert palette_grey(3) == palette_grey(0) != palette_grey(100)
    assert await repainted_by(False, monkeypatch) == [Region(10, 2, 1, 1)]


async def test_without_colour_a_picture_repaints_every_changed_level(monkeypatch):
    assert await repainted_by(True, monkeypatch) == [Region(0, 0, 1, 1), Region(10, 2, 1, 1)]
