"""The app: loads the models (ui/loading.py), schedules traces, holds the keys that apply
everywhere (saving files: ui/saving.py) and the screens.

The learner's state is a Session (pixels, edits, selection, z); the app traces the pixels
through the models the screens on view show (their `TRACES`) — a burst of input costs one
forward pass each — and publishes the `trace` (and `vae_trace`, `ae_trace`) and the
`selection`, which the screens watch. Each screen owns its widgets, keys and layout. The VQ-VAE
loads in a worker, so the first frame comes at once; the VAE and the autoencoder load in a
worker too, when a screen first shows them.
"""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.reactive import var
from textual.screen import Screen

from vqvae_tui.exports import ExportPlace
from vqvae_tui.session import Selection, Session
from vqvae_tui.ui.actions import Action, actions, bindings
from vqvae_tui.ui.loading import ModelLoading
from vqvae_tui.ui.saving import Saving
from vqvae_tui.ui.screens.base import command
from vqvae_tui.ui.screens.summary import SummaryScreen
from vqvae_tui.ui.terminal import guard_input_parser

if TYPE_CHECKING:  # types only: torch loads in a worker, after the first frame
    from vqvae_tui.model.latent_tracing import AETrace, GradientPath, VAETrace
    from vqvae_tui.model.tracing import StraightThrough, Trace

TRACED = {  # model kind → the app's vars for its trace and for what is measured with it
    "vqvae": ("trace", "straight"),
    "vae": ("vae_trace", "gradients"),
    "ae": ("ae_trace", None),
}


def screen(module: str, name: str):
    """A factory for the screen `name` of `vqvae_tui.ui.screens.module`, imported when first
    shown (some need torch, which loads after the first frame)."""
    return lambda: getattr(import_module(f"vqvae_tui.ui.screens.{module}"), name)()


class VQVAEApp(ModelLoading, Saving, App):
    TITLE = "vqvae-tui"
    # Textual loads the CSS of the screens it pushes, but not of the default screen: the app
    # loads the summary's own .tcss with its own, so the first frame is drawn once, styled.
    CSS_PATH = ["app.tcss", f"screens/{SummaryScreen.CSS_PATH}"]
    ALLOW_SELECT = False  # a drag draws; text selection would repaint the screen on every move
    SCREENS = {
        "details": screen("details", "DetailsScreen"),
        "generate": screen("generate", "GenerateScreen"),
        "atlas": screen("atlas", "AtlasScreen"),
        "help": screen("help", "HelpScreen"),
        "vae": screen("vae", "VAEScreen"),
        "graph": screen("graph", "GraphScreen"),
        "comparison": screen("comparison", "ComparisonScreen"),
        "training": screen("training", "TrainingScreen"),
    }
    ACTIONS = actions(
        "app",
        Action("question_mark", "help", "Keys", "Every key of this screen, and what it does",
               footer=0, key_display="?"),
        Action("q", "quit", "Quit", "Quit the app", footer=1),
        Action("e", "export", "Export",
               "Save the state as JSON: pixels, codes, every matrix, losses, edits"),
        Action("s", "screenshot_svg", "Screenshot", "Save what the terminal shows as an SVG"),
        Action("ctrl+p", "command_palette", "Palette", "Find any command by its name",
               palette=False),
        Action("tab", "focus_next", "Next panel", "Move the keyboard to the next panel",
               palette=False),
        Action("shift+tab", "focus_previous", "Previous panel",
               "Move the keyboard to the previous panel", palette=False),
    )  # fmt: skip
    BINDINGS = bindings(ACTIONS)

    # vars, not reactives: a change re-renders only the widgets that show it, never the screen
    trace: var[Trace | None] = var(None, init=False)
    straight: var[StraightThrough | None] = var(None, init=False)  # measured with the trace
    selection: var[Selection] = var(Selection, init=False)
    vae_trace: var[VAETrace | None] = var(None, init=False)
    gradients: var[GradientPath | None] = var(None, init=False)  # measured with the VAE's trace
    ae_trace: var[AETrace | None] = var(None, init=False)
    problems: var[dict[str, str]] = var(dict, init=False)  # kind → why it could not be loaded

    def __init__(
        self, weights: Path | None = None, model=None, opened=None, tour: int | None = None,
        exports: ExportPlace | None = ExportPlace(),
        latent_weights: dict[str, Path | None] | None = None, latent_models: dict | None = None,
        data: Path | None = None, data_sources: list | None = None, runs: Path = Path("runs"),
    ):  # fmt: skip
        """`opened`: (pixels, edits) of a state file to start from (`--open`); `tour`: the
        walkthrough's step (1-based) to start at; `exports`: where e and s save (None: off);
        `latent_weights`: the VAE's and the autoencoder's weights files ("vae", "ae" → a path,
        None for the shipped ones); `latent_models`: kind → (model, latent map), loaded
        already; `data_sources`: the IDX data sets found, which the training screen chooses from;
        `data`: the directory it starts with (default: the first source's; None: none found);
        `runs`: where its runs save."""
        super().__init__()
        self.data_sources = list(data_sources or [])
        first = self.data_sources[0].directory if self.data_sources else None
        self.data = data if data is not None else first
        self.runs = runs
        self.exports = exports
        guard_input_parser()
        self.set_up_models(weights, model, latent_weights, latent_models)
        self.error: str | None = None  # why the app could not go on, said by the CLI
        self.monochrome = bool(os.environ.get("NO_COLOR"))
        self.session = Session(*opened) if opened is not None else Session()
        self.session.on_change = self.session_changed
        self.tour = tour
        self.trace_pending = False
        self.quitting = False  # once set, no more input is handled

    def get_default_screen(self) -> Screen:
        return SummaryScreen()  # the summary is the default screen

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {
            "latent-highlight": "#ffd75f",  # the selected latent position, its patch and row
            "code-linked": "#3a3a1a",  # the lines of code that compute the linked matrix
        }

    def on_mount(self) -> None:
        if self.tour is not None:
            self.screen.enter_tour(self.tour)
        self.start_loading()

    # ---- the model and its traces -------------------------------------------------------

    def session_changed(self, what: str) -> None:
        if what in ("pixels", "latent"):
            self.request_trace()
        elif what == "selection":
            self.selection = self.session.selection

    def request_trace(self) -> None:
        """Trace after the events already queued: a burst of input costs one forward pass."""
        if not self.trace_pending:
            self.trace_pending = True
            self.call_later(self.update_trace)

    def update_trace(self) -> None:
        """One pass through each model the screens on view show (measured if one measures)."""
        from vqvae_tui.model import one_pass

        self.trace_pending = False
        wanted: dict[str, bool] = {}  # kind → measured
        for screen in self.current_screens():
            for kind, measured in getattr(screen, "TRACES", {}).items():
                wanted[kind] = wanted.get(kind, False) or measured
        session = self.session
        for kind, measured in wanted.items():
            model = self.model_of(kind)
            if model is None:
                continue  # traced once it has loaded
            traced, measurements = one_pass(
                kind, model, session.image, session.noise, session.cursor, measured
            )
            trace_name, measured_name = TRACED[kind]
            if measured_name is not None:
                setattr(self, measured_name, measurements)
            setattr(self, trace_name, traced)

    def current_screens(self) -> list[Screen]:
        """The screens on view: the top one, and those seen through it (below translucent
        screens such as help). Textual's own `is_current` counts the screen below an opaque
        one too, whose every repaint would then be composited under it for nothing."""
        on_view = []
        for screen in reversed(self.screen_stack):
            on_view.append(screen)
            if screen.styles.background.a == 1:
                break
        return on_view

    # ---- the keys that apply everywhere -------------------------------------------------

    async def action_quit(self) -> None:
        self.quitting = True  # keys queued behind q must not open screens on the way out
        self.exit()

    async def on_event(self, event: events.Event) -> None:
        if self.quitting and isinstance(event, events.InputEvent):
            return
        await super().on_event(event)

    def action_help(self) -> None:
        if self.screen.id != "help":  # there, ? closes it
            self.push_screen("help")

    def action_command_palette(self) -> None:
        from vqvae_tui.ui.screens.palette import Palette

        if self.use_command_palette and not Palette.open_in(self):
            self.push_screen(Palette())

    def get_system_commands(self, screen: Screen):
        yield from (command(self, action) for action in self.ACTIONS if action.palette)
        if hasattr(screen, "commands"):
            yield from screen.commands()
