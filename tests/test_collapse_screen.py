"""The collapse lab: its key and palette entry, stepping through the presets, two real runs on
the tiny IDX set started, paused, stepped and stopped together (saved under runs/), no data,
and a replayed pair whose overlaid curves are labelled A and B."""

import asyncio

from scenarios import make_app, show_recorded_collapse

from vqvae_tui.data.discovery import NO_DATA
from vqvae_tui.model import load
from vqvae_tui.presets import PRESETS
from vqvae_tui.ui.screens.collapse import CollapseScreen

FULL = (120, 40)
SMALL = {"batch_size": 16, "epochs": 10}  # 12 batches an epoch of the tiny set: time to step


def words(widget) -> str:
    return " ".join(widget.render().plain.split())


async def wait_for(pilot, done, timeout: float = 180) -> None:
    for _ in range(int(timeout / 0.05)):
        if done():
            return
        await asyncio.sleep(0.05)
        await pilot.pause()
    states = [record.state for record in pilot.app.screen.records]
    raise AssertionError(f"timed out: {states}")


async def test_c_opens_the_lab_from_the_training_screen_and_the_palette_offers_it(
    shipped_model, tmp_path
):
    app = make_app(shipped_model, data=tmp_path, runs=tmp_path)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("L")
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Collapse lab" in titles
        await pilot.press("C")
        await pilot.pause()
        assert app.screen.id == "collapse"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "training"


async def test_the_keys_step_through_the_presets(shipped_model, tmp_path):
    app = make_app(shipped_model, data=tmp_path / "mnist", runs=tmp_path)
    async with app.run_test(size=FULL) as pilot:
        await app.push_screen(CollapseScreen())
        await pilot.pause()
        screen = app.screen
        header = words(screen.header)
        assert f"Preset 1/{len(PRESETS)}" in header and PRESETS[0].title in header
        assert "data " + str(tmp_path / "mnist") in header
        assert "A · classic failure" == screen.query_one("#side-a").border_title
        assert "codebook update loss · k-means init off · dead restart off" in words(
            screen.side_texts[0]
        )
        await pilot.press("right", "right")
        assert screen.preset is PRESETS[2]
        assert screen.query_one("#side-b").border_title == "B · k-means only"
        assert words(screen.side_texts[1]).startswith("k-means init on ready")
        await pilot.press("left", "left", "left")  # wraps round to the last
        assert screen.preset is PRESETS[-1] and PRESETS[-1].title in words(screen.header)
        assert words(screen.side_texts[1]).startswith("rotation trick on ready")


async def test_without_data_the_lab_says_what_to_do(shipped_model, tmp_path):
    app = make_app(shipped_model, data=None, runs=tmp_path)
    async with app.run_test(size=FULL) as pilot:
        await app.push_screen(CollapseScreen())
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert NO_DATA in words(app.screen.header)
        assert app.screen.runs == [None, None]
        assert any(NO_DATA == n.message for n in app._notifications)


async def test_two_runs_start_pause_step_and_stop_together(shipped_model, tiny_mnist, tmp_path):
    runs = tmp_path / "runs"
    app = make_app(shipped_model, data=tiny_mnist, runs=runs)
    async with app.run_test(size=FULL) as pilot:
        await app.push_screen(CollapseScreen(shared=SMALL))
        await pilot.pause()
        screen = app.screen
        await pilot.press("space")  # both start
        a, b = screen.runs
        assert (a.out, b.out) == (runs / "collapse-1-a", runs / "collapse-1-b")
        assert a.settings["ema_decay"] == 0 and b.settings["ema_decay"] == 0.95
        assert a.settings["batch_size"] == b.settings["batch_size"] == 16
        await wait_for(pilot, lambda: all(r.batches >= 2 for r in screen.records))
        await pilot.press("right")  # refused while they train
        assert screen.preset is PRESETS[0]
        await pilot.press("space")  # both pause
        await wait_for(pilot, lambda: all(r.state == "paused" for r in screen.records))
        await asyncio.sleep(0.5)
        await pilot.pause()
        before = [record.batches for record in screen.records]
        await pilot.press("n")  # one batch each
        await wait_for(
            pilot, lambda: [r.batches for r in screen.records] == [n + 1 for n in before]
        )
        await asyncio.sleep(0.5)
        await pilot.pause()
        assert [r.batches for r in screen.records] == [n + 1 for n in before]
        assert all(r.state == "paused" for r in screen.records)
        for tag, text, record, batches in zip("AB", screen.side_texts, screen.records, before):
            epoch, epochs, step, steps = record.position  # where the one batch left it
            assert (epoch - 1) * steps + step == batches + 1 and (epochs, steps) == (10, 12)
            assert f"paused · epoch {epoch}/10, batch {step}/12" in words(text), tag
        assert screen.perplexity.strips and screen.active.strips
        assert all(usage.strips for usage in screen.usage)
        await pilot.press("space")  # both resume
        await wait_for(pilot, lambda: all(r.epochs for r in screen.records))
        await pilot.press("x")  # both stop; the first epoch of each stays saved
        await wait_for(pilot, lambda: all(r.ended for r in screen.records))
        assert [r.state for r in screen.records] in (
            ["stopped", "stopped"], ["stopped", "finished"], ["finished", "stopped"]
        )  # fmt: skip
        for out in (a.out, b.out):
            assert load(out).config.num_codes == 20
        await pilot.press("right")  # between runs the presets change again
        assert screen.preset is PRESETS[1]
        await pilot.press("space")  # a new pair gets the next number
        assert screen.runs[0].out == runs / "collapse-2-a"
        await wait_for(pilot, lambda: all(r.batches for r in screen.records))
        processes = [run.process for run in screen.runs]
    assert not any(process.is_alive() for process in processes)  # quitting stopped both


async def test_a_replayed_pair_labels_its_overlaid_curves_a_and_b(shipped_model, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await show_recorded_collapse(pilot)
        screen = app.screen
        assert [r.state for r in screen.records] == ["finished", "finished"]
        for chart in (screen.perplexity, screen.active):
            text = "".join(segment.text for strip in chart.strips for segment in strip)
            assert text.count("A") == 1 and text.count("B") == 1
        a, b = (words(text) for text in screen.side_texts)
        record_a, record_b = screen.records
        assert f"active {record_a.active[-1]}/20 · dead {record_a.dead[-1]}" in a
        assert f"perplexity {record_b.perplexity[-1]:.2f}" in b
        assert "Both: K 20 · D 16 · epochs 2 · batch 16 · augment 0 · seed 0 · data tiny" in words(
            screen.header
        )
