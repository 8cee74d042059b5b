"""Where e and s save: a new file every time, one line when it cannot be written, nothing lost."""

import errno
import json
import os

import pytest
from scenarios import EDIT, make_app

from vqvae_tui.exports import ExportError, ExportPlace

FULL = (120, 40)


def test_two_saves_within_one_second_make_two_files(tmp_path):
    place = ExportPlace(tmp_path, prefix="alice-1")
    first = place.write("state", ".json", "one")
    second = place.write("state", ".json", "two")
    assert first != second and first.parent == second.parent == tmp_path
    assert first.read_text() == "one" and second.read_text() == "two"
    assert first.name.startswith("alice-1-state-") and second.name.endswith("-2.json")


def test_by_default_saves_go_to_the_working_directory_of_that_moment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = ExportPlace().write("screenshot", ".svg", "<svg/>")
    assert path.parent == tmp_path and path.name.startswith("vqvae-tui-screenshot-")


def test_a_missing_directory_a_file_and_a_deleted_working_directory_each_say_why(
    tmp_path, monkeypatch
):
    with pytest.raises(ExportError, match="does not exist"):
        ExportPlace(tmp_path / "missing").write("state", ".json", "{}")
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(ExportError, match="is not a directory"):
        ExportPlace(tmp_path / "file").write("state", ".json", "{}")
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with pytest.raises(ExportError, match="working directory no longer exists"):
        ExportPlace().write("state", ".json", "{}")


def test_a_save_that_fails_half_way_leaves_no_file(tmp_path, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("vqvae_tui.exports.os.fdopen", disk_full)
    with pytest.raises(ExportError, match="No space left"):
        ExportPlace(tmp_path).write("state", ".json", "{}")
    assert list(tmp_path.iterdir()) == []


def notifications(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_e_in_a_deleted_working_directory_says_so_and_keeps_the_state(
    shipped_model, tmp_path, monkeypatch
):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press(*EDIT)
        await pilot.pause()
        edits, pixels = dict(app.session.edits), app.session.image.copy()
        gone.rmdir()
        await pilot.press("e", "s")
        await pilot.pause()
        said = notifications(app)
        assert sum("working directory no longer exists" in line for line in said) == 2, said
        assert app.session.edits == edits and (app.session.image == pixels).all()
        monkeypatch.chdir(tmp_path)  # the learner makes a place to save: nothing was lost
        await pilot.press("e")
        await pilot.pause()
    [saved] = tmp_path.glob("vqvae-tui-state-*.json")
    assert json.loads(saved.read_text())["edits"] == {str(k): v for k, v in edits.items()}


async def test_two_exports_within_one_second_keep_both(shipped_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3", "e", "c", "e", "s", "s")
        await pilot.pause()
    states = sorted(tmp_path.glob("vqvae-tui-state-*.json"))
    assert len(states) == 2 and len(list(tmp_path.glob("vqvae-tui-screenshot-*.svg"))) == 2
    images = [json.loads(path.read_text())["image"] for path in states]
    assert images[0] != images[1]  # the sample 3, then the cleared canvas: neither overwritten


@pytest.mark.parametrize("where", ["missing", "file"])
async def test_an_export_place_that_cannot_be_written_gives_a_notification(
    shipped_model, tmp_path, where
):
    if where == "file":
        (tmp_path / "file").write_text("a file, not a directory")
    app = make_app(shipped_model, exports=ExportPlace(tmp_path / where))
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3", "e", "s")
        await pilot.pause()
        said = [line for line in notifications(app) if line.startswith("could not save")]
        assert len(said) == 2 and all(str(tmp_path / where) in line for line in said), said
        assert app.trace is not None and app.return_code is None  # still running, state kept


async def test_saving_can_be_turned_off(shipped_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(shipped_model, exports=None)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3", "e", "s")
        await pilot.pause()
        assert sum("turned off" in line for line in notifications(app)) == 2
    assert list(tmp_path.iterdir()) == []
