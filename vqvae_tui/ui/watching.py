"""Watching training runs from a screen (the training screen, the collapse lab): how often it
looks at their events, how soon after a command, and whether it may start one."""

from __future__ import annotations

import time

from vqvae_tui.data.discovery import NO_DATA

# Seconds between two looks at the run's events, and the redraws they bring. Every redraw takes
# the app's process a moment of a core that the run's two torch threads then wait for: looking 4
# times a second, the run trained at 74–87% of `vqvae-tui train`'s speed; twice, at a median of
# 95% (benchmarks/bench_training.py, README).
POLL = 1 / 2
ANSWER = 0.05  # seconds between two looks after a command (Answers)
ANSWER_WINDOW = 0.3  # seconds of them at least: a pause and then a step answer one after the other
ANSWER_LOOKS = 60  # at most (3 s): then the polls go on as before
RESTART_MARKED = 50  # batches a restarted code stays marked ↻


def may_train(screen) -> bool:
    """Whether a screen that starts runs may start one now; if not, it says why: a server
    that saves nothing trains nothing either, and there must be data."""
    if screen.app.exports is None:
        screen.notify("training is turned off on this server", severity="warning")
        return False
    if screen.data() is None:
        screen.notify(NO_DATA, severity="warning", timeout=8, markup=False)
        return False
    return True


class Answers:
    """After a command to a run, looks at its events every ANSWER seconds: until the first come
    (at most ANSWER_LOOKS looks) and for ANSWER_WINDOW seconds at least, so a pause, a stepped
    batch or a changed setting shows at once, not at the next poll. `screen.poll()` takes the
    events and says whether any came."""

    def __init__(self, screen):
        self.screen = screen
        self.looks = 0  # looks left; 0: not looking
        self.until = 0.0
        self.answered = True

    def expect(self) -> None:
        self.until, self.answered = time.monotonic() + ANSWER_WINDOW, False
        if not self.looks:
            self.screen.set_timer(ANSWER, self.look)
        self.looks = ANSWER_LOOKS

    def look(self) -> None:
        self.answered = self.screen.poll() or self.answered
        self.looks -= 1
        if self.looks > 0 and (not self.answered or time.monotonic() < self.until):
            self.screen.set_timer(ANSWER, self.look)
        else:
            self.looks = 0
