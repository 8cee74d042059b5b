"""What a model was trained on: the sidecar's `data.name`, the words the texts use for it
(model/trained.py), and every text of the explainer and of `eval` true of the loaded weights —
with the Fashion-MNIST weights nothing says the model learned or reconstructs digits."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import write_idx_pair
from scenarios import FASHION_WEIGHTS, make_app
from textual.widgets import Static

from vqvae_tui.data import data_source, training_digits, validation_digits
from vqvae_tui.data import test_digits as t10k_digits
from vqvae_tui.data.mnist import TEST_SET_SIZE, TEST_SETS, data_set_name
from vqvae_tui.errors import WeightsError
from vqvae_tui.model import VQVAE, ModelConfig, load, read_metadata, save
from vqvae_tui.model.trained import (
    DATA_SETS,
    FASHION_CLASSES,
    UNKNOWN_DATA,
    data_set,
    trained_on,
)
from vqvae_tui.ui.screens.open_picture import PROMPT_TEXT
from vqvae_tui.ui.screens.walkthrough import TOUR_STEPS

FASHION_NOTE = DATA_SETS["Fashion-MNIST"].note
# what is true only of a model trained on MNIST: digits as what it learned, not Fashion-MNIST
MNIST_ONLY = re.compile(r"digit|(?<!Fashion-)MNIST|strokes? from|strokes need", re.IGNORECASE)


def test_the_data_sets_have_their_words_and_classes():
    mnist, fashion, idx = (DATA_SETS[name] for name in ("MNIST", "Fashion-MNIST", "IDX files"))
    assert (mnist.example, mnist.examples) == ("digit", "digits")
    assert mnist.classes == tuple("0123456789") and mnist.class_title(3) == "digit 3"
    assert (fashion.example, fashion.examples) == ("piece of clothing", "pieces of clothing")
    assert fashion.classes == (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    )  # fmt: skip
    assert fashion.class_title(9) == "Ankle boot (9)" and fashion.class_name(0) == "T-shirt/top"
    assert (
        idx.example == "image" and idx.classes[4] == "class 4" and idx.class_title(4) == "class 4"
    )
    assert fashion.class_name(12) == mnist.class_name(12) == "class 12"  # beyond the ten
    assert "digit" in fashion.note and mnist.note is None and idx.note is None
    assert fashion.known_not_mnist and idx.known_not_mnist
    assert not mnist.known_not_mnist and not UNKNOWN_DATA.known_not_mnist
    assert set(DATA_SETS) == {*TEST_SETS.values(), "IDX files"}  # every name discovery gives


def test_a_sidecar_names_its_data_or_is_read_as_unknown_images():
    assert trained_on({"data": {"name": "Fashion-MNIST", "train": "train"}}).name == (
        "Fashion-MNIST"
    )
    for sidecar in ({}, {"data": {"train": "t10k[i % 10 != 9]"}}):  # older files, a user's
        assert trained_on(sidecar) == UNKNOWN_DATA
    assert UNKNOWN_DATA.name is None and UNKNOWN_DATA.examples == "images"
    assert data_set(None) == data_set("CIFAR-10") == UNKNOWN_DATA


def test_the_shipped_sidecars_name_their_data(shipped_model):
    assert trained_on(shipped_model.sidecar) is DATA_SETS["MNIST"]
    assert trained_on(load(FASHION_WEIGHTS).sidecar) is DATA_SETS["Fashion-MNIST"]
    for kind in ("vae", "ae"):
        assert trained_on(load(kind=kind).sidecar).name == "MNIST"


def saved_with_data(tmp_path, data: dict):
    model = VQVAE(ModelConfig(num_codes=4, dim=2))
    return save(model, tmp_path / "w", {"data": data})


def test_a_sidecar_without_a_name_loads_and_an_unknown_name_is_refused(tmp_path):
    split = {"train": "t10k[i % 10 != 9]", "train_count": 9}
    assert trained_on(load(saved_with_data(tmp_path, split)).sidecar) == UNKNOWN_DATA
    path = saved_with_data(tmp_path, {"name": "Fashion-MNIST", **split})
    assert read_metadata(path)["data"]["name"] == "Fashion-MNIST"
    sidecar = tmp_path / "w.json"
    for name in ("CIFAR-10", 7):
        values = json.loads(sidecar.read_text())
        values["data"]["name"] = name
        sidecar.write_text(json.dumps(values))
        with pytest.raises(WeightsError, match="data.name .* is not a data set known") as error:
            load(path)
        assert "\n" not in str(error.value)


def write_fashion_like(directory):
    """A t10k pair of 10,000 images whose first labels are Fashion-MNIST's test set's: a bright
    block on black, in a place that depends on the label."""
    labels = np.arange(TEST_SET_SIZE) // 10 % 10  # every class in the validation split too
    labels[:10] = next(first for first, name in TEST_SETS.items() if name == "Fashion-MNIST")
    images = np.zeros((TEST_SET_SIZE, 28, 28), dtype=np.uint8)
    for label in range(10):
        images[labels == label, 4 + label : 14 + label, 6:22] = 200
    write_idx_pair(directory, "t10k", images, labels)
    return directory


@pytest.fixture(scope="module")
def fashion_like(tmp_path_factory):
    return write_fashion_like(tmp_path_factory.mktemp("fashion-like"))


def test_a_directory_names_its_data_set(tiny_mnist, fashion_like):
    assert data_set_name(fashion_like) == data_source(fashion_like).name == "Fashion-MNIST"
    assert t10k_digits(fashion_like).name == "Fashion-MNIST"
    assert data_set_name(tiny_mnist) == training_digits(tiny_mnist).name == "IDX files"
    assert data_set_name(tiny_mnist / "nothing here") == "IDX files"


def test_the_mnist_test_set_is_named_mnist(mnist_dir):
    assert validation_digits(mnist_dir).name == data_source(mnist_dir).name == "MNIST"


def test_eval_names_the_classes_of_the_data_it_evaluates(fashion_like):
    def run(*args):
        result = subprocess.run(
            [sys.executable, "-m", "vqvae_tui", "eval", "--data", str(fashion_like), *args],
            capture_output=True, text=True, env={"COLUMNS": "200", "PATH": ""},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout

    shown = run("--weights", str(FASHION_WEIGHTS), "--split", "val")
    assert "VQ-VAE (trained on Fashion-MNIST)" in shown and "1000 pieces of clothing" in shown
    for label, name in enumerate(FASHION_CLASSES):
        assert f"MSE of {name} ({label})" in shown
    assert "digit" not in shown
    mnist_model = run("--split", "val")  # the MNIST model on clothing: its classes are clothing
    assert "VQ-VAE (trained on MNIST)" in mnist_model and "MSE of Ankle boot (9)" in mnist_model
    figures = json.loads(run("--weights", str(FASHION_WEIGHTS), "--split", "val", "--json"))
    assert sorted(figures["per_class_mse"]) == [str(label) for label in range(10)]  # stable keys


def test_eval_of_digits_says_digits(tiny_mnist):
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "eval", "--data", str(tiny_mnist), "--split", "val"],
        capture_output=True, text=True, env={"COLUMNS": "200", "PATH": ""},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "MSE of class 3" in result.stdout  # IDX files: the classes are not named
    assert "(trained on MNIST)" in result.stdout and "20 images" in result.stdout


def visible_text(screen) -> str:
    """Every word the screen shows: its Statics' texts and every border's title and subtitle."""
    parts = []
    for widget in screen.query("*"):
        if not widget.display:
            continue
        parts += [str(widget.border_title or ""), str(widget.border_subtitle or "")]
        if isinstance(widget, Static):
            parts.append(str(widget.render()))
    return "\n".join(parts)


async def every_text(model, weights=None) -> dict[str, str]:
    """The summary's, the details', each tour step's, the atlas's (three codes), generate's
    (both modes) and the open-picture prompt's texts, over a sample 3."""
    app = make_app(model, weights=weights)
    texts = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        texts["summary"] = visible_text(app.screen)
        await pilot.press("d")
        await pilot.pause()
        await pilot.pause()
        texts["details"] = visible_text(app.screen)
        await pilot.press("escape", "w")
        for step in range(len(TOUR_STEPS)):
            await pilot.pause()
            texts[f"tour {step + 1}"] = str(app.screen.tour.render())
            await pilot.press("right")
        await pilot.pause()
        texts["tour second part"] = visible_text(app.screen)  # the comparison screen
        await pilot.press("escape", "t", "a")
        await pilot.pause()
        for code in range(3):
            texts[f"atlas {code}"] = visible_text(app.screen)
            await pilot.press("plus")
            await pilot.pause()
        await pilot.press("escape", "g")
        await pilot.pause()
        texts["generate prior"] = visible_text(app.screen)
        await pilot.press("m")
        await pilot.pause()
        texts["generate uniform"] = visible_text(app.screen)
        await pilot.press("escape", "o")
        await pilot.pause()
        texts["open picture"] = visible_text(app.screen)
    return texts


async def test_with_the_fashion_weights_no_text_claims_digits_were_learned():
    texts = await every_text(load(FASHION_WEIGHTS), FASHION_WEIGHTS)
    assert FASHION_NOTE in texts["summary"]  # the drawn digit is outside what it learned
    for where, text in texts.items():
        if where == "tour second part":  # the VAE and the autoencoder there learned MNIST
            continue
        # the note, and the prompt's how a picture is centred (as MNIST's digits): true of any
        claims = MNIST_ONLY.findall(text.replace(FASHION_NOTE, "").replace(PROMPT_TEXT, ""))
        assert not claims, f"{where}: {claims}"
    assert "training pieces of clothing" in texts["atlas 0"]
    named = "|".join(re.escape(name) for name in FASHION_CLASSES)  # the windows' classes
    assert re.search(rf"#\d+ \(({named})\), #\d+ \(({named})\)", texts["atlas 0"])
    assert "the training pieces of clothing chose each code there" in texts["generate prior"]
    assert "Fashion-MNIST's pictures fill the frame" in texts["open picture"]
    comparison = texts["tour second part"]
    assert "VQ-VAE · Fashion-MNIST" in comparison
    assert "The VQ-VAE was trained on Fashion-MNIST, the other two on MNIST's digits" in comparison


async def test_with_the_mnist_weights_the_texts_say_digits(shipped_model):
    """The same check finds the words where they are true: it can fail."""
    texts = await every_text(shipped_model)
    assert FASHION_NOTE not in texts["summary"]
    assert MNIST_ONLY.search(texts["atlas 0"]) and "training digits" in texts["atlas 0"]
    assert "the training digits chose each code there" in texts["generate prior"]
    assert "VQ-VAE · " not in texts["tour second part"]
    assert "Fashion-MNIST" not in "".join(texts.values())
