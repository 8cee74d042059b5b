"""Training refuses bad input in one line (exit 2) before any work: an --out it could not save
to, too few digits, options out of range, a resume with nothing to resume."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_training import run

from vqvae_tui.model import read_metadata


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
