"""Open a picture: a path prompt (Tab or → completes it), and the file's picture becomes the
drawing (read by `vqvae_tui.data.pictures`). A file that is not a picture is said in one line,
and the prompt stays for another path."""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from vqvae_tui.errors import UserError
from vqvae_tui.model.config import IMAGE
from vqvae_tui.model.trained import UNKNOWN_DATA, TrainingData
from vqvae_tui.ui.actions import Action, actions, bindings

PROMPT_TEXT = (
    f"Any image file (PNG, JPEG, GIF, BMP, TIFF, WebP, …) becomes the drawing: {IMAGE}×{IMAGE}"
    " grey, centred as MNIST's digits are; dark ink on light paper is inverted."
)


def prompt_text(data: TrainingData) -> str:
    """The prompt, and how the loaded model's training pictures sit where not as MNIST's."""
    return PROMPT_TEXT if data.framing is None else f"{PROMPT_TEXT} {data.framing}"


def complete_path(value: str) -> str | None:
    """`value` completed by the first entry (in name order) of its directory that its last part
    begins; a directory's completion ends in '/'. Hidden entries only for a part that begins
    with '.'."""
    path = Path(value).expanduser()
    folder, start = (path, "") if value.endswith(os.sep) else (path.parent, path.name)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    for name in names:
        if not name.startswith(start) or (name.startswith(".") and not start.startswith(".")):
            continue
        directory = (folder / name).is_dir()
        if name == start and not directory:
            continue
        return value + name[len(start) :] + (os.sep if directory else "")
    return None


class PathSuggester(Suggester):
    def __init__(self):
        super().__init__(use_cache=False, case_sensitive=True)  # the files may change

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value)


class OpenPictureScreen(ModalScreen):
    """Dismissed with (path, pixels) of the picture opened, or None."""

    CSS_PATH = "open_picture.tcss"
    HELP_TITLE = "Open a picture"

    ACTIONS = actions(
        "open_picture",
        Action("tab", "complete", "Complete", "Complete the path (also →)", footer=10),
        Action("escape", "cancel", "Close", "Close without opening a picture", footer=11),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, data: TrainingData = UNKNOWN_DATA):
        """`data`: what the loaded model was trained on."""
        super().__init__(id="open-picture")
        self.data = data
        example = "digit" if data.name == "MNIST" else "picture"
        self.path = Input(
            placeholder=f"the path of an image file, e.g. ~/{example}.png",
            suggester=PathSuggester(),
            id="picture-path",
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="open-picture-box") as box:
            box.border_title = "Open a picture"
            yield Static(prompt_text(self.data), id="open-picture-about")
            yield self.path
            yield Static("Enter opens · Tab or → completes · Esc closes", id="open-picture-keys")

    def on_mount(self) -> None:
        self.path.cursor_blink = self.app.animation_level != "none"  # still, for snapshots
        self.path.focus()

    def action_complete(self) -> None:
        self.path.action_end()
        self.path.action_cursor_right()  # at the end, → takes the suggestion

    def action_cancel(self) -> None:
        if self.app.screen is self:  # keys already queued may arrive after it closed
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from vqvae_tui.data.pictures import read_picture

        if not event.value.strip() or self.app.screen is not self:
            return
        path = Path(event.value.strip()).expanduser()
        try:
            pixels = read_picture(path)
        except UserError as error:
            self.notify(str(error), severity="error", timeout=6)
            return
        self.dismiss((path, pixels))
