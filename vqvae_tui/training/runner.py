"""A training run in a child process, controlled through a pipe; it streams what it sees.

The child is started with the spawn method (a fresh interpreter, never a fork of a process
whose threads hold locks) and runs the training loop of training/train.py: its schedule, its
codebook options and its saves, one set each epoch. The parent sends commands (pause, resume,
step, stop, a live setting's new value, a request for the current weights) and reads events
without ever waiting (`TrainingRun.events`). Each event is a dict of plain values (JSON, so a
run can be recorded and replayed) with its `kind`:

  started   the run's settings, data and steps per epoch
  batch     the three losses of one batch; the code counts over the epoch so far
  restart   the dead codes restarted after a batch
  view      a PCA of a batch's encoder outputs with the codes projected alike; validation
            digits, their reconstructions and images decoded from fixed random codes
  epoch     the validation figures after an epoch, and what was saved
  state     running or paused;  changed  a live setting took its new value
  weights   the current tensors (bytes, not JSON) and the sidecar that describes them
  finished / stopped / failed / lost   how it ended (lost: the child died without a word)
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from dataclasses import asdict
from pathlib import Path

from vqvae_tui.settings import LIVE, split

VIEW_EVERY = 25  # batches between two views (and the first batch, each step, each pause)
VIEW_POINTS = 400  # encoder outputs shown in the PCA
VIEW_DIGITS = 3  # validation digits (and as many random grids) shown
ENDED = ("finished", "stopped", "failed", "lost")
# The child's scheduling priority below the app's. A stroke on the summary while a run trains
# took 15.7–18.8 ms (median of 110) at 5, 11.1–13.3 ms at 10 and 12.6–14.8 ms at 19, and the
# run in the app kept 94–101% of the train command's speed at 10: the app's moments of a core
# are few. Higher gains no more, and a busy machine (a class's sessions) would leave a run next
# to nothing: the scheduler weighs a process at nice 19 15 against 1,024 at 0 (110 at 10).
NICENESS = 10


def new_run_path(runs: Path) -> Path:
    """runs/run-N for the first N whose weights are not there yet."""
    return new_run_paths(runs, ("run-{}",))[0]


def new_run_paths(runs: Path, names: tuple[str, ...]) -> list[Path]:
    """runs/NAME for each name ("collapse-{}-a": N in place of {}), for the first N none of
    whose weights are there yet: runs started together get one number."""
    number = 1
    while any((runs / f"{name.format(number)}.json").exists() for name in names):
        number += 1
    return [runs / name.format(number) for name in names]


class TrainingRun:
    """The parent's side: start the child, send it commands, drain its events."""

    def __init__(self, settings: dict, data: Path, out: Path):
        split(settings)  # one line now for a bad setting, not a failed child later
        self.settings = dict(settings)
        self.data = Path(data)
        self.out = Path(out)
        self.process = None
        self.connection = None
        self.ended: str | None = None  # how it ended, once it has

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=child_main,
            args=(child_end, self.settings, str(self.data), str(self.out)),
            name="vqvae-tui training",
            daemon=True,  # ends with the app, whatever happens to it
        )
        # The app captures sys.stdout and sys.stderr (their descriptors are not real), and the
        # spawn start passes stderr's descriptor on: the real ones while it starts.
        captured = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        try:
            self.process.start()
        finally:
            sys.stdout, sys.stderr = captured
            child_end.close()

    @property
    def started(self) -> bool:
        return self.process is not None

    def send(self, command: str, *arguments) -> None:
        """pause, resume, step, stop, weights, or change NAME VALUE (a live setting)."""
        if command == "change" and arguments[0] not in LIVE:
            raise ValueError(f"{arguments[0]} cannot change while a run trains")
        if self.connection is None or self.ended:
            return
        try:
            self.connection.send((command, *arguments))
        except (BrokenPipeError, OSError):
            pass  # the child is gone: events() reports how

    def events(self) -> list[dict]:
        """Every event the child has sent so far; never waits."""
        if self.connection is None or self.ended == "lost":
            return []
        events = []
        try:
            while self.connection.poll():
                event = self.connection.recv()
                events.append(event)
                if event["kind"] in ENDED:
                    self.ended = event["kind"]
        except (EOFError, OSError):
            if not self.ended:
                events.append(self.lost())
        return events

    def lost(self) -> dict:
        """The child ended without saying how: say so, with what is on disk."""
        self.process.join(timeout=5)
        code = self.process.exitcode
        how = f"was killed (signal {-code})" if code is not None and code < 0 else "ended"
        self.ended = "lost"
        return {"kind": "lost", "message": f"the training process {how}; {saved_words(self.out)}"}

    def close(self, timeout: float = 10) -> None:
        """Stop the child (its last complete epoch stays saved) and wait for it, then kill it
        if it would not stop."""
        if self.process is None or self.process.pid is None:  # never started
            return
        self.send("stop")
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def saved_words(out: Path) -> str:
    """What `out` holds, in words."""
    from vqvae_tui.training.saves import saved_epochs

    try:
        epochs = saved_epochs(out)
    except Exception as error:  # a set cut short, unreadable: say so, never raise here
        return f"{out} may hold an earlier epoch ({error})"
    if not epochs:
        return f"nothing was saved at {out} (the first epoch had not ended)"
    return f"{out} holds the last complete epoch ({epochs})"


def child_main(connection, settings: dict, data: str, out: str) -> None:
    """The child: train, answering commands between batches, until done or told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the app's key, not the child's
    lower_priority(NICENESS)  # the app's keys first: it needs the cores for moments, the run always
    quiet = os.open(os.devnull, os.O_WRONLY)  # nothing may print over the app's screen:
    os.dup2(quiet, 1)  # what the run has to say comes as events
    os.dup2(quiet, 2)
    from vqvae_tui.errors import UserError
    from vqvae_tui.training.control import Controlled

    try:
        Controlled(connection, settings, Path(data), Path(out)).run()
    except (BrokenPipeError, EOFError, OSError) as error:  # the app is gone, or the disk
        if not isinstance(error, (BrokenPipeError, EOFError)):
            quietly_send(connection, {"kind": "failed", "message": f"{out}: {error}"})
    except UserError as error:
        quietly_send(connection, {"kind": "failed", "message": str(error)})
    except Exception as error:  # anything else: said, never a silent child
        quietly_send(connection, {"kind": "failed", "message": f"training failed: {error!r}"})
    finally:
        connection.close()


def lower_priority(niceness: int) -> None:
    """This process's threads `niceness` lower, those to come too. On Linux a priority is a
    thread's: os.nice would lower only the calling one and those it starts later, not a thread
    an import started already (numpy's BLAS)."""
    try:
        threads = [int(task) for task in os.listdir("/proc/self/task")]
    except OSError:  # no /proc: the priority is the process's
        os.nice(niceness)
        return
    for thread in threads:
        try:
            now = os.getpriority(os.PRIO_PROCESS, thread)
            os.setpriority(os.PRIO_PROCESS, thread, min(19, now + niceness))
        except OSError:  # ended meanwhile
            pass


def quietly_send(connection, event: dict) -> None:
    try:
        connection.send(event)
    except (BrokenPipeError, OSError):
        pass


def describe(settings: dict) -> dict:
    """The settings as the started event carries them: the model's and the options' halves."""
    config, options = split(settings)
    return {"model": config.to_dict(), "options": asdict(options)}
