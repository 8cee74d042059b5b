"""Training: it learns, it is deterministic, it resumes, and it never leaves a broken file."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from vqvae_tui.data import test_digits as t10k_digits
from vqvae_tui.data import training_digits, validation_digits
from vqvae_tui.model import ModelConfig, load, read_metadata
from vqvae_tui.training import TrainOptions, train
from vqvae_tui.training.saves import resume_path

CONFIG = ModelConfig(num_codes=8, dim=4)
FAST = dict(batch_size=32, kmeans_init=True, ema_decay=0.9, dead_code_threshold=0.01, augment=0.3)


def run(tiny_mnist, out, epochs=3, report=lambda p: None, resume=False, **options):
    return train(
        training_digits(tiny_mnist),
        validation_digits(tiny_mnist),
        out,
        CONFIG,
        TrainOptions(epochs=epochs, **{**FAST, **options}),
        resume=resume,
        report=report,
    )


def tensors_of(model):
    return {name: t.clone() for name, t in model.state_dict().items()}


def same(a, b) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_a_short_run_lowers_the_loss_and_saves_loadable_weights(tiny_mnist, tmp_path):
    seen = []
    run(tiny_mnist, tmp_path / "w", epochs=4, report=seen.append)
    epochs = [p for p in seen if p.validation is not None]
    assert [p.epoch for p in epochs] == [1, 2, 3, 4]
    assert epochs[-1].validation.mse < 0.7 * epochs[0].validation.mse
    assert seen[-1].reconstruction < seen[0].reconstruction
    metadata = read_metadata(tmp_path / "w")
    assert metadata["epochs"] == 4 and metadata["seed"] == 0
    assert (
        metadata["data"]["name"] == "IDX files"
    )  # the directory's data set, as discovery names it
    assert metadata["options"]["kmeans_init"] is True
    assert metadata["validation"]["mse"] == pytest.approx(epochs[-1].validation.mse)
    assert len(metadata["history"]) == 4
    prior = np.asarray(metadata["prior"])  # measured on the training digits when the run ends
    assert prior.shape == (49, 8) and np.allclose(prior.sum(axis=1), 1, atol=1e-4)
    assert load(tmp_path / "w").config == CONFIG


@pytest.mark.parametrize("options", [{}, {"ema_decay": 0.0, "kmeans_init": False}])
def test_same_seed_same_weights_with_two_threads(tiny_mnist, tmp_path, options):
    """With two threads the codebook loss's gradient (an indexed add) would be summed in an
    order that changes from run to run: training uses torch's deterministic kernels, and gives
    the setting back when it ends."""
    kernels = []

    def report(progress):
        kernels.append(torch.are_deterministic_algorithms_enabled())

    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        a = tensors_of(run(tiny_mnist, tmp_path / "a", epochs=2, report=report, **options))
        b = tensors_of(run(tiny_mnist, tmp_path / "b", epochs=2, **options))
        c = tensors_of(run(tiny_mnist, tmp_path / "c", epochs=2, seed=1, **options))
    finally:
        torch.set_num_threads(threads)
    assert same(a, b) and not same(a, c)
    assert (tmp_path / "a.safetensors").read_bytes() == (tmp_path / "b.safetensors").read_bytes()
    assert kernels and all(kernels) and not torch.are_deterministic_algorithms_enabled()


class Stop(BaseException):
    pass


def interrupt_at(epoch, step):
    def report(progress):
        if progress.epoch == epoch and progress.step == step and progress.validation is None:
            raise KeyboardInterrupt

    return report


def test_interrupted_run_leaves_whole_weights_and_resumes_to_the_same_result(tiny_mnist, tmp_path):
    whole = tensors_of(run(tiny_mnist, tmp_path / "whole", epochs=3))
    with pytest.raises(KeyboardInterrupt):
        run(tiny_mnist, tmp_path / "cut", epochs=3, report=interrupt_at(epoch=3, step=2))
    assert read_metadata(tmp_path / "cut")["epochs"] == 2
    load(tmp_path / "cut")  # whole and valid
    assert not list(tmp_path.glob(".*.tmp"))
    resumed = tensors_of(run(tiny_mnist, tmp_path / "cut", epochs=3, resume=True))
    assert same(whole, resumed)
    assert read_metadata(tmp_path / "cut")["epochs"] == 3


def test_a_crash_while_writing_keeps_the_previous_file(tiny_mnist, tmp_path, monkeypatch):
    run(tiny_mnist, tmp_path / "w", epochs=1)
    before = (tmp_path / "w.safetensors").read_bytes()

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        run(tiny_mnist, tmp_path / "w", epochs=2, resume=True)
    assert (tmp_path / "w.safetensors").read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))
    load(tmp_path / "w")


def endless_training(tiny_mnist, out, batch_size=8, output=subprocess.PIPE) -> subprocess.Popen:
    """The train command on the tiny digits for 1000 epochs: a run to interrupt."""
    return subprocess.Popen(
        [sys.executable, "-m", "vqvae_tui", "train", "--data", str(tiny_mnist), "--out", str(out),
         "--codes", "8", "--dim", "4", "--epochs", "1000", "--batch-size", str(batch_size)],
        stdout=output, stderr=output, text=True,
    )  # fmt: skip


def wait_for(path: Path, timeout: float = 120, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(every)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_on_the_cli_exits_cleanly_with_whole_weights(tiny_mnist, tmp_path, stop):
    out = tmp_path / "w"
    process = endless_training(tiny_mnist, out)
    try:
        wait_for(resume_path(out))
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert read_metadata(out)["epochs"] >= 1
    load(out)


def test_cli_train_then_eval_json(tiny_mnist, tmp_path):
    out = tmp_path / "w"
    trained = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "train", "--data", str(tiny_mnist), "--out", str(out),
         "--codes", "8", "--dim", "4", "--epochs", "2", "--kmeans-init", "--ema-decay", "0.9"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    assert "validation MSE" in trained.stderr
    assert trained.stdout == f"saved {out}.safetensors and {out}.json\n"
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "eval", "--data", str(tiny_mnist), "--weights",
         str(out) + ".safetensors", "--json", "--split", "val"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert set(figures) >= {"mse", "psnr", "bce", "codes_used", "perplexity", "per_class_mse"}
    assert figures["count"] == 20
    assert figures["mse"] == pytest.approx(read_metadata(out)["validation"]["mse"], rel=1e-5)
    assert sorted(figures["per_class_mse"]) == [str(d) for d in range(10)]
    assert len(t10k_digits(tiny_mnist, "val")) == 20


def test_resume_refuses_other_settings(tiny_mnist, tmp_path):
    from vqvae_tui.errors import UserError

    run(tiny_mnist, tmp_path / "w", epochs=1)
    with pytest.raises(UserError, match="ema_decay 0.9 → 0.5"):
        run(tiny_mnist, tmp_path / "w", epochs=2, resume=True, ema_decay=0.5)


def test_a_run_killed_at_any_moment_leaves_a_whole_epoch_or_nothing_and_resumes(
    tiny_mnist, tmp_path
):
    """SIGKILL before every file operation of the last save (and every third before it):
    what is left loads as one whole epoch (or there is nothing), and resuming ends with the
    weights of a run never killed."""
    harness = Path(__file__).with_name("killed_training.py")
    result = subprocess.run(
        [sys.executable, str(harness), str(tiny_mnist), str(tmp_path / "runs"), "2", "3"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    moments = report.pop("moments")
    never_killed = moments.pop("0")
    assert not never_killed["killed"] and never_killed["epochs"] == 2
    save_starts = report["saves"]
    last_save = range(save_starts[-1], report["operations"] + 1)
    assert set(map(str, last_save)) <= set(moments) and len(moments) >= len(last_save) + 4
    left = set()
    for moment, outcome in moments.items():
        assert outcome["killed"], moment
        if "error" in outcome:  # nothing was saved yet: eval says so, --resume too
            assert outcome["error"].endswith("no such weights file"), (moment, outcome)
            assert "no run to resume" in outcome["resume"], (moment, outcome)
            left.add(0)
        else:
            left.add(outcome["epochs"])
        assert outcome["final_epochs"] == 2, moment
        assert outcome["final_sha256"] == never_killed["final_sha256"], (moment, outcome)
        assert outcome["final_names"] == ["w.json", "w.resume.safetensors", "w.safetensors"]
    assert left == {0, 1, 2}  # killed before the first save, during the last, after it


def test_a_run_killed_from_outside_leaves_loadable_weights(tiny_mnist, tmp_path):
    """SIGKILL from another process, while the CLI trains (and saves after every epoch)."""
    out = tmp_path / "w"
    for delay in (0.0, 0.15, 0.4):
        process = endless_training(tiny_mnist, out, batch_size=64, output=subprocess.DEVNULL)
        try:
            wait_for(tmp_path / ".w.saving", every=0.005)  # the check that --out can be saved to
            time.sleep(delay)
        finally:
            process.kill()
            process.wait()
        epochs = read_metadata(out)["epochs"] if (tmp_path / "w.json").exists() else 0
        if epochs:
            assert load(out).config == CONFIG


def three_quick_interrupts(process: subprocess.Popen) -> str:
    """Ctrl-C three times, 10 ms apart, then what the command said as it ended."""
    try:
        for _ in range(3):
            process.send_signal(signal.SIGINT)
            time.sleep(0.01)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    return stderr


def test_ctrl_c_while_torch_loads_ends_the_command_with_its_code(tiny_mnist, tmp_path):
    """A Ctrl-C raised inside torch's own initialisation made the interpreter kill itself with
    SIGINT at exit (one try in five, over torch's loading): it is now held back until torch
    has loaded. Eight tries across that second."""
    for i in range(8):
        process = endless_training(tiny_mnist, tmp_path / f"w{i}")
        time.sleep(0.5 + 0.1 * i)
        stderr = three_quick_interrupts(process)
        assert process.returncode == 130, (i, stderr)
        assert "Traceback" not in stderr and stderr.count("\n") == 1, (i, stderr)


@pytest.mark.parametrize("when", ["starting", "training"])
def test_ctrl_c_three_times_quickly_is_one_line_never_a_traceback(tiny_mnist, tmp_path, when):
    out = tmp_path / "w"
    process = endless_training(tiny_mnist, out)
    if when == "starting":
        time.sleep(0.5)  # Python is up; torch is still loading
    else:
        wait_for(resume_path(out))
    stderr = three_quick_interrupts(process)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    last = stderr.strip().splitlines()[-1]
    if when == "starting":
        assert stderr == "vqvae-tui: interrupted\n"
    else:
        assert last.startswith("interrupted: ") and "continue with --resume" in last
