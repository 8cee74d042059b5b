"""The collapse lab: two runs side by side (training/runner.py, a child process each) on the
same data and seed, with the settings of a preset (vqvae_tui/presets.py): for each its usage
bars and its figures now, and both runs' perplexity and active codes overlaid on one chart
each, their curves labelled A and B at their ends (told apart without colour too).

The screen never waits for the runs: a timer drains both runs' events into a RunRecord each.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical

from vqvae_tui.data.discovery import NO_DATA
from vqvae_tui.presets import PRESETS, Preset, Side, differences
from vqvae_tui.settings import BY_NAME, split
from vqvae_tui.training.record import RunRecord
from vqvae_tui.training.runner import TrainingRun, new_run_paths
from vqvae_tui.ui.actions import Action, actions, bindings
from vqvae_tui.ui.screens.base import ExplainerScreen
from vqvae_tui.ui.watching import POLL, RESTART_MARKED, Answers, may_train
from vqvae_tui.ui.widgets.charts import Curves, UsageBars
from vqvae_tui.ui.widgets.footer import KeyFooter
from vqvae_tui.ui.widgets.lines import TextLines

TAGS = "AB"
SIDE_COLOURS = ["#5fafff", "#ffaf5f"]  # A, B: their panels' titles and their curves
SHARED = {"num_codes": "K", "dim": "D", "epochs": "epochs", "batch_size": "batch",
          "augment": "augment", "seed": "seed"}  # fmt: skip  # both sides', shown once
RUN_NAMES = ("collapse-{}-a", "collapse-{}-b")  # under the app's runs directory
CHARTS = ("perplexity", "active")  # the compact layout shows one (v: the other)


class CollapseScreen(ExplainerScreen):
    CSS_PATH = "collapse.tcss"
    HELP_TITLE = "The collapse lab"
    TRACES = {}  # it shows no drawing: nothing to trace
    WATCHES = ()

    ACTIONS = actions(
        "collapse",
        Action("right,l", "preset(1)", "Next preset",
               "The next pair of settings (before a start)", footer=10, id="next_preset"),
        Action("left,h", "preset(-1)", "Previous preset",
               "The previous pair of settings (before a start)", id="previous_preset"),
        Action("space", "start_or_pause", "Start/pause",
               "Start both runs, or pause and resume both", footer=11),
        Action("n", "step", "One batch each", "Pause both, then train one batch in each",
               footer=12),
        Action("x", "stop", "Stop", "Stop both runs (each one's last complete epoch stays saved)",
               footer=13),
        Action("v", "next_chart", "Other chart",
               "Compact layout: perplexity or active codes", footer=14),
        Action("C,escape", "back", "Back", "Back to the training screen (the runs go on)",
               footer=15),
    )  # fmt: skip
    BINDINGS = bindings(ACTIONS)

    def __init__(self, replay: tuple[int, list[list[dict]]] | None = None, shared=None):
        """`replay`: a preset's number and both runs' recorded events, shown instead of runs
        (tests, screenshots); `shared`: settings given to both sides over the preset's (tests:
        a run small enough for the tiny data set)."""
        super().__init__(id="collapse")
        self.preset_index = 0
        self.shared = dict(shared or {})
        self.records = [RunRecord(), RunRecord()]
        self.runs: list[TrainingRun | None] = [None, None]
        self.answers = Answers(self)
        self.chart = "perplexity"
        self.header = TextLines(id="collapse-header")
        self.side_texts = [TextLines(id=f"side-{tag.lower()}-text") for tag in TAGS]
        self.usage = [UsageBars(id=f"usage-{tag.lower()}") for tag in TAGS]
        self.perplexity = Curves(SIDE_COLOURS, labels=TAGS, id="perplexity")
        self.active = Curves(SIDE_COLOURS, labels=TAGS, id="active")
        self.replay = replay

    def compose(self) -> ComposeResult:
        with Container(classes="panel", id="preset-panel"):
            yield self.header
        with Horizontal(id="sides"):
            for tag, text, usage in zip(TAGS, self.side_texts, self.usage):
                with Vertical(classes="panel side", id=f"side-{tag.lower()}"):
                    yield text
                    yield usage
        with Horizontal(id="overlaid"):
            with Container(classes="panel chart", id="perplexity-panel"):
                yield self.perplexity
            with Container(classes="panel chart", id="active-panel"):
                yield self.active
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#perplexity-panel").border_title = "Perplexity over batches"
        self.query_one("#active-panel").border_title = "Active codes over batches"
        for panel in ("#perplexity-panel", "#active-panel"):
            self.query_one(panel).border_subtitle = "over each epoch so far · A, B at the ends"
        if self.replay is not None:
            self.preset_index, recorded = self.replay
            for record, events in zip(self.records, recorded):
                for event in events:
                    record.add(event)
        self.show_chart()
        self.show_all()
        self.set_interval(POLL, self.poll)

    def on_unmount(self) -> None:
        self.close_runs()

    def close_runs(self) -> None:
        """Stop both (each one's last complete epoch stays: a save is one set), then wait."""
        for run in self.runs:
            if run is not None:
                run.send("stop")
        for run in self.runs:
            if run is not None:
                run.close(timeout=3)

    def show(self) -> None:
        self.show_all()

    def layout_changed(self, name: str) -> None:
        self.show_chart()

    def on_resize(self, event) -> None:
        super().on_resize(event)
        self.call_after_refresh(self.show_texts)  # their lines wrap at the new widths

    # ---- what the pair is -----------------------------------------------------------------

    @property
    def preset(self) -> Preset:
        return PRESETS[self.preset_index]

    def sides(self) -> list[Side]:
        """The two sides as they run: a started run's own settings, else the preset's (with
        the shared settings over them)."""
        sides = []
        for side, record in zip(self.preset.sides, self.records):
            if record.started is not None:
                values = {**record.started["model"], **record.started["options"]}
            else:
                values = {**side.values, **self.shared}
            sides.append(Side(side.name, values))
        return sides

    def data(self) -> Path | None:
        return self.app.data

    @property
    def live(self) -> list[int]:
        """The sides whose child trains (or is paused)."""
        return [i for i, record in enumerate(self.records) if record.live and self.runs[i]]

    # ---- the keys -------------------------------------------------------------------------

    def action_preset(self, step: int) -> None:
        if any(record.live for record in self.records):
            self.notify("the presets change between runs: x stops both", timeout=3)
            return
        self.preset_index = (self.preset_index + step) % len(PRESETS)
        self.records = [RunRecord(), RunRecord()]  # the last pair's figures were another's
        self.show_all()

    def action_start_or_pause(self) -> None:
        live = self.live
        if live:
            paused = all(self.records[i].state == "paused" for i in live)
            for i in live:
                self.runs[i].send("resume" if paused else "pause")
            self.answers.expect()
            return
        if not may_train(self):
            return
        self.close_runs()  # the last pair's children, ended already
        paths = new_run_paths(self.app.runs, RUN_NAMES)
        self.records = [RunRecord(state="starting"), RunRecord(state="starting")]
        self.runs = [
            TrainingRun({**side.values, **self.shared}, self.data(), out)
            for side, out in zip(self.preset.sides, paths)
        ]
        for run in self.runs:
            run.start()
        self.show_all()

    def action_step(self) -> None:
        live = self.live
        if not live:
            self.notify("no runs to step: space starts both", timeout=3)
            return
        for i in live:
            if self.records[i].state != "paused":
                self.runs[i].send("pause")
            self.runs[i].send("step")
        self.answers.expect()

    def action_stop(self) -> None:
        for i in self.live:
            self.runs[i].send("stop")
        self.answers.expect()

    def action_next_chart(self) -> None:
        self.chart = CHARTS[(CHARTS.index(self.chart) + 1) % len(CHARTS)]
        self.show_chart()

    # ---- the runs -------------------------------------------------------------------------

    def poll(self) -> bool:
        """Take both runs' events and show what they changed; whether any came."""
        changed = arrived = False
        for tag, run, record in zip(TAGS, self.runs, self.records):
            if run is None:
                continue
            events = run.events()
            arrived = arrived or bool(events)
            for event in events:
                if event["kind"] != "view":  # the lab shows no PCA and no pictures
                    changed = True
                    if record.add(event) in ("failed", "lost"):
                        self.notify(f"run {tag} {record.state}: {record.message}",
                                    severity="error", timeout=8, markup=False)  # fmt: skip
        if changed and self.app.screen is self:  # else drawn when it is shown again
            self.show_all()
        return arrived

    def show_all(self) -> None:
        self.perplexity.show([record.perplexity for record in self.records])
        self.active.show([record.active for record in self.records])
        for usage, record in zip(self.usage, self.records):
            usage.show(record.counts, record.restarted_lately(RESTART_MARKED))
        self.show_texts()

    def show_texts(self) -> None:
        self.show_header()
        a, b = self.sides()
        for tag, side, other, record, text, panel in zip(
            TAGS, (a, b), (b, a), self.records, self.side_texts, self.query(".side")
        ):
            panel.border_title = f"{tag} · {side.name}"
            text.update(side_words(side, other, record, self.layout_name != "full"))

    def show_header(self) -> None:
        preset = self.preset
        a, _ = self.sides()
        text = Text()
        text.append(f"Preset {self.preset_index + 1}/{len(PRESETS)} · ", "dim")
        text.append(preset.title, "bold")
        text.append(f"\n{preset.explanation}\n")
        shared = " · ".join(
            f"{label} {BY_NAME[name].shown(a.values[name])}" for name, label in SHARED.items()
        )
        text.append(f"Both: {shared} · data {self.data() or 'none found'}", "dim")
        if self.data() is None:
            text.append(f"\n{NO_DATA}", "bold")
        self.header.update(text)

    # ---- the compact layout: one chart at a time ------------------------------------------

    def show_chart(self) -> None:
        for chart in CHARTS:
            self.query_one(f"#{chart}-panel").set_class(chart == self.chart, "-shown")


def side_words(side: Side, other: Side, record: RunRecord, compact: bool) -> Text:
    """A side's settings where it differs from the other's, its state and its figures now
    (and, unless `compact`, the validation figures of its last epoch)."""
    text = Text()
    shown = differences(side, other)
    text.append(" · ".join(f"{title} {value}" for title, value in shown) or "as the other")
    text.append("\n")
    words = [record.state]
    if record.batches:
        epoch, epochs, step, steps = record.position
        words.append(f"epoch {epoch}/{epochs}, batch {step}/{steps}")
    text.append(" · ".join(words), "bold" if record.live else "")
    k = split(side.values)[0].num_codes
    between = "\n" if compact else " · "  # 38 columns hold two of the three, not all
    if record.counts:
        text.append(
            f"\nactive {record.active[-1]}/{k} · dead {record.dead[-1]}{between}"
            f"perplexity {record.perplexity[-1]:.2f}"
        )
    else:
        text.append(f"\nactive – · dead –{between}perplexity –", "dim")
    if record.epochs and not compact:
        last = record.epochs[-1]
        text.append(
            f"\nvalidation, epoch {last['epoch']}: {codes(last['codes_used'])},"
            f" perplexity {last['perplexity']:.2f}, MSE {last['mse']:.4f}",
            "dim",
        )
    if record.state in ("failed", "lost"):
        text.append(f"\n{record.message}", "bold red")
    return text


def codes(count: int) -> str:
    return f"{count} code" if count == 1 else f"{count} codes"
