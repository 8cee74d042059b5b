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
from vqvae_tui.training.train import resume_path

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


def test_resume_without_a_run_is_a_clear_error(tiny_mnist, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "train", "--data", str(tiny_mnist),
         "--out", str(tmp_path / "none"), "--resume"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_on_the_cli_exits_cleanly_with_whole_weights(tiny_mnist, tmp_path, stop):
    out = tmp_path / "w"
    process = subprocess.Popen(
        [sys.executable, "-m", "vqvae_tui", "train", "--data", str(tiny_mnist), "--out", str(out),
         "--codes", "8", "--dim", "4", "--epochs", "1000", "--batch-size", "8"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not resume_path(out).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
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
        process = subprocess.Popen(
            [sys.executable, "-m", "vqvae_tui", "train", "--data", str(tiny_mnist), "--out",
             str(out), "--codes", "8", "--dim", "4", "--epochs", "1000", "--batch-size", "64"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while not (tmp_path / ".w.saving").exists() and time.monotonic() < deadline:
                time.sleep(0.005)  # the first save (after the check that --out is writable)
            time.sleep(delay)
        finally:
            process.kill()
            process.wait()
        epochs = read_metadata(out)["epochs"] if (tmp_path / "w.json").exists() else 0
        if epochs:
            assert load(out).config == CONFIG


def train_cli(*args: str, cwd=None, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "vqvae_tui", "train", "--codes", "8", "--dim", "4",
         "--epochs", "2", *args],
        capture_output=True, text=True, cwd=cwd, timeout=300,
    )  # fmt: skip


def one_line(result: subprocess.CompletedProcess, code: int = 2) -> str:
    """The one line a refused command printed (and nothing else: no progress, no traceback)."""
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("vqvae-tui: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "is a directory"),
        ("", "is a directory"),
        ("/", "is a directory"),
        ("{tmp}", "is a directory"),
        ("{tmp}/w", "w.safetensors: is a directory; cannot save over it"),
        ("{tmp}/file/w", "cannot save there"),
        ("{tmp}/" + "n" * 300, "cannot save there (File name too long)"),
    ],
)
def test_an_odd_out_fails_before_training_in_one_line(tiny_mnist, tmp_path, out, message):
    (tmp_path / "w.safetensors").mkdir()
    (tmp_path / "file").write_text("a file, not a directory")
    result = train_cli("--data", str(tiny_mnist), "--out", out.format(tmp=tmp_path), cwd=tmp_path)
    assert message in one_line(result)
    assert not list(tmp_path.rglob("*.json"))


def read_only_mount(directory: Path) -> tuple[str, ...]:
    """A command prefix that runs a command with `directory` read-only: for root (whom file
    modes do not stop), a read-only bind mount in a user namespace of its own."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        return ()
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"],
                           capture_output=True)  # fmt: skip
    if probe.returncode != 0:
        pytest.skip(f"cannot make a read-only directory as root here: {probe.stderr!r}")
    mount = f'mount --bind -o ro {directory} {directory} && exec "$@"'
    return ("unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mount, "sh")


def test_a_read_only_out_directory_fails_before_training(tiny_mnist, tmp_path):
    directory = tmp_path / "read-only"
    directory.mkdir()
    result = train_cli("--data", str(tiny_mnist), "--out", str(directory / "w"),
                       prefix=read_only_mount(directory))  # fmt: skip
    assert "cannot save there (Read-only file system)" in one_line(result) or (
        "cannot save there (Permission denied)" in result.stderr
    )
    assert "epoch" not in result.stderr and not list(directory.iterdir())


@pytest.mark.parametrize("count", [0, 5, 9])
def test_too_few_digits_for_a_validation_split_is_one_line(tmp_path, count):
    from conftest import write_idx_pair

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (count, 28, 28))
    write_idx_pair(tmp_path / "few", "t10k", images, np.arange(count) % 10)
    data = str(tmp_path / "few")
    message = "files hold no digits" if count == 0 else "split [i % 10 == 9] is empty"
    assert message in one_line(train_cli("--data", data, "--out", str(tmp_path / "w")))
    evaluated = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "eval", "--data", data, "--split", "val"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert message in one_line(evaluated)
    assert not (tmp_path / "w.json").exists()


def test_ten_digits_are_enough_to_train(tmp_path):
    from conftest import write_idx_pair

    images = np.random.default_rng(0).integers(0, 256, (10, 28, 28))
    write_idx_pair(tmp_path / "ten", "t10k", images, np.arange(10))
    run(tmp_path / "ten", tmp_path / "w", epochs=1)
    assert read_metadata(tmp_path / "w")["data"]["validation_count"] == 1


@pytest.fixture
def signals_restored():
    """cli.main sets the process's SIGINT and SIGTERM handlers: put pytest's back after."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in handlers.items():
        signal.signal(number, handler)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--learning-rate", "nan", "--learning-rate must be a finite number > 0"),
        ("--learning-rate", "inf", "--learning-rate must be a finite number > 0"),
        ("--learning-rate", "-1", "--learning-rate must be a finite number > 0"),
        ("--seed", str(10**30), "--seed must be a whole number from 0 to 4294967295"),
        ("--seed", "-1", "--seed must be a whole number from 0"),
        ("--epochs", "0", "--epochs must be a whole number ≥ 1"),
        ("--batch-size", "0", "--batch-size must be a whole number ≥ 1"),
        ("--ema-decay", "nan", "--ema-decay must be in [0, 1)"),
        ("--augment", "inf", "--augment must be a share of each batch in [0, 1]"),
        ("--beta", "nan", "beta must be a number from 0 to 10"),
    ],
)
def test_odd_numbers_are_one_line(tiny_mnist, tmp_path, capsys, signals_restored, option, value,
                                  message):  # fmt: skip
    from vqvae_tui import cli

    args = ["train", "--data", str(tiny_mnist), "--out", str(tmp_path / "w"), option, value]
    assert cli.main(args) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and message in stderr, stderr


def test_resume_with_nothing_saved_says_there_is_no_run_to_resume(tiny_mnist, tmp_path):
    result = train_cli("--data", str(tiny_mnist), "--out", str(tmp_path / "none"), "--resume")
    assert one_line(result).endswith("none: no run to resume (nothing saved there yet)\n")


def test_resume_refuses_a_resume_state_of_other_weights(tiny_mnist, tmp_path):
    from vqvae_tui.errors import UserError

    run(tiny_mnist, tmp_path / "a", epochs=1)
    run(tiny_mnist, tmp_path / "b", epochs=1, seed=1)
    os.replace(tmp_path / "b.resume.safetensors", tmp_path / "a.resume.safetensors")
    with pytest.raises(UserError, match="saved with other weights than a.safetensors"):
        run(tiny_mnist, tmp_path / "a", epochs=2, resume=True)


@pytest.mark.parametrize("when", ["starting", "training"])
def test_ctrl_c_three_times_quickly_is_one_line_never_a_traceback(tiny_mnist, tmp_path, when):
    out = tmp_path / "w"
    process = subprocess.Popen(
        [sys.executable, "-m", "vqvae_tui", "train", "--data", str(tiny_mnist), "--out", str(out),
         "--codes", "8", "--dim", "4", "--epochs", "1000", "--batch-size", "8"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        if when == "starting":
            time.sleep(0.5)  # Python is up; torch is still loading
        else:
            deadline = time.monotonic() + 120
            while not resume_path(out).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        for _ in range(3):
            process.send_signal(signal.SIGINT)
            time.sleep(0.01)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    last = stderr.strip().splitlines()[-1]
    if when == "starting":
        assert stderr == "vqvae-tui: interrupted\n"
    else:
        assert last.startswith("interrupted: ") and "continue with --resume" in last
