"""Screens are rooms of their own: each lays itself out from its own size on resize and on
resume, and the walkthrough runs only where it can be seen (the summary screen)."""

import pytest
from scenarios import make_app

FULL, COMPACT = (120, 40), (80, 24)


def summary_layout(app) -> dict:
    """What tells the summary's layouts apart, as the user sees it."""
    summary = app.screen_stack[0]
    return {
        "layout": summary.layout_name,
        "features shown": summary.query_one("#features-panel").region.width > 0,
        "output right edge": summary.query_one("#output-panel").region.right,
        "codebook height": summary.query_one("#codebook").region.height,
    }


@pytest.mark.parametrize("away", ["generate", "details", "atlas", "help"])
@pytest.mark.parametrize(("start", "end"), [(FULL, COMPACT), (COMPACT, FULL)])
async def test_a_resize_while_away_lays_the_summary_out_when_it_returns(
    shipped_model, away, start, end
):
    opened = {"generate": "g", "details": "d", "atlas": "a", "help": "question_mark"}[away]
    app = make_app(shipped_model)
    async with app.run_test(size=start) as pilot:
        await pilot.press("3", opened)
        await pilot.pause()
        assert app.screen.id == away
        await pilot.resize_terminal(*end)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.id == "summary"
        seen = summary_layout(app)
        if end == COMPACT:
            assert seen == {
                "layout": "compact",
                "features shown": False,
                "output right edge": seen["output right edge"],
                "codebook height": 2,
            }
            assert seen["output right edge"] <= COMPACT[0]
        else:
            assert seen["layout"] == "full" and seen["features shown"]
            assert seen["codebook height"] == 20  # a row per code


async def test_other_screens_lay_themselves_out_on_resume(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("d")
        await pilot.pause()
        details = app.screen
        await pilot.press("d")
        await pilot.pause()
        await pilot.resize_terminal(*COMPACT)
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert app.screen is details and details.has_class("-compact")
        assert not details.has_class("-full")


async def test_tour_steps_are_offered_only_where_the_tour_runs(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Tour step 4: Distances" in titles
        await pilot.press("d")
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert not any(title.startswith("Tour step") for title in titles)
        await pilot.press("escape")  # the first Esc goes back: there is no tour to leave
        await pilot.pause()
        assert app.screen.id == "summary" and app.screen.tour_step is None


async def test_a_sample_started_before_leaving_finishes_and_shows_everywhere(shipped_model):
    app = make_app(shipped_model)
    app.animation_level = "full"  # a sample draws over many ticks
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("8", "d")
        while app.session.sample:
            await pilot.pause(0.01)
        await pilot.pause()
        details = app.screen
        assert details.id == "details" and app.trace.image.sum() == app.session.image.sum()
        assert (details.canvas.levels == (app.session.image * 255 + 0.5).astype("uint8")).all()


async def test_a_screen_hidden_under_another_draws_nothing_until_it_returns(shipped_model):
    """Textual composites the screen below the top one on every repaint of its widgets; the
    summary under the details screen must not repaint at each stroke (68 KB a stroke)."""
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("d")
        await pilot.pause()
        summary = app.screen_stack[0]
        before = summary.output.levels.copy()  # the empty canvas's reconstruction
        await pilot.press("3")  # drawn on the details screen's canvas
        await pilot.pause()
        assert app.trace.image.sum() > 40
        assert (summary.output.levels == before).all()  # the hidden summary was left alone
        await pilot.press("escape")
        await pilot.pause()
        expected = (app.trace.reconstruction * 255 + 0.5).astype("uint8")
        assert (summary.output.levels == expected).all()  # and caught up when shown


async def test_the_summary_keeps_drawing_under_help_which_shows_it(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        summary = app.screen_stack[0]
        assert summary in app.current_screens() and app.screen.id == "help"
        before = summary.output.levels.copy()
        summary.session.start_sample("3")
        summary.session.play()
        await pilot.pause()
        assert (summary.output.levels != before).any()


@pytest.mark.parametrize("screen_key", [None, "d", "g", "a"])
async def test_two_sizes_queued_for_a_screen_settle(shipped_model, screen_key):
    """A storm of resizes can leave a screen two Resize events of different sizes with another
    message between them (the terminal's, and the one Textual posts a screen after laying it
    out at a new size), so they are not merged. Each re-layout posts the next: if handling a
    Resize also posts a message to the screen, the two sizes alternate for ever (full, compact,
    full, …) and nothing else ever runs. They must settle: a few layouts, then the app answers."""
    from textual import events
    from textual.geometry import Size

    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3", *([screen_key] if screen_key else []))
        await pilot.pause()
        screen = app.screen
        layouts = []
        apply_layout = screen.apply_layout

        def counted(size):
            layouts.append(tuple(size))
            if len(layouts) > 20:
                raise RuntimeError(f"the layout oscillates: {layouts[-4:]}")
            apply_layout(size)

        screen.apply_layout = counted
        for width, height in [(177, 49), (111, 32)]:  # full, then compact
            screen.post_message(events.Resize(Size(width, height), Size(width, height)))
            screen.call_later(lambda: None)  # any message between them
        await pilot.pause()
        await pilot.pause()
        assert 2 <= len(layouts) <= 6
        await pilot.resize_terminal(*FULL)
        await pilot.pause()
        await pilot.press("escape", "c", "1")  # the app still answers
        await pilot.pause()
        assert app.screen.id == "summary" and app.screen.layout_name == "full"
        assert app.session.image.sum() > 40
