"""A training run in a child process: it streams what it sees, obeys pause, step, resume,
stop and live settings, hands over its current weights, and a killed child is reported."""

import json
import os
import signal
import time

import pytest
import torch

from vqvae_tui.model import load, read_metadata
from vqvae_tui.model.config import GRID, IMAGE
from vqvae_tui.model.weights import from_bytes
from vqvae_tui.settings import DEFAULTS
from vqvae_tui.training.control import principal_axes
from vqvae_tui.training.runner import VIEW_DIGITS, TrainingRun

TINY = {**DEFAULTS, "num_codes": 8, "dim": 4, "batch_size": 16}


class Watched:
    """A run and every event it sent, read as a UI would (never waiting on the child)."""

    def __init__(self, tiny_mnist, out, **settings):
        self.run = TrainingRun({**TINY, **settings}, tiny_mnist, out)
        self.seen: list[dict] = []

    def __enter__(self):
        self.run.start()
        return self

    def __exit__(self, *exc):
        self.run.close()

    def until(self, done, timeout: float = 120) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.seen += self.run.events()
            if done(self.seen):
                return self.seen
            time.sleep(0.02)
        raise AssertionError(
            f"timed out; saw {[e['kind'] for e in self.seen][-20:]}: {self.seen[-1:]}"
        )

    def kinds(self, kind: str) -> list[dict]:
        return [event for event in self.seen if event["kind"] == kind]


def ended(events) -> bool:
    return bool(events) and events[-1]["kind"] in ("finished", "stopped", "failed", "lost")


def test_a_run_streams_its_losses_usage_views_and_epochs(tiny_mnist, tmp_path):
    with Watched(tiny_mnist, tmp_path / "w", epochs=2) as watched:
        events = watched.until(ended)
    assert events[0]["kind"] == "started" and events[0]["steps"] == 12  # 180 digits / 16
    assert events[-1] == {"kind": "finished", "message": f"{tmp_path / 'w'} holds the last"
                          " complete epoch (2)"}  # fmt: skip
    batches = watched.kinds("batch")
    assert [(b["epoch"], b["step"]) for b in batches] == [
        (e, s) for e in (1, 2) for s in range(1, 13)
    ]
    for batch in batches:
        assert all(batch[loss] > 0 for loss in ("reconstruction", "codebook", "commitment"))
        assert batch["active"] + batch["dead"] == 8
        # counted over the epoch so far: every position of every batch of the epoch
        digits = min(batch["step"] * 16, 180)
        assert sum(batch["counts"]) == digits * GRID * GRID
        assert batch["active"] == sum(c > 0 for c in batch["counts"])
        assert 1 <= batch["perplexity"] <= batch["active"] + 1e-4
    assert batches[-1]["reconstruction"] < batches[0]["reconstruction"]
    view = watched.kinds("view")[-1]
    assert len(view["codes"]) == 8 and all(len(point) == 2 for point in view["points"])
    assert len(view["points"]) == 400
    for pictures in ("digits", "reconstructions", "decoded"):
        assert len(view[pictures]) == VIEW_DIGITS and len(view[pictures][0]) == IMAGE * IMAGE
    epochs = watched.kinds("epoch")
    assert [e["epoch"] for e in epochs] == [1, 2]
    assert epochs[-1]["mse"] == pytest.approx(read_metadata(tmp_path / "w")["validation"]["mse"])
    json.dumps(events)  # plain values: a run can be recorded and replayed
    load(tmp_path / "w")


def test_pause_step_resume_and_stop(tiny_mnist, tmp_path):
    with Watched(tiny_mnist, tmp_path / "w", epochs=1000) as watched:
        watched.run.send("pause")  # taken before the first batch
        watched.until(lambda seen: watched.kinds("state"))
        time.sleep(0.5)
        watched.until(lambda seen: True)
        assert watched.kinds("batch") == []
        for expected in (1, 2):
            watched.run.send("step")
            watched.until(lambda seen, n=expected + 1: len(watched.kinds("state")) == n)
            time.sleep(0.3)
            watched.until(lambda seen: True)
            assert len(watched.kinds("batch")) == expected  # one batch a step, then paused
            assert watched.kinds("view")[-1]["step"] == expected  # a view of every step
        watched.run.send("resume")
        watched.until(lambda seen: len(watched.kinds("batch")) > 30)  # past the first epoch
        watched.run.send("stop")
        events = watched.until(ended)
    assert [e["state"] for e in watched.kinds("state")] == ["paused"] * 3 + ["running"]
    assert events[-1]["kind"] == "stopped"
    saved = read_metadata(tmp_path / "w")["epochs"]
    assert saved >= 2 and events[-1]["message"].endswith(f"last complete epoch ({saved})")
    load(tmp_path / "w")


def test_live_settings_change_without_a_reset_and_are_recorded(tiny_mnist, tmp_path):
    with Watched(tiny_mnist, tmp_path / "w", epochs=2) as watched:
        watched.run.send("pause")
        watched.run.send("step")
        watched.until(lambda seen: len(watched.kinds("batch")) == 1 and watched.kinds("state"))
        watched.run.send("change", "beta", 1.0)
        watched.run.send("change", "learning_rate", 5e-4)
        watched.run.send("change", "dead_code_threshold", 0.0)
        watched.run.send("resume")
        watched.until(ended)
    assert [(e["setting"], e["value"]) for e in watched.kinds("changed")] == [
        ("beta", 1.0), ("learning_rate", 5e-4), ("dead_code_threshold", 0.0)
    ]  # fmt: skip
    batches = watched.kinds("batch")
    assert batches[1]["step"] == 2 and batches[1]["epoch"] == 1  # the same run, not a new one
    sidecar = read_metadata(tmp_path / "w")
    assert sidecar["model"]["beta"] == 1.0 and sidecar["options"]["learning_rate"] == 5e-4
    assert sidecar["changes"][0] == {"epoch": 1, "step": 2, "setting": "beta", "value": 1.0}
    with pytest.raises(ValueError, match="cannot change"):
        watched.run.send("change", "num_codes", 4)


def test_the_current_weights_come_over_the_pipe_and_load(tiny_mnist, tmp_path):
    with Watched(tiny_mnist, tmp_path / "w", epochs=1000) as watched:
        watched.run.send("pause")
        watched.run.send("step")
        watched.until(lambda seen: len(watched.kinds("state")) == 2)
        watched.run.send("weights")
        weights = watched.until(lambda seen: watched.kinds("weights"))[-1]
    model = from_bytes(weights["tensors"], weights["sidecar"], "the run's weights")
    assert model.config.num_codes == 8 and weights["step"] == 1
    assert model.sidecar["options"]["ema_decay"] == 0.95
    x_hat, _, _ = model(torch.zeros(1, 1, IMAGE, IMAGE))
    assert x_hat.shape == (1, 1, IMAGE, IMAGE)


def test_a_killed_child_is_reported_and_the_last_epoch_stays(tiny_mnist, tmp_path):
    out = tmp_path / "w"
    with Watched(tiny_mnist, out, epochs=1000, batch_size=8) as watched:
        watched.until(lambda seen: watched.kinds("epoch"))
        os.kill(watched.run.process.pid, signal.SIGKILL)
        events = watched.until(ended, timeout=30)
    assert events[-1]["kind"] == "lost"
    assert events[-1]["message"].startswith("the training process was killed (signal 9);")
    assert "holds the last complete epoch" in events[-1]["message"]
    assert watched.run.events() == []  # reported once
    load(out)


def test_a_bad_data_directory_fails_in_one_event(tmp_path):
    with Watched(tmp_path, tmp_path / "w") as watched:
        events = watched.until(ended)
    assert events[-1]["kind"] == "failed" and str(tmp_path) in events[-1]["message"]


def test_principal_axes_are_the_directions_of_most_variance():
    generator = torch.Generator().manual_seed(0)
    vectors = torch.randn(500, 3, generator=generator) * torch.tensor([5.0, 0.1, 1.0])
    mean, axes = principal_axes(vectors)
    assert torch.allclose(axes.abs(), torch.tensor([[1.0, 0, 0], [0, 0, 1.0]]), atol=0.05)
    assert (axes.abs().argmax(dim=1) == torch.tensor([0, 2])).all()
    assert (axes[torch.arange(2), axes.abs().argmax(dim=1)] > 0).all()  # signs fixed
    _, one = principal_axes(torch.randn(50, 1, generator=generator))
    assert one.shape == (2, 1) and one[1].abs().sum() == 0


def test_runs_started_together_get_one_number(tmp_path):
    from vqvae_tui.training.runner import new_run_path, new_run_paths

    names = ("collapse-{}-a", "collapse-{}-b")
    assert new_run_paths(tmp_path, names) == [tmp_path / "collapse-1-a", tmp_path / "collapse-1-b"]
    (tmp_path / "collapse-1-b.json").write_text("{}")  # one side saved: the number is taken
    assert new_run_paths(tmp_path, names)[0] == tmp_path / "collapse-2-a"
    assert new_run_path(tmp_path) == tmp_path / "run-1"


@pytest.mark.parametrize("quantizer", ["ours", "library"])
def test_a_view_leaves_the_training_model_as_it_was(quantizer):
    """The views a run sends (reconstructions of validation digits, decoded random codes) must
    not train: the library's quantizer updates its EMA codebook and restarts dead codes at
    every forward pass in training mode, so a view through it would change the run."""
    from vqvae_tui.model import ModelConfig
    from vqvae_tui.options import TrainOptions
    from vqvae_tui.training.control import Controlled
    from vqvae_tui.training.train import new_model

    class Connection:
        def __init__(self):
            self.sent = []

        def send(self, event):
            self.sent.append(event)

    config = ModelConfig(num_codes=8, dim=4, quantizer=quantizer)
    options = TrainOptions(ema_decay=0.9, kmeans_init=False, dead_code_threshold=0.5)
    torch.manual_seed(0)
    model = new_model(config, options).train()
    x = torch.rand(16, 1, IMAGE, IMAGE)
    model(x)  # a batch, as training runs it: the library starts its codebook
    before = {name: value.clone() for name, value in model.state_dict().items()}
    controlled = Controlled(Connection(), dict(DEFAULTS), None, None)
    controlled.digits = torch.rand(VIEW_DIGITS, 1, IMAGE, IMAGE)
    controlled.random_codes = torch.randint(8, (VIEW_DIGITS, GRID, GRID))
    controlled.last, controlled.progress = (model, x), type("P", (), {"epoch": 1, "step": 1})
    controlled.send_view()
    assert controlled.connection.sent[0]["kind"] == "view"
    assert model.training  # still training
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name]), f"the view changed {name}"


@pytest.mark.parametrize("quantizer", ["ours", "library"])
def test_a_run_in_a_child_trains_the_weights_the_command_trains(tiny_mnist, tmp_path, quantizer):
    """Watched (views, events, commands between batches) a run is the run `vqvae-tui train`
    makes with the same settings: the same weights, bit for bit, with EMA and restarts on (both
    fresh interpreters, with torch's default threads); and its restarts are events."""
    import subprocess
    import sys

    from vqvae_tui.settings import command_line

    settings = {**TINY, "epochs": 1, "quantizer": quantizer, "dead_code_threshold": 0.2}
    with Watched(tiny_mnist, tmp_path / "child", **settings) as watched:
        events = watched.until(ended)
    assert events[-1]["kind"] == "finished" and watched.kinds("view")
    assert watched.kinds("restart")  # the library's own restarts are seen as ours are
    line = command_line({**TINY, **settings}, tiny_mnist, tmp_path / "command").split()
    subprocess.run([sys.executable, "-m", "vqvae_tui", *line[1:]], check=True,
                   capture_output=True, timeout=600)  # fmt: skip
    child, command = load(tmp_path / "child"), load(tmp_path / "command")
    for name, tensor in command.state_dict().items():
        assert torch.equal(child.state_dict()[name], tensor), name


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="threads are read from /proc")
def test_the_child_and_all_its_threads_run_below_the_app(tiny_mnist, tmp_path):
    """The app's keys first: the child, and every thread it trains with (torch's too), runs
    NICENESS below the app (tests/test_runner.py's own process here)."""
    from pathlib import Path

    from vqvae_tui.training.runner import NICENESS

    def niceness(stat: str) -> int:
        return int(stat.rpartition(")")[2].split()[16])  # field 19 of /proc/…/stat

    with Watched(tiny_mnist, tmp_path / "w", epochs=30) as watched:
        watched.until(lambda seen: sum(e["kind"] == "batch" for e in seen) >= 3)
        tasks = Path(f"/proc/{watched.run.process.pid}/task")
        nice = [niceness((task / "stat").read_text()) for task in tasks.iterdir()]
    assert len(nice) >= 2  # the main thread and torch's
    assert set(nice) == {min(19, os.getpriority(os.PRIO_PROCESS, 0) + NICENESS)}
