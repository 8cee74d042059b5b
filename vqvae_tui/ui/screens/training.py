"""The training screen: settings with hints, a run in a child process (training/runner.py)
and what it sees, live: the three losses, code usage over the epoch with dead and restarted
codes, active codes / perplexity / dead codes over time, a PCA of encoder outputs with the
codes, validation digits with their reconstructions and images decoded from random codes.

The screen never waits for the run: a timer drains its events (TrainingRun.events never
blocks) into a RunRecord and redraws what they changed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical

from vqvae_tui.data.discovery import NO_DATA
from vqvae_tui.model.config import IMAGE
from vqvae_tui.settings import DEFAULTS, SETTINGS, command_line, split, with_value
from vqvae_tui.training.record import LOSSES, RunRecord
from vqvae_tui.training.runner import TrainingRun, new_run_path
from vqvae_tui.ui.actions import Action, actions, bindings
from vqvae_tui.ui.screens.base import ExplainerScreen
from vqvae_tui.ui.watching import POLL, RESTART_MARKED, Answers, may_train
from vqvae_tui.ui.widgets.charts import CodeScatter, Curves, UsageBars
from vqvae_tui.ui.widgets.footer import KeyFooter
from vqvae_tui.ui.widgets.lines import TextLines
from vqvae_tui.ui.widgets.picture import Picture

THUMB = IMAGE // 2  # the pictures' side, in pixels: 2×2 pixels averaged
LOSS_COLOURS = ["#5fafff", "#ffaf5f", "#87d787"]
CODE_CURVE_COLOURS = ["#87d787", "#d7afff", "#ff5f5f"]
VIEWS = ("losses", "usage", "codes", "pca", "pictures")  # the compact layout shows one


def shown_path(path: Path, width: int) -> str:
    """A directory as short as it reads: from the working directory or ~ if under it, and cut
    to `width` characters from the left (its end names it)."""
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            path = Path(prefix + str(Path(path).resolve().relative_to(base)))
            break
        except ValueError:
            continue
    text = str(path)
    return text if len(text) <= width else "…" + text[len(text) - width + 1 :]


def thumbnail(levels: list[int]) -> np.ndarray:
    """A picture sent as 0–255 levels, halved: each pixel the mean of 2×2."""
    image = np.asarray(levels, dtype=np.float64).reshape(IMAGE, IMAGE) / 255
    return image.reshape(THUMB, 2, THUMB, 2).mean(axis=(1, 3))


class TrainingScreen(ExplainerScreen):
    CSS_PATH = "training.tcss"
    HELP_TITLE = "The training screen"

    ACTIONS = actions(
        "training",
        Action("space", "start_or_pause", "Start/pause",
               "Start a run with these settings, or pause and resume it", footer=10),
        Action("n", "step", "One batch", "Pause, then train one batch at a time", footer=11),
        Action("x", "stop", "Stop", "Stop the run (its last complete epoch stays saved)",
               footer=12),
        Action("w", "use_weights", "Use weights",
               "Load the run's current weights into the explainer", footer=13),
        Action("c", "copy_command", "Copy command",
               "Copy these settings as one `vqvae-tui train` command", footer=14),
        Action("p", "export_script", "Export script",
               "Save these settings as a standalone PyTorch script that trains the same model"),
        Action("v", "next_view", "Next view", "Compact layout: show the next chart", footer=15),
        Action("up,k", "move_setting(-1)", "Setting up", "Select the setting above",
               palette=False, group="Settings", id="setting_up"),
        Action("down,j", "move_setting(1)", "Setting down", "Select the setting below",
               palette=False, group="Settings", id="setting_down"),
        Action("left,h,minus", "change_setting(-1)", "Smaller",
               "The selected setting's next smaller value", palette=False, group="Settings",
               id="smaller"),
        Action("right,l,plus", "change_setting(1)", "Larger",
               "The selected setting's next larger value", palette=False, group="Settings",
               id="larger"),
        Action("L,escape", "back", "Back", "Back to the explainer (the run goes on)",
               footer=16),
        Action("C", "collapse", "Collapse lab",
               "Two runs side by side: one codebook collapsing, one using every code",
               footer=17),
    )  # fmt: skip
    BINDINGS = bindings(ACTIONS)

    def __init__(self, replay: list[dict] | None = None):
        """`replay`: recorded events to show instead of a run (tests, screenshots)."""
        super().__init__(id="training")
        self.values = dict(DEFAULTS)
        self.selected = 1  # the row selected: 0 the data, then SETTINGS
        self.data_index = 0  # which of data_choices() to train on
        self.record = RunRecord()
        self.run: TrainingRun | None = None
        self.answers = Answers(self)
        self.view = "losses"
        monochrome = bool(self.app.monochrome)
        self.settings_text = TextLines(id="settings")
        self.losses = Curves(LOSS_COLOURS, log=True, id="losses")
        self.usage = UsageBars(id="usage")
        self.codes = Curves(CODE_CURVE_COLOURS, id="code-curves")
        self.pca = CodeScatter(id="pca")
        self.pictures = [
            [Picture(monochrome=monochrome, pixels=THUMB, id=f"{row}-{i}") for i in range(3)]
            for row in ("digit", "reconstruction", "decoded")
        ]
        self.status = TextLines(id="training-status")
        self.replay = replay

    def compose(self) -> ComposeResult:
        with Horizontal(id="training-body"):
            with Container(classes="panel", id="settings-panel"):
                yield self.settings_text
            with Vertical(id="training-views"):
                with Horizontal(id="training-upper", classes="band"):
                    with Vertical(id="training-middle", classes="band"):
                        with Container(classes="panel view", id="usage-panel"):
                            yield self.usage
                        with Container(classes="panel view", id="pca-panel"):
                            yield self.pca
                    with Container(classes="panel view", id="pictures-panel"):
                        for row in self.pictures:
                            with Horizontal(classes="picture-row"):
                                yield from row
                with Horizontal(id="training-lower", classes="band"):
                    with Container(classes="panel view", id="losses-panel"):
                        yield self.losses
                    with Container(classes="panel view", id="codes-panel"):
                        yield self.codes
        yield self.status
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        titles = {
            "settings-panel": ("Settings", "← → change · ~ live"),
            "losses-panel": ("Losses per batch (log)",
                             "reconstruction · codebook · commitment"),
            "usage-panel": ("Usage this epoch", "✗ dead · ↻ restarted"),
            "codes-panel": ("Codes over the epoch", "active · perplexity · dead"),
            "pca-panel": ("PCA of a batch's z_e", "· vectors · labels: codes"),
            "pictures-panel": ("Validation → reconstruction", "last row: random codes"),
        }  # fmt: skip
        for panel, (title, subtitle) in titles.items():
            box = self.query_one(f"#{panel}")
            box.border_title, box.border_subtitle = title, subtitle
        self.show_settings()
        self.show_status()
        self.show_view()
        if self.replay is not None:
            for event in self.replay:
                self.record.add(event)
            self.show_run({event["kind"] for event in self.replay})
        self.poll_timer = self.set_interval(POLL, self.poll)

    def on_unmount(self) -> None:
        if self.run is not None:
            self.run.close(timeout=3)  # the last complete epoch stays; a save is one set

    def show(self) -> None:
        """Shown again: what the run did meanwhile."""
        self.show_run({"started", "batch", "restart", "view"} if self.record.batches else set())

    def layout_changed(self, name: str) -> None:
        self.show_view()

    def on_resize(self, event) -> None:
        super().on_resize(event)
        self.call_after_refresh(self.show_texts)  # their lines wrap at the new widths

    def show_texts(self) -> None:
        self.show_settings()
        self.show_status()

    # ---- the run ------------------------------------------------------------------------

    def poll(self) -> bool:
        """Take the run's events and show what they changed; whether any came."""
        if self.run is None:
            return False
        changed = set()
        events = self.run.events()
        for event in events:
            if event["kind"] == "weights":
                self.weights_arrived(event)
            else:
                changed.add(self.record.add(event))
        if changed and self.app.screen is self:  # else drawn when it is shown again
            self.show_run(changed)
        if self.run.ended and changed & {"finished", "stopped", "failed", "lost"}:
            severity = "information" if self.record.state in ("finished", "stopped") else "error"
            self.notify(f"training {self.record.state}: {self.record.message}",
                        severity=severity, timeout=8, markup=False)  # fmt: skip
        return bool(events)

    def command(self, *command) -> None:
        """Send the run a command, and look at its answer soon."""
        self.run.send(*command)
        self.answers.expect()

    def show_run(self, changed: set[str]) -> None:
        record = self.record
        if "started" in changed:  # the settings shown are the run's
            self.values.update(record.started["model"], **record.started["options"])
        if "batch" in changed:
            self.losses.show([record.losses[name] for name in LOSSES])
            self.codes.show([record.active, record.perplexity, record.dead])
        if changed & {"batch", "restart"}:
            self.usage.show(record.counts, record.restarted_lately(RESTART_MARKED))
        if "view" in changed and record.view is not None:
            view = record.view
            self.pca.show(view["points"], view["codes"])
            for row, kind in zip(self.pictures, ("digits", "reconstructions", "decoded")):
                for picture, levels in zip(row, view[kind]):
                    picture.show(thumbnail(levels))
        self.show_status()
        self.show_settings()

    def data_choices(self) -> list[tuple[str, Path]]:
        """(name, directory) of each data set found (discovery's), the app's own first."""
        choices = [(source.name, source.directory) for source in self.app.data_sources]
        if self.app.data is not None and all(d != self.app.data for _, d in choices):
            choices.insert(0, ("IDX files", self.app.data))
        return choices

    def data(self) -> Path | None:
        choices = self.data_choices()
        return choices[self.data_index % len(choices)][1] if choices else None

    def action_start_or_pause(self) -> None:
        if self.record.live and self.run is not None:
            self.command("resume" if self.record.state == "paused" else "pause")
            return
        if not may_train(self):
            return
        self.record = RunRecord(state="starting")
        self.run = TrainingRun(self.values, self.data(), new_run_path(self.app.runs))
        self.run.start()
        self.show_status()

    def action_step(self) -> None:
        if self.run is None or not self.record.live:
            self.notify("no run to step: space starts one", timeout=3)
            return
        if self.record.state != "paused":
            self.command("pause")
        self.command("step")

    def action_stop(self) -> None:
        if self.run is not None and self.record.live:
            self.command("stop")

    def action_use_weights(self) -> None:
        if self.run is None or not self.record.live:
            self.notify("no run to take weights from: space starts one", timeout=3)
            return
        self.command("weights")

    def weights_arrived(self, event: dict) -> None:
        """The weights the run sent (asked for by w): into the explainer."""
        from vqvae_tui.errors import UserError
        from vqvae_tui.model.weights import from_bytes

        if event["tensors"] is None:
            self.notify("the run has not trained a batch yet", timeout=3)
            return
        try:
            model = from_bytes(event["tensors"], event["sidecar"], "the run's weights")
        except UserError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        name = f"{self.run.out.name} at epoch {event['epoch']}, batch {event['step']}"
        self.app.use_model(model, name)
        self.notify(f"the explainer now shows the run's weights: {name}", timeout=5)
        self.show_status()

    def action_collapse(self) -> None:
        if self.app.screen is self:  # keys already queued may arrive after another opened
            self.app.push_screen("collapse")

    def action_copy_command(self) -> None:
        out = self.run.out if self.run is not None else new_run_path(self.app.runs)
        line = command_line(self.values, self.data() or Path("DIR"), out)
        self.app.copy_to_clipboard(line)
        self.notify(f"copied: {line}", timeout=8, markup=False)

    def action_export_script(self) -> None:
        from vqvae_tui.errors import UserError
        from vqvae_tui.script import LEAVES_OUT, standalone_script

        data = self.data()
        try:
            text = standalone_script(self.values, data.resolve() if data else Path("DIR"))
        except UserError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        then = "python {name} trains these settings and saves its weights beside it"
        then += "" if data else "; set DATA at its top to a directory of IDX files"
        self.app.save("script", ".py", text, f"{then}; it leaves out {LEAVES_OUT}")

    # ---- the settings -------------------------------------------------------------------

    def action_move_setting(self, step: int) -> None:
        self.selected = (self.selected + step) % (len(SETTINGS) + 1)
        self.show_settings()

    def action_change_setting(self, step: int) -> None:
        if self.selected == 0:
            self.change_data(step)
            return
        setting = SETTINGS[self.selected - 1]
        if self.record.live and not setting.live_in(self.values):
            self.notify(f"{setting.title} cannot change while a run trains: x stops it",
                        severity="warning", timeout=4)  # fmt: skip
            return
        value = setting.next_value(self.values[setting.name], step)
        self.values = with_value(self.values, setting.name, value)
        split(self.values)  # every choice is valid (tests/test_settings.py)
        if self.record.live and self.run is not None:
            self.command("change", setting.name, value)
        self.show_settings()

    def change_data(self, step: int) -> None:
        if self.record.live:
            self.notify("the data cannot change while a run trains: x stops it",
                        severity="warning", timeout=4)  # fmt: skip
            return
        choices = max(1, len(self.data_choices()))
        self.data_index = max(0, min(choices - 1, self.data_index % choices + step))
        self.show_settings()

    def show_settings(self) -> None:
        choices = self.data_choices()
        name, directory = choices[self.data_index % len(choices)] if choices else ("none", "")
        text = Text()
        text.append(f"{'data':<16}{name:<10}", "reverse" if self.selected == 0 else "")
        width = max(8, self.settings_text.size.width - 2)
        text.append(f"\n  {shown_path(directory, width)}\n" if directory else "\n\n")
        for i, setting in enumerate(SETTINGS, start=1):
            live = "~" if setting.live_in(self.values) else " "
            shown = setting.shown(self.values[setting.name])
            row = f"{setting.title:<16}{shown:<10}{live}"
            text.append(row, "reverse" if i == self.selected else "")
            text.append("\n")
        if self.selected == 0:
            found = f"{len(choices)} found" if choices else "none found"
            text.append(f"\nthe images to train on ({found}; --data DIR gives another)")
        else:
            setting = SETTINGS[self.selected - 1]
            when = "changes mid-run" if setting.live_in(self.values) else "set before a run"
            text.append(f"\n{setting.hint}.\n{setting.range}; {when}; {setting.flag}")
        if not choices:
            text.append(f"\n\n{NO_DATA}", "bold")
        self.settings_text.update(text)

    def show_status(self) -> None:
        record = self.record
        words = [record.state]
        if record.batches:
            epoch, epochs, step, steps = record.position
            words.append(f"epoch {epoch}/{epochs}, batch {step}/{steps}")
        if record.epochs:
            last = record.epochs[-1]
            words.append(f"validation MSE {last['mse']:.4f}, {last['codes_used']} codes")
        if record.counts:
            words.append(f"active {record.active[-1]}, perplexity {record.perplexity[-1]:.2f}")
        if record.message:
            words.append(record.message)
        if self.app.model_name:
            words.append(f"explainer: {self.app.model_name}")
        self.status.update(" · ".join(words))

    # ---- the compact layout: one view at a time -----------------------------------------

    def action_next_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.show_view()

    def show_view(self) -> None:
        for band in self.query(".band"):
            band.set_class(False, "-shown")
        for view in VIEWS:
            panel = self.query_one(f"#{view}-panel")
            panel.set_class(view == self.view, "-shown")
            if view == self.view:
                for band in panel.ancestors:
                    if band.has_class("band"):
                        band.set_class(True, "-shown")
