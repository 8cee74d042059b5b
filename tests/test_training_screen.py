"""The training screen: its key and palette entry, settings changed by keys, the copied
command, no data found, and a real short run in the app (start, step, weights into the
explainer, stop), a killed run reported."""

import asyncio
import os
import shlex
import signal
from pathlib import Path

from scenarios import make_app, show_recorded_run

from vqvae_tui.cli import parser
from vqvae_tui.data.discovery import NO_DATA
from vqvae_tui.model import load, read_metadata
from vqvae_tui.settings import DEFAULTS, SETTINGS, of_arguments

FULL = (120, 40)
ROW = {"data": 0, **{setting.name: i for i, setting in enumerate(SETTINGS, start=1)}}


async def wait_for(pilot, done, timeout: float = 120) -> None:
    """Let the app run (its timer draining the run's events) until `done()`."""
    for _ in range(int(timeout / 0.05)):
        if done():
            return
        await asyncio.sleep(0.05)
        await pilot.pause()
    raise AssertionError(f"timed out: {pilot.app.screen.record.state}")


def words(widget) -> str:
    """What a text widget says, its lines joined and spaces collapsed."""
    return " ".join(widget.render().plain.split())


async def set_setting(pilot, name: str, presses: str) -> None:
    screen = pilot.app.screen
    await pilot.press(*["down"] * ((ROW[name] - screen.selected) % len(ROW)))
    await pilot.press(*presses.split())


async def test_t_opens_the_training_screen_and_the_palette_offers_it(shipped_model, tmp_path):
    app = make_app(shipped_model, data=tmp_path, runs=tmp_path)
    async with app.run_test(size=FULL) as pilot:
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Train" in titles
        await pilot.press("L")
        await pilot.pause()
        assert app.screen.id == "training"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "summary"


async def test_settings_change_by_keys_and_copy_as_one_train_command(shipped_model, tmp_path):
    app = make_app(shipped_model, data=tmp_path / "mnist", runs=tmp_path / "runs")
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("L")
        await pilot.pause()
        screen = app.screen
        assert screen.values == DEFAULTS
        await set_setting(pilot, "num_codes", "right right")  # 20 → 24 → 32
        await set_setting(pilot, "ema_decay", "left left left")  # down to the codebook loss
        await set_setting(pilot, "kmeans_init", "left")
        await set_setting(pilot, "seed", "right right right")
        assert screen.values == {
            **DEFAULTS, "num_codes": 32, "ema_decay": 0.0, "kmeans_init": False, "seed": 3
        }  # fmt: skip
        assert "codebook update loss" in words(screen.settings_text)
        await pilot.press("c")
        await pilot.pause()
        line = app.clipboard
        assert line.startswith("vqvae-tui train --data ")
        args = parser().parse_args(shlex.split(line)[1:])
        assert of_arguments(args) == screen.values
        assert args.out == tmp_path / "runs" / "run-1"
        assert any(line in n.message for n in app._notifications)


async def test_the_data_row_chooses_among_the_data_sets_found(shipped_model, tiny_mnist, tmp_path):
    import shutil

    from vqvae_tui.data.discovery import data_source

    other = tmp_path / "other"
    shutil.copytree(tiny_mnist, other)
    sources = [data_source(tiny_mnist), data_source(other)]
    app = make_app(shipped_model, data_sources=sources, runs=tmp_path / "runs")
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("L")
        await pilot.pause()
        screen = app.screen
        assert screen.data() == tiny_mnist and "/tiny" in words(screen.settings_text)
        await set_setting(pilot, "data", "right right")  # the second, and it stays there
        assert screen.data() == other and "/other" in words(screen.settings_text)
        assert "2 found" in words(screen.settings_text)
        await pilot.press("c")
        await pilot.pause()
        assert parser().parse_args(shlex.split(app.clipboard)[1:]).data == other
        await set_setting(pilot, "rotation_trick", "right")  # a library option: its quantizer
        assert screen.values["quantizer"] == "library" and screen.values["rotation_trick"]
        await set_setting(pilot, "quantizer", "left")  # ours again: the library's options off
        assert screen.values == DEFAULTS


async def test_without_data_the_screen_says_what_to_do(shipped_model, tmp_path):
    app = make_app(shipped_model, data=None, runs=tmp_path)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("L", "space")
        await pilot.pause()
        assert NO_DATA in words(app.screen.settings_text)
        assert app.screen.run is None
        assert any(NO_DATA == n.message for n in app._notifications)


async def test_a_server_that_saves_nothing_trains_nothing(shipped_model, tiny_mnist, tmp_path):
    app = make_app(shipped_model, data=tiny_mnist, runs=tmp_path, exports=None)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("L", "space")
        await pilot.pause()
        assert app.screen.run is None
        assert any("turned off" in n.message for n in app._notifications)


async def test_a_short_run_in_the_app(shipped_model, tiny_mnist, tmp_path):
    app = make_app(shipped_model, data=tiny_mnist, runs=tmp_path / "runs")
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("L")
        await pilot.pause()
        screen = app.screen
        await set_setting(pilot, "num_codes", "left left left")  # 20 → 8
        await set_setting(pilot, "batch_size", "left left")  # 64 → 16
        await set_setting(pilot, "epochs", "left left left left left")  # 55 → 2
        await pilot.press("space", "n")  # start, and pause after one batch (before it is seen)
        await wait_for(pilot, lambda: screen.record.batches == 1)
        await asyncio.sleep(0.5)
        await pilot.pause()
        assert screen.record.batches == 1 and screen.record.state == "paused"
        screen.poll_timer.pause()  # no polls: a step's batch shows as the answer to its key
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.record.batches == 2, timeout=10)
        screen.poll_timer.resume()
        await asyncio.sleep(0.5)
        await pilot.pause()
        assert screen.record.batches == 2 and screen.record.state == "paused"
        assert screen.losses.strips and screen.usage.strips and screen.pca.strips
        await set_setting(pilot, "learning_rate", "left")  # live: 0.002 → 0.001
        await set_setting(pilot, "num_codes", "right")  # not live: refused
        assert screen.values["num_codes"] == 8
        await pilot.press("w")  # the current weights into the explainer
        await wait_for(pilot, lambda: app.model is not shipped_model)
        epoch, _, step, _ = screen.record.position  # paused there: the weights sent are its
        assert app.model.config.num_codes == 8
        assert app.model_name == f"run-1 at epoch {epoch}, batch {step}"
        await pilot.press("space")  # resume: the two epochs end the run
        await wait_for(pilot, lambda: screen.record.ended)
        assert screen.record.state == "finished"
        assert screen.record.changes == [("learning_rate", 0.001)]
        sidecar = read_metadata(tmp_path / "runs" / "run-1")
        assert sidecar["options"]["learning_rate"] == 0.001 and sidecar["epochs"] == 2
        load(tmp_path / "runs" / "run-1")
        await pilot.press("escape")
        await pilot.pause()
        assert app.trace is not None and app.trace.codes.max() < 8  # the explainer uses it
        title = app.screen.query_one("#codebook-panel").border_title
        assert title == f"Codebook · run-1 at epoch {epoch}, batch {step}"  # it names the model


async def test_quitting_mid_run_keeps_the_last_epoch_and_a_kill_is_reported(
    shipped_model, tiny_mnist, tmp_path
):
    app = make_app(shipped_model, data=tiny_mnist, runs=tmp_path)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("L")
        await pilot.pause()
        screen = app.screen
        await set_setting(pilot, "batch_size", "left left left")  # 64 → 16
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.record.epochs)
        os.kill(screen.run.process.pid, signal.SIGKILL)
        await wait_for(pilot, lambda: screen.record.ended)
        assert screen.record.state == "lost"
        assert "was killed (signal 9)" in screen.record.message
        assert any("training lost" in n.message for n in app._notifications)
        load(tmp_path / "run-1")  # the last complete epoch
        await pilot.press("space")  # a new run, then quit while it trains
        await wait_for(pilot, lambda: screen.record.batches)
        process = screen.run.process
    assert not process.is_alive()  # quitting stopped it


async def test_a_replayed_run_fills_every_panel(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await show_recorded_run(pilot)
        screen = app.screen
        assert screen.record.state == "finished" and screen.record.batches == 36
        assert screen.values["num_codes"] == 8  # the run's settings, not the defaults
        status = screen.status.render().plain
        assert status.startswith("finished · epoch 3/3, batch 12/12 · validation MSE")
        labels = "".join(segment.text for segment in screen.usage.strips[-1])
        assert labels.replace(" ", "") == "01234567"


def test_a_data_directory_is_shown_short(tmp_path, monkeypatch):
    from vqvae_tui.ui.screens.training import shown_path

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "mnist").mkdir(parents=True)
    assert shown_path(tmp_path / "data" / "mnist", 30) == "data/mnist"
    assert shown_path(Path("/usr/share/datasets/fashion-mnist"), 16) == "…s/fashion-mnist"
