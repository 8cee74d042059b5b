"""What a training screen shows of a run: its events (training/runner.py) gathered into
series. Plain Python, so a recorded run replays exactly (tests, screenshots)."""

from __future__ import annotations

from dataclasses import dataclass, field

LOSSES = ("reconstruction", "codebook", "commitment")


@dataclass
class RunRecord:
    started: dict | None = None
    state: str = "ready"  # ready, starting, running, paused, finished, stopped, failed, lost
    message: str = ""  # how it ended, or what it saved last
    losses: dict = field(default_factory=lambda: {name: [] for name in LOSSES})
    active: list = field(default_factory=list)  # codes used over the epoch so far, per batch
    perplexity: list = field(default_factory=list)
    dead: list = field(default_factory=list)
    counts: list = field(default_factory=list)  # the last batch's epoch-so-far counts
    restarts: list = field(default_factory=list)  # (epoch, step, codes)
    view: dict | None = None
    epochs: list = field(default_factory=list)  # the epoch events
    changes: list = field(default_factory=list)  # (setting, value)
    position: tuple = (0, 0, 0, 0)  # epoch, epochs, step, steps of the last batch

    def add(self, event: dict) -> str:
        """Take one event; the name of what it changed."""
        kind = event["kind"]
        if kind == "started":
            self.started, self.state = event, "running"
        elif kind == "batch":
            for name in LOSSES:
                self.losses[name].append(event[name])
            self.active.append(event["active"])
            self.perplexity.append(event["perplexity"])
            self.dead.append(event["dead"])
            self.counts = event["counts"]
            self.position = (event["epoch"], event["epochs"], event["step"], event["steps"])
        elif kind == "restart":
            self.restarts.append((event["epoch"], event["step"], event["codes"]))
        elif kind == "view":
            self.view = event
        elif kind == "epoch":
            self.epochs.append(event)
            self.message = event["saved"]
        elif kind == "state":
            self.state = event["state"]
        elif kind == "changed":
            self.changes.append((event["setting"], event["value"]))
        elif kind in ("finished", "stopped", "failed", "lost"):
            self.state, self.message = kind, event["message"]
        return kind

    @property
    def batches(self) -> int:
        return len(self.active)

    @property
    def ended(self) -> bool:
        return self.state in ("finished", "stopped", "failed", "lost")

    @property
    def live(self) -> bool:
        """A child is training (or paused): commands reach it."""
        return self.state in ("starting", "running", "paused")

    def restarted_lately(self, batches: int) -> list[int]:
        """The codes restarted in the last `batches` batches."""
        if not self.restarts or not self.batches:
            return []
        epoch, _, step, steps = self.position
        now = (epoch - 1) * steps + step
        return sorted({
            code for e, s, codes in self.restarts if now - ((e - 1) * steps + s) < batches
            for code in codes
        })  # fmt: skip
