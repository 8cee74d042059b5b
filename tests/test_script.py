"""The exported training script (vqvae_tui/script.py): run for one epoch on a tiny IDX set in a
subprocess, its weights load into our VQVAE (the weights `train` gives, bit for bit), one seed
gives one loss, every combination of parts passes ruff; the CLI's --export-script and the
training screen's key."""

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import ROOT, write_idx_pair, write_tiny_mnist
from scenarios import make_app

from vqvae_tui.cli import main
from vqvae_tui.data import training_digits, validation_digits
from vqvae_tui.errors import UserError
from vqvae_tui.exports import ExportPlace
from vqvae_tui.model import VQVAE, load
from vqvae_tui.script import LEAVES_OUT, standalone_script
from vqvae_tui.settings import DEFAULTS, split, with_value
from vqvae_tui.training import evaluate, train

VARIANTS = {
    "conv+ours+ema+kmeans+restarts": {},  # the recipe's defaults
    "mlp+ours+codebook-loss": {"encoder": "mlp", "ema_decay": 0.0, "kmeans_init": False,
                               "dead_code_threshold": 0.0, "augment": 0.0},
    "mlp+library": {"encoder": "mlp", "quantizer": "library"},
}  # fmt: skip
VALIDATION_LINE = re.compile(
    r"epoch 1/1: training loss (\S+); validation MSE (\S+), codes used (\d+)/(\d+),"
    r" perplexity (\S+) \("
)


def settings(changes: dict, **more) -> dict:
    return {**DEFAULTS, "epochs": 1, "batch_size": 32, **changes, **more}


def run_script(path: Path) -> subprocess.CompletedProcess:
    """The script run by this worktree's python, with as many threads as this process uses."""
    env = {**os.environ, "OMP_NUM_THREADS": str(torch.get_num_threads())}
    return subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, env=env, timeout=600
    )


def export_and_run(values: dict, data: Path, folder: Path, name: str):
    path = folder / f"{name}.py"
    path.write_text(standalone_script(values, data, folder / f"{name}-w"))
    done = run_script(path)
    assert done.returncode == 0, done.stderr
    match = VALIDATION_LINE.search(done.stdout)
    assert match, done.stdout
    return match, folder / f"{name}-w"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_script_trains_one_epoch_and_its_weights_load_into_ours(tmp_path, variant):
    data = write_tiny_mnist(tmp_path / "tiny")
    values = settings(VARIANTS[variant])
    match, out = export_and_run(values, data, tmp_path, "script")
    config, options = split(values)
    assert int(match[4]) == config.num_codes

    ours = VQVAE(config).state_dict()
    loaded = load(out)  # our loader: the sidecar checked, the tensors strictly into VQVAE(config)
    assert loaded.config == config
    assert {k: v.shape for k, v in loaded.state_dict().items()} == {
        k: v.shape for k, v in ours.items()
    }
    assert loaded.sidecar["options"] == {**vars(options)}
    assert loaded.sidecar["data"]["train"] == "t10k[i % 10 != 9]"
    # what it printed is what our evaluation measures of the weights it saved
    metrics = evaluate(loaded, validation_digits(data))
    assert float(match[2]) == pytest.approx(metrics.mse, rel=1e-5)
    assert int(match[3]) == metrics.codes_used
    assert float(match[5]) == pytest.approx(metrics.perplexity, abs=0.01)

    # our training loop, step for step: the same weights (the library's quantizer too)
    trained = train(training_digits(data), validation_digits(data), tmp_path / "w", config, options)
    for name, tensor in trained.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor), name


def test_one_seed_gives_one_loss_and_another_seed_another(tmp_path):
    data = write_tiny_mnist(tmp_path / "tiny")
    values = settings(VARIANTS["mlp+ours+codebook-loss"])
    first, _ = export_and_run(values, data, tmp_path, "a")
    again, _ = export_and_run(values, data, tmp_path, "b")
    other, _ = export_and_run({**values, "seed": 1}, data, tmp_path, "c")
    assert first.groups() == again.groups()
    assert first[1] != other[1]


def every_combination():
    """Settings for each combination of the template's parts."""
    for encoder, quantizer, ema, kmeans, restarts, augment in itertools.product(
        ("conv", "mlp"), ("ours", "library", "cosine", "rotation"), (0.0, 0.95),
        (False, True), (0.0, 0.01), (0.0, 0.15),
    ):  # fmt: skip
        if quantizer == "cosine" and not ema:
            continue  # refused: test_a_cosine_codebook_needs_ema
        values = settings({"encoder": encoder, "ema_decay": ema, "kmeans_init": kmeans,
                           "dead_code_threshold": restarts, "augment": augment})  # fmt: skip
        if quantizer in ("cosine", "rotation"):
            name = {"cosine": "distance", "rotation": "rotation_trick"}[quantizer]
            values = with_value(values, name, "cosine" if quantizer == "cosine" else True)
        else:
            values["quantizer"] = quantizer
        yield values


def test_every_combination_of_parts_passes_ruff(tmp_path):
    for i, values in enumerate(every_combination()):
        (tmp_path / f"script_{i}.py").write_text(standalone_script(values, tmp_path))
    config = ["--config", str(ROOT / "pyproject.toml")]
    ruff = [sys.executable, "-m", "ruff"]
    check = subprocess.run([*ruff, "check", *config, str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    formatted = subprocess.run(
        [*ruff, "format", "--check", *config, str(tmp_path)], capture_output=True, text=True
    )
    assert formatted.returncode == 0, formatted.stdout
    assert i + 1 == 112  # 2 encoders × 4 quantizers × 2⁴, less cosine without EMA


def test_the_script_holds_only_the_chosen_parts():
    conv = standalone_script(settings({}), Path("data"))
    mlp = standalone_script(settings(VARIANTS["mlp+ours+codebook-loss"]), Path("data"))
    library = standalone_script(settings(VARIANTS["mlp+library"]), Path("data"))
    assert "class Encoder" in conv and "class MLPEncoder" not in conv
    assert "class MLPEncoder" in mlp and "class Encoder(" not in mlp
    assert "def init_kmeans" in conv and "init_kmeans(" in conv.split("def main")[1]
    assert "init_kmeans(" not in mlp.split("def main")[1]  # no k-means asked for
    assert "def augment" in conv and "def augment" not in mlp
    assert "restart_codes(" in conv.split("def main")[1]
    assert "restart_codes(" not in mlp.split("def main")[1]
    assert "codebook_loss" in mlp.split("def main")[1]
    assert "ema_update(" not in mlp.split("def main")[1]  # the class has it; the loop not
    assert "vector_quantize_pytorch" in library and "vector_quantize_pytorch" not in conv
    for script in (conv, mlp, library):
        assert "vqvae_tui" not in script  # standalone: nothing of ours imported
        assert LEAVES_OUT.split()[0] in script
        assert "import torch" in script and "textual" not in script


def script_module(path: Path, text: str):
    """The script imported as a module (its main not run)."""
    import importlib.util

    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("with_train_files", [False, True])
def test_the_script_reads_the_splits_we_read(tmp_path, with_train_files):
    data = write_tiny_mnist(tmp_path / "tiny")
    if with_train_files:  # raw, not gzipped: both are read
        rng = np.random.default_rng(1)
        images, labels = rng.integers(0, 256, (30, 28, 28)), rng.integers(0, 10, 30)
        write_idx_pair(data, "train", images, labels, gz=False)
    script = script_module(tmp_path / "splits.py", standalone_script(settings({}), data))
    train_images, validation_images, sources = script.load_data()
    ours, validation = training_digits(data), validation_digits(data)
    np.testing.assert_array_equal(train_images, ours.images)
    np.testing.assert_array_equal(validation_images, validation.images)
    assert (sources["train"], sources["train_count"]) == (ours.source, len(ours))
    assert sources["validation"] == validation.source


def test_the_script_says_in_one_line_what_is_wrong_with_its_data(tmp_path):
    script = script_module(tmp_path / "bad.py", standalone_script(settings({}), tmp_path))
    with pytest.raises(SystemExit, match="has no t10k-images-idx3-ubyte or t10k-images-idx3"):
        script.load_data()
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(b"not an IDX file")
    with pytest.raises(SystemExit, match="not an IDX file"):
        script.load_data()


def test_a_cosine_codebook_needs_ema():
    values = with_value(settings({"ema_decay": 0.0}), "distance", "cosine")
    with pytest.raises(UserError, match="EMA only"):
        standalone_script(values, Path("data"))


def test_train_export_script_writes_the_script_and_exits(tmp_path, capsys):
    data = write_tiny_mnist(tmp_path / "tiny")
    path = tmp_path / "train.py"
    arguments = ["train", "--data", str(data), "--out", str(tmp_path / "w"), "--encoder", "mlp",
                 "--codes", "12", "--export-script", str(path)]  # fmt: skip
    assert main(arguments) == 0
    values = {**DEFAULTS, "encoder": "mlp", "num_codes": 12}
    assert path.read_text() == standalone_script(values, data.resolve(), tmp_path / "w")
    assert f"wrote {path}" in capsys.readouterr().out
    assert not (tmp_path / "w.safetensors").exists()  # it trains nothing
    path.write_text("edited")
    assert main(arguments) == 2  # an existing file is never overwritten
    assert path.read_text() == "edited"
    assert "exists already" in capsys.readouterr().err
    assert main([*arguments[:-1], str(tmp_path / "vae.py"), "--model", "vae"]) == 2
    assert "not with --model" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert "--export-script FILE" in capsys.readouterr().out


async def test_p_exports_the_script_of_the_screens_settings(shipped_model, tmp_path):
    data = write_tiny_mnist(tmp_path / "tiny")
    app = make_app(shipped_model, data=data, runs=tmp_path / "runs",
                   exports=ExportPlace(tmp_path / "exports"))  # fmt: skip
    (tmp_path / "exports").mkdir()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("L")
        await pilot.pause()
        assert "Export script" in {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("down", "right")  # D: 16 → 32
        await pilot.press("p")
        await pilot.pause()
        (path,) = (tmp_path / "exports").iterdir()
        assert path.suffix == ".py"
        values = {**DEFAULTS, "dim": 32}
        assert path.read_text() == standalone_script(values, data.resolve())
        message = [n.message for n in app._notifications][-1]
        assert str(path) in message and "leaves out" in message
        assert not (tmp_path / "runs").exists()  # it trains nothing


async def test_with_exports_off_p_writes_nothing(shipped_model, tmp_path):
    app = make_app(shipped_model, data=write_tiny_mnist(tmp_path / "tiny"), runs=tmp_path,
                   exports=None)  # fmt: skip
    before = sorted(tmp_path.rglob("*"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("L")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert "turned off" in [n.message for n in app._notifications][-1]
    assert sorted(tmp_path.rglob("*")) == before


async def test_without_data_p_exports_a_script_that_says_to_set_data(shipped_model, tmp_path):
    app = make_app(shipped_model, data=None, runs=tmp_path / "runs", exports=ExportPlace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("L")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        (path,) = tmp_path.glob("*.py")
        assert 'DATA = Path("DIR")' in path.read_text()
        assert "set DATA at its top" in [n.message for n in app._notifications][-1]
