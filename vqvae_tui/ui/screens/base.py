"""What every view of the live model shares.

A screen renders from the app's vars it `WATCHES` (its `trace` and `selection` by default; the
app traces the models of its `TRACES`), caught up when the screen becomes current again; it lays
itself out from its own size (on resize, and on resume: the terminal may have changed while
another screen was shown), and states its keys once, in its `ACTIONS`. A DrawingScreen also has
the input canvas and the drawing keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual.app import SystemCommand
from textual.events import Resize
from textual.geometry import Size
from textual.screen import Screen

from vqvae_tui.drawing import SAMPLES
from vqvae_tui.ui.actions import Action, actions, bindings, keys_shown, table_of
from vqvae_tui.ui.memory import release_removed_widgets
from vqvae_tui.ui.messages import CodeSelected, Paint, PositionSelected

if TYPE_CHECKING:
    from vqvae_tui.session import Session
    from vqvae_tui.ui.widgets.canvas import Canvas

FULL = Size(120, 40)  # everything shown
COMPACT = Size(80, 24)  # the smallest terminal a screen is drawn for
LAYOUTS = ("full", "compact", "tiny")
SAMPLE_SEGMENTS_PER_TICK = 2
SAMPLE_TICK = 1 / 60


def layout_for(size: Size) -> str:
    if size.width >= FULL.width and size.height >= FULL.height:
        return "full"
    if size.width >= COMPACT.width and size.height >= COMPACT.height:
        return "compact"
    return "tiny"


def command(node, action: Action) -> SystemCommand:
    """A palette command that runs an action on the node whose table states it."""
    return SystemCommand(
        action.title,
        f"{action.description} ({keys_shown(node.app, action)})",
        partial(node.run_action, action.action),
    )


class ExplainerScreen(Screen):
    HELP_TITLE: ClassVar[str] = "This screen"  # its name in `?` help
    ACTIONS: ClassVar[tuple[Action, ...]] = ()
    # the models it shows: kind → whether their trace comes with the autograd measurements
    TRACES: ClassVar[dict[str, bool]] = {"vqvae": False}
    WATCHES: ClassVar[tuple[str, ...]] = ("trace", "selection")  # the app's vars it draws

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.layout_name: str | None = None

    @property
    def session(self) -> Session:
        return self.app.session

    def on_mount(self) -> None:
        for name in self.WATCHES:
            self.watch(self.app, name, self.app_changed, init=False)

    def on_screen_resume(self) -> None:
        release_removed_widgets()  # the screen shown before may be gone (the palette)
        self.app.request_trace()  # the drawing may have changed while another screen was shown
        self.apply_layout(self.app.size)
        self.show()

    def on_resize(self, event: Resize) -> None:
        self.apply_layout(event.size)

    def app_changed(self) -> None:
        if self in self.app.current_screens():  # the others catch up when shown again
            self.show()

    def apply_layout(self, size: Size) -> None:
        name = layout_for(size)
        for each in LAYOUTS:
            self.set_class(each == name, f"-{each}")
        if name != self.layout_name:
            self.layout_name = name
            self.layout_changed(name)

    def action_back(self) -> None:
        """Back to the screen below."""
        if self.app.screen is self:  # keys already queued may arrive after it closed
            self.app.pop_screen()

    def layout_changed(self, name: str) -> None:
        """The screen's layout became `name`: what CSS alone cannot change."""

    def show(self) -> None:
        """Draw the app's trace and selection."""

    def command_nodes(self) -> list:
        """Whose actions the command palette offers: this screen's and its focused panel's."""
        return [self] if self.focused is None else [self, self.focused]

    def commands(self) -> Iterable[SystemCommand]:
        """This screen's entries in the command palette: the actions that can run now."""
        for node in self.command_nodes():
            for action in table_of(node):
                if action.palette and node.check_action(action.name, ()) is not False:
                    yield command(node, action)

    # ---- selection, as every screen's panels post it ------------------------------------

    def on_position_selected(self, message: PositionSelected) -> None:
        self.session.select_position(message.position)

    def on_code_selected(self, message: CodeSelected) -> None:
        self.session.select_code(message.code)


SAMPLE_ACTIONS = [
    Action(digit, f"sample('{digit}')", f"Sample {digit}",
           f"Draw a sample {digit}, stroke by stroke", group="Sample 0–9", id=f"sample{digit}")
    for digit in SAMPLES
]  # fmt: skip


class DrawingScreen(ExplainerScreen):
    """A screen with the input canvas: it takes the strokes and the drawing keys."""

    ACTIONS = actions(
        "drawing",
        Action("c", "clear", "Clear", "Clear the input canvas", footer=30),
        Action("u", "undo", "Undo", "Undo the last stroke, clear, sample or picture", footer=31),
        Action(
            "o",
            "open_picture",
            "Open picture",
            "Open an image file (PNG, JPEG, …) as the drawing, centred as MNIST's digits",
        ),
        SAMPLE_ACTIONS,
    )
    BINDINGS = bindings(ACTIONS)
    MARKS_SELECTION: ClassVar[bool] = True  # the canvas marks the selected VQ-VAE position's patch
    canvas: Canvas

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sample_timer = None  # draws a sample, a few segments a tick, while animations are on

    def show(self) -> None:
        self.canvas.show(self.session.image)
        patch = self.app.selection.position if self.MARKS_SELECTION else None
        self.canvas.mark(patch, self.canvas.cursor)

    def commands(self) -> Iterable[SystemCommand]:
        yield from super().commands()
        yield from (
            command(self.canvas, action) for action in self.canvas.ACTIONS if action.palette
        )

    def show_drawing(self) -> None:
        """The new pixels on the canvas at once; the rest follows the trace."""
        self.canvas.show(self.session.image)

    def on_paint(self, message: Paint) -> None:
        self.session.paint(message.start, message.end, message.erase, message.new_stroke)
        self.show_drawing()

    def action_clear(self) -> None:
        if self.session.clear():
            self.show_drawing()

    def action_undo(self) -> None:
        if self.session.undo():
            self.show_drawing()

    def action_open_picture(self) -> None:
        from vqvae_tui.model.trained import UNKNOWN_DATA, trained_on
        from vqvae_tui.ui.screens.open_picture import OpenPictureScreen

        if self.app.screen is self:  # keys already queued may arrive after another opened
            data = UNKNOWN_DATA if self.app.model is None else trained_on(self.app.model.sidecar)
            self.app.push_screen(OpenPictureScreen(data), self.picture_opened)

    def picture_opened(self, opened) -> None:
        """The prompt's (path, pixels), or None if it was closed."""
        if opened is not None:
            path, pixels = opened
            self.session.load_picture(pixels)
            self.show_drawing()
            self.notify(f"opened {path.name} as the drawing (u undoes it)", timeout=4)

    def action_sample(self, digit: str) -> None:
        """Draw a sample digit stroke by stroke (at once when animations are off)."""
        self.session.start_sample(digit)
        if self.sample_timer is not None:
            self.sample_timer.stop()
        if self.app.animation_level == "none":
            self.session.play()
        else:
            self.sample_timer = self.set_interval(SAMPLE_TICK, self.play_sample)
        self.show_drawing()

    def play_sample(self) -> None:
        more = self.session.play(SAMPLE_SEGMENTS_PER_TICK)
        if not more and self.sample_timer is not None:  # a tick may come after the last
            self.sample_timer.stop()
            self.sample_timer = None
        self.show_drawing()
