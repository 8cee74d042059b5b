"""The code atlas: what each code stands for, from the training digits and the decoder.

For the selected code — the session's selection, the same as on the summary screen — it shows
the decoder's picture of an empty canvas's codes with this code placed at one position (what the
code adds where it appears), where the training digits choose it (the prior), the training
windows whose encoder vectors lie nearest it, and how often it is used. The index shows every
code's mean training window and share. The atlas data is measured when training ends and stored
in the weights' sidecar (model/code_atlas.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.events import Key
from textual.widgets import Static

from vqvae_tui.model.code_atlas import EXAMPLES
from vqvae_tui.model.config import CENTRE, CODE_LABELS, GRID, PATCH, POSITIONS, RECEPTIVE_FIELD
from vqvae_tui.model.trained import UNKNOWN_DATA, trained_on
from vqvae_tui.session import position_label
from vqvae_tui.ui.actions import Action, actions, bindings, moves
from vqvae_tui.ui.messages import PatchPicked
from vqvae_tui.ui.screens.base import ExplainerScreen
from vqvae_tui.ui.widgets.code_tile import CodeTile, WindowTile
from vqvae_tui.ui.widgets.footer import KeyFooter
from vqvae_tui.ui.widgets.grid import take_typed_code
from vqvae_tui.ui.widgets.inspector import code_text
from vqvae_tui.ui.widgets.picture import PatchPicker

if TYPE_CHECKING:
    from vqvae_tui.model.code_atlas import CodeAtlas

CHANGED = 0.1  # a pixel the placed code changes by more than this counts as changed
LITTLE = 5  # fewer changed pixels than this: the code alone adds little
NOTHING = 1e-3  # a largest change below this is shown as none (not scaled up)
USAGE_SIDE = 2 * GRID  # the usage map: each position 2×2 pixels, one half-block row


class AtlasScreen(ExplainerScreen):
    """What each code stands for: placed on an empty canvas, where and how often it is chosen,
    and the training windows nearest it."""

    CSS_PATH = "atlas.tcss"
    HELP_TITLE = "The code atlas"

    ACTIONS = actions(
        "atlas",
        Action("plus,n", "step_code(1)", "Next code",
               "The next code (or type a code's label)", footer=10, key_display="+",
               id="next_code"),
        Action("minus,p", "step_code(-1)", "Previous code", "The code before", footer=11,
               key_display="-", id="previous_code"),
        moves("position"),
        Action("m", "most_used", "Most used",
               "Place the code where the training images choose it most often", footer=12),
        Action("equals_sign", "label", "Code by label",
               "= then any code's label selects that code (the labels a–z are keys too)",
               key_display="="),
        Action("a,escape", "back", "Back", "Back to the summary screen", footer=13),
    )  # fmt: skip
    BINDINGS = bindings(ACTIONS)

    def __init__(self):
        super().__init__(id="atlas")
        monochrome = bool(self.app.monochrome)
        self.header = Static(id="atlas-header")
        self.strip = Static(id="code-strip")  # the compact layout's index: one label a code
        self.index = Container(id="index")
        self.tiles: list[CodeTile] = []
        self.placed = PatchPicker(monochrome=monochrome, id="placed")
        self.adds = PatchPicker(monochrome=monochrome, id="adds")  # |placed − empty|, scaled
        self.usage = PatchPicker(monochrome=monochrome, pixels=USAGE_SIDE, id="usage")
        self.where = Static(id="where-about")
        self.nearest = [
            WindowTile(monochrome=monochrome, id=f"nearest-{i}", classes="nearest-tile")
            for i in range(EXAMPLES)
        ]
        self.about = Static(id="atlas-about")
        self.model = None  # the model whose codes are shown, with its atlas data
        self.atlas: CodeAtlas | None = None
        self.prior: np.ndarray | None = None  # (POSITIONS, K)
        self.data = UNKNOWN_DATA  # what the model was trained on, in words
        self.background: np.ndarray | None = None  # (GRID, GRID) the empty canvas's codes
        self.position = CENTRE  # where the selected code is placed
        self.drawn: tuple | None = None  # (model, code, position) of the pictures on screen
        self.change: np.ndarray | None = None  # |placed − empty canvas|: what the code adds
        self.label_next = False  # after =: the next key is a code's label

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.strip
        with Horizontal(id="atlas-body"):
            with VerticalScroll(classes="panel", id="index-panel") as panel:
                panel.border_title, panel.border_subtitle = "Codes", "mean training window"
                yield self.index
            with Vertical(id="atlas-detail"):
                with Container(id="pictures"):
                    with Container(classes="panel", id="placed-panel"):
                        yield self.placed
                    with Container(classes="panel", id="adds-panel"):
                        yield self.adds
                    with Container(classes="panel", id="nearest-panel") as panel:
                        panel.border_title = "Nearest training windows"
                        with Container(id="nearest-grid"):
                            yield from self.nearest
                with Horizontal(id="atlas-lower"):
                    with Vertical(id="where"):
                        with Container(classes="panel", id="usage-panel") as panel:
                            panel.border_title, panel.border_subtitle = "Where", "prior"
                            yield self.usage
                        yield self.where
                    yield self.about
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        if self.app.selection.position is not None:  # the summary's selected position
            self.position = self.app.selection.position
        super().on_screen_resume()

    # ---- what is selected ---------------------------------------------------------------

    def code(self) -> int:
        """The selected code: the session's (a code, or the selected position's code)."""
        trace = self.app.trace
        code = self.app.selection.code_of_interest(None if trace is None else trace.codes)
        return 0 if code is None else code

    def action_step_code(self, step: int) -> None:
        if self.model is not None:
            self.session.select_code((self.code() + step) % self.model.config.num_codes)

    def action_label(self) -> None:
        """= : the next key is read as a code's label, whatever else it does."""
        if self.model is not None:
            self.label_next = True
            self.notify("type a code's label (Esc: none)", timeout=3)

    def on_key(self, event: Key) -> None:
        """A code's label selects that code; a small letter (K > 36), being a key of this
        screen too (n, p, m, a…), only after =, as on the summary's Codes grid."""
        label_next, self.label_next = self.label_next, False
        if self.model is None:
            return
        labels = CODE_LABELS[: self.model.config.num_codes]
        code = take_typed_code(self, event, labels, label_next)
        if code is not None:
            self.session.select_code(code)

    def action_move(self, rows: int, cols: int) -> None:
        row = min(max(self.position // GRID + rows, 0), GRID - 1)
        col = min(max(self.position % GRID + cols, 0), GRID - 1)
        self.position = row * GRID + col
        self.show()

    def action_most_used(self) -> None:
        if self.prior is None:
            self.notify("these weights were saved without a prior", timeout=3)
            return
        self.position = int(np.argmax(self.prior[:, self.code()]))
        self.show()

    def on_patch_picked(self, message: PatchPicked) -> None:
        self.position = message.patch
        self.show()

    # ---- drawing ------------------------------------------------------------------------

    def show(self) -> None:
        model = self.app.model
        if model is None or not self.index.is_mounted:
            return
        if model is not self.model:
            self.load(model)
        code = self.code()
        if self.drawn != (model, code, self.position):
            if self.drawn is None or self.drawn[1] != code:
                self.tiles[code].scroll_visible(animate=False)  # many codes: the index scrolls
            self.drawn = (model, code, self.position)
            self.show_code(code)
        for tile in self.tiles:
            tile.set_class(tile.code == code, "-selected")
        self.strip.update(self.strip_text(code))
        self.about.update(self.describe(code))

    def load(self, model) -> None:
        """The atlas data, prior and empty canvas of another model; the index's tiles."""
        from vqvae_tui.model import atlas_of, empty_canvas_codes, prior_of

        self.model = model
        k = model.config.num_codes
        self.atlas = atlas_of(model.sidecar, k)  # validated when the weights loaded
        self.prior = prior_of(model.sidecar)
        self.data = trained_on(model.sidecar)
        self.background = empty_canvas_codes(model)
        monochrome = bool(self.app.monochrome)
        self.tiles = [CodeTile(code, monochrome=monochrome) for code in range(k)]
        for tile in self.tiles:
            self.show_tile(tile)
        self.index.remove_children()
        self.index.mount_all(self.tiles)
        self.show_header()

    def layout_changed(self, name: str) -> None:
        if self.model is not None:
            self.show_header()

    def show_header(self) -> None:
        title = f"Code atlas: what each of the {self.model.config.num_codes} codes stands for"
        if self.atlas is None:
            title += " (these weights were saved without atlas data)"
        elif self.layout_name == "full":
            title += f", measured on the training {self.data.examples}, {self.split()}"
        self.header.update(title)

    def show_tile(self, tile: CodeTile) -> None:
        """An index tile: the code's mean training window, its label and share."""
        entry = None if self.atlas is None else self.atlas.codes[tile.code]
        share = "" if self.atlas is None else f" {self.atlas.share(tile.code):6.1%}"
        tile.show(None if entry is None else entry.mean, Text.assemble(code_text(tile.code), share))

    def show_code(self, code: int) -> None:
        """The pictures of the selected code: placed, where it is chosen, nearest windows."""
        from vqvae_tui.model import decode, placed

        label, where = CODE_LABELS[code], position_label(self.position)
        picture = placed(self.model, self.background, code, self.position)
        self.change = np.abs(picture - decode(self.model, self.background))
        self.placed.show(picture)
        panel = self.query_one("#placed-panel")
        panel.border_title, panel.border_subtitle = f"{label} at {where}", "on an empty canvas"
        largest = float(self.change.max())
        visible = largest > NOTHING
        self.adds.show(self.change / largest if visible else np.zeros_like(self.change))
        panel = self.query_one("#adds-panel")
        panel.border_title = f"What {label} adds" + (f", ×{1 / largest:.3g}" if visible else "")
        panel.border_subtitle = f"|Δ| ≤ {largest:.2g}"
        for picture in (self.placed, self.adds):
            picture.mark(self.position)
        if self.prior is not None:
            chosen = self.prior[:, code].reshape(GRID, GRID)
            scaled = chosen / max(float(chosen.max()), 1e-9)
            self.usage.show(np.kron(scaled, np.ones((2, 2))))
            self.where.update(
                f"white: {chosen.max():.0%} of the {self.data.examples} choose {label} at "
                f"{position_label(int(np.argmax(chosen)))}"
            )
        else:
            self.where.update("no prior in these weights")
        self.usage.mark(self.position)
        entries = () if self.atlas is None else self.atlas.codes[code].nearest
        for i, tile in enumerate(self.nearest):
            if i < len(entries):
                patch = entries[i]
                tile.show(patch.pixels, f"{patch.label} at {position_label(patch.position)}", True)
            else:
                tile.show(None, "—")

    def strip_text(self, code: int) -> Text:
        text = Text()
        for each in range(self.model.config.num_codes):
            text.append("▶" if each == code else " ", "bold")
            text.append_text(code_text(each))
        return text

    def describe(self, code: int) -> str:
        """The selected code's numbers, in words."""
        label, where = CODE_LABELS[code], position_label(self.position)
        lines = []
        trace = self.app.trace
        drawing = "" if trace is None else f"; {int((trace.codes == code).sum())} of {POSITIONS}"
        if self.atlas is not None:
            entry = self.atlas.codes[code]
            images = self.atlas.positions // POSITIONS
            lines.append(
                f"Code {label}: {self.atlas.share(code):.1%} of the {self.atlas.positions:,} "
                f"positions of the {images:,} training {self.data.examples} ({entry.count:,})"
                + (f"{drawing} in your drawing." if drawing else ".")
            )
        elif drawing:
            lines.append(f"Code {label}{drawing} positions in your drawing.")
        background = self.background.reshape(POSITIONS)
        counts = np.bincount(background, minlength=self.model.config.num_codes)
        empty = ", ".join(
            f"{CODE_LABELS[c]} at {counts[c]}" for c in np.argsort(-counts, kind="stable")
            if counts[c]
        )  # fmt: skip
        if background[self.position] == code:
            lines.append(f"{label} is the empty canvas's own code at {where} ({empty}).")
        else:
            changed = int((self.change > CHANGED).sum())
            lines.append(
                f"Alone on an empty canvas's codes ({empty}), {label} at {where} changes "
                f"{changed} pixels by more than {CHANGED:g} (at most {self.change.max():.2g})"
                + (
                    f": the decoder draws {self.data.parts} from neighbouring codes together."
                    if changed < LITTLE
                    else "."
                )
            )
        if self.atlas is not None and self.atlas.codes[code].nearest:
            numbers = ", ".join(self.window_name(p) for p in self.atlas.codes[code].nearest)
            lines.append(
                f"Nearest: windows of training {self.data.examples} {numbers} whose vectors lie"
                f" nearest {label}. Tinted: the position's {PATCH}×{PATCH} patch; its vector"
                f" depends on it and the {RECEPTIVE_FIELD - PATCH} pixels above and left."
            )
        elif self.atlas is not None:
            lines.append(f"No position of a training {self.data.example} chose {label}.")
        return "\n".join(lines[:2] if self.layout_name == "compact" else lines)

    def window_name(self, patch) -> str:
        """A nearest window's training image: its number, and its class where the label alone
        does not name it (a digit's label is the digit)."""
        if self.data.name == "MNIST":
            return f"#{patch.digit}"
        return f"#{patch.digit} ({self.data.class_name(patch.label)})"

    def split(self) -> str:
        """The training split the atlas was measured on, as the sidecar names it."""
        data = self.model.sidecar.get("data")
        return data.get("train", "the training split") if isinstance(data, dict) else "?"
