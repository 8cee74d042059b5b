"""Export and open: a saved state comes back as the same Trace; bad files get one clear line."""

import json
import subprocess
import sys

import numpy as np
import pytest
from scenarios import EDIT, make_app

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
