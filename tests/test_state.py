"""Export and open: a saved state comes back as the same Trace; bad files get one clear line."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scenarios import EDIT, make_app
from terminal import Terminal

from vqvae_tui.errors import UserError
from vqvae_tui.model import trace
from vqvae_tui.state import MATRICES, read_state

FULL = (120, 40)


async def test_export_then_open_gives_the_same_state(shipped_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press(*EDIT, "e")
        await pilot.pause()
        saved, edits, output = app.trace, dict(app.session.edits), app.screen.output.levels.copy()
    [path] = tmp_path.glob("vqvae-tui-state-*.json")
    values = json.loads(path.read_text())
    assert len(values["codes_string"]) == 49 and values["edits"] == {
        str(k): v for k, v in edits.items()
    }
    assert values["losses"]["reconstruction"] == pytest.approx(saved.reconstruction_loss)
    for name in MATRICES:
        np.testing.assert_allclose(np.asarray(values[name]), getattr(saved, name), rtol=1e-6)

    reopened = make_app(shipped_model, opened=read_state(path, 20))
    async with reopened.run_test(size=FULL) as pilot:
        await pilot.pause()
        assert reopened.session.edits == edits
        for name in MATRICES:
            np.testing.assert_array_equal(getattr(reopened.trace, name), getattr(saved, name))
        np.testing.assert_array_equal(reopened.screen.output.levels, output)


async def test_s_saves_an_svg_screenshot(shipped_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("s")
        await pilot.pause()
    [svg] = tmp_path.glob("*.svg")
    assert svg.read_text().startswith("<svg")


def good_state(tmp_path, shipped_model, **changes):
    from vqvae_tui.state import state_dict

    values = state_dict(trace(shipped_model, np.zeros((28, 28), np.float32)), {3: 5})
    values.update(changes)
    path = tmp_path / "state.json"
    path.write_text(json.dumps(values))
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": "something else"}, "not a vqvae-tui state file"),
        ({"image": [[0.5] * 27] * 28}, "image is not 28×28 numbers"),
        ({"image": [[2.0] * 28] * 28}, "not in \\[0, 1\\]"),
        ({"image": "pixels"}, "image is not 28×28 numbers"),
        ({"edits": {"60": 1}}, "outside the grid"),
        ({"edits": {"3": 99}}, "outside the grid or codebook"),
        ({"edits": {"x": 1}}, "position → code pairs"),
    ],
)
def test_malformed_files_are_rejected(tmp_path, shipped_model, changes, message):
    with pytest.raises(UserError, match=message):
        read_state(good_state(tmp_path, shipped_model, **changes), 20)


def test_good_file_and_broken_json(tmp_path, shipped_model):
    image, edits = read_state(good_state(tmp_path, shipped_model), 20)
    assert image.shape == (28, 28) and edits == {3: 5}
    (tmp_path / "broken.json").write_text("{nope")
    with pytest.raises(UserError, match="not a vqvae-tui state file"):
        read_state(tmp_path / "broken.json", 20)


def test_cli_open_of_a_malformed_file_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "bad.json").write_text('{"format": "vqvae-tui state", "image": 3}')
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "--open", str(tmp_path / "bad.json")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "image is not 28×28 numbers" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"image": [[0.5] * 27 + ["0.5"]] * 28}, "image is not 28×28 numbers .'0.5'."),
        ({"image": [[0.5] * 27 + [True]] * 28}, "image is not 28×28 numbers .True."),
        ({"image": [[0.5] * 27 + [None]] * 28}, "image is not 28×28 numbers"),
        ({"image": [[0.5] * 27 + [float("nan")]] * 28}, r"not in \[0, 1\] .nan."),
        ({"image": [[0.5] * 27 + [float("inf")]] * 28}, r"not in \[0, 1\] .inf."),
        ({"image": [[0.5] * 27 + [-0.01]] * 28}, r"not in \[0, 1\]"),
        ({"image": [[0.5] * 27 + [10**399]] * 28}, r"not in \[0, 1\] .10000000000000000…."),
        ({"edits": {"3": 1e400}}, "edits are not position → code pairs .'3' → inf."),
        ({"edits": {"3": "5"}}, "edits are not position → code pairs .'3' → '5'."),
        ({"edits": {"3": True}}, "edits are not position → code pairs .'3' → True."),
        ({"edits": {"3": 5.0}}, "edits are not position → code pairs .'3' → 5.0."),
        ({"edits": {"3": 5.5}}, "edits are not position → code pairs"),
        ({"edits": {"-1": 5}}, "edits are not position → code pairs"),
        ({"edits": {"3": -1}}, "outside the grid or codebook"),
        ({"edits": [[3, 5]]}, "edits are not position → code pairs"),
        ({"version": 2}, "not a version 1 state file"),
    ],
)
def test_values_of_the_wrong_kind_are_refused_not_converted(tmp_path, shipped_model, changes,
                                                            message):  # fmt: skip
    with pytest.raises(UserError, match=message) as error:
        read_state(good_state(tmp_path, shipped_model, **changes), 20)
    assert "\n" not in str(error.value)


def image_text(pixel: str, last: str | None = None) -> str:
    """A 28×28 JSON image of `pixel` (as written), its last column `last`."""
    row = "[" + ", ".join([pixel] * 27 + [last or pixel]) + "]"
    return "[" + ", ".join([row] * 28) + "]"


def hostile_file(tmp_path: Path, kind: str) -> Path:
    """A file made to break a reader of state files."""
    path = tmp_path / f"{kind}.json"
    head = '{"format": "vqvae-tui state", "version": 1, "image": '
    if kind == "huge":  # tens of MB of numbers
        numbers = ", ".join(["0.5"] * 5_000_000)
        path.write_text(head + image_text("0.123456789") + f', "padding": [{numbers}]}}')
    elif kind == "nan":
        path.write_text(head + image_text("NaN") + "}")
    elif kind == "deep":
        path.write_text(head + "[" * 100_000 + "]" * 100_000 + "}")
    elif kind == "digits":  # a pixel of 400 digits
        path.write_text(head + image_text("0", "9" * 400) + "}")
    elif kind == "edit":
        path.write_text(head + image_text("0") + ', "edits": {"3": 1e400}}')
    elif kind == "directory":
        path.mkdir()
    elif kind == "zero":
        return Path("/dev/zero")
    return path


HOSTILE = {
    "huge": "larger than 4 MB",
    "nan": r"image pixels are not in [0, 1] (nan)",
    "deep": "nested too deep",
    "digits": "image pixels are not in [0, 1] (9999999999999999",
    "edit": "edits are not position → code pairs ('3' → inf)",
    "directory": "is a directory",
    "zero": "/dev/zero: not a regular file",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_files_are_refused_in_one_line_by_the_reader(tmp_path, kind):
    with pytest.raises(UserError) as error:
        read_state(hostile_file(tmp_path, kind), 20)
    assert HOSTILE[kind] in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_files_opened_in_a_real_terminal_are_one_line_exit_2(tmp_path, kind):
    terminal = Terminal("--open", str(hostile_file(tmp_path, kind)))
    assert terminal.ended(timeout=60) == 2
    [line] = terminal.left_behind()
    assert line.startswith("vqvae-tui: ") and HOSTILE[kind] in line
