"""The walkthrough: eleven steps, each with its panel and line of code; its tasks, checked; and
its second part over the three autoencoders."""

import numpy as np
import pytest
from scenarios import TOUR, make_app

from vqvae_tui.model.steps import quantizer_source, steps
from vqvae_tui.ui.screens.walkthrough import SECOND_PART, TOUR_LENGTH, TOUR_STEPS

FULL = (120, 40)


def targeted(app) -> list[str]:
    return [panel.id for panel in app.screen.query(".panel") if panel.has_class("-tour-target")]


def tour_text(app) -> str:
    return str(app.screen.tour.render())


async def test_stepping_forward_and_back_through_the_whole_tour(shipped_model):
    app = make_app(shipped_model)
    lines = {step.name: quantizer_source().lines[step.line].strip() for step in steps()}
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3", "w")
        await pilot.pause()
        for number, step in enumerate(TOUR_STEPS, 1):
            assert app.screen.id == "summary" and app.screen.tour_step == number - 1
            assert targeted(app) == [step.panel]
            text = tour_text(app)
            assert f"Step {number} of {TOUR_LENGTH}: {step.title}" in text
            if step.marker is not None:
                assert lines[step.marker] in text.replace("\n", " ")
            await pilot.press(["right", "n", "space"][number % 3])
            await pilot.pause()
        for number, step in enumerate(SECOND_PART, len(TOUR_STEPS) + 1):  # on the comparison
            assert app.screen.id == "comparison"
            assert app.screen.tour_step == number - len(TOUR_STEPS) - 1
            assert targeted(app) == list(step.panels)
            assert f"Step {number} of {TOUR_LENGTH}: {step.title}" in tour_text(app)
            await pilot.press(["right", "n", "space"][number % 3])
            await pilot.pause()
        assert app.screen.tour_step == len(SECOND_PART) - 1  # the last step stays
        for number in range(TOUR_LENGTH, 1, -1):
            await pilot.press("left" if number % 2 else "p")
            await pilot.pause()
            screen = "comparison" if number - 1 > len(TOUR_STEPS) else "summary"
            assert app.screen.id == screen
            first_part = len(TOUR_STEPS) if screen == "comparison" else 0
            assert app.screen.tour_step == number - 2 - first_part
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.tour_step is None and targeted(app) == []
        await pilot.press("space")  # the keys are the canvas's again: space paints
        await pilot.pause()
        assert app.screen.tour_step is None and app.session.image[14, 14] == pytest.approx(1.0)


async def test_the_second_part_speaks_of_the_numbers_on_screen(shipped_model):
    app = make_app(shipped_model, tour=len(TOUR_STEPS) + 2)  # "A point": the autoencoder
    async with app.run_test(size=FULL) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.id == "comparison" and screen.tour_step == 1
        text = " ".join(tour_text(app).split())
        z = app.ae_trace.z
        assert f"Step {len(TOUR_STEPS) + 2} of {TOUR_LENGTH}: A point" in text
        assert f"z = ({z[0]:+.2f}, {z[1]:+.2f})" in text
        facts = screen.facts()
        latent_map = app.latent_models["ae"][1]
        cover = (np.linalg.norm(latent_map.points, axis=1) <= 2).mean()
        assert f"{cover:.0%} of its mapped digits lie there" in text
        assert "within |z| ≤ 2 86% of the time" in text  # 1 − e^(−2) of N(0, I) in 2-D
        for point, gap, label in zip(screen.points["ae"], facts.ae_plane.gaps,
                                     facts.ae_plane.nearest):  # fmt: skip
            distances = np.sqrt(((latent_map.points - point) ** 2).sum(axis=1))
            assert gap == pytest.approx(distances.min(), rel=1e-5)
            assert label == latent_map.labels[distances.argmin()]
            assert f"{gap:.2f}" in text and f"a {label}" in text
        await pilot.press("n")  # next: the VAE, its σ and KL
        await pilot.pause()
        text = " ".join(tour_text(app).split())
        assert f"KL ({app.vae_trace.kl.sum():.2f} nats here)" in text
        await pilot.press("escape", "n")  # out of the tour, n draws again
        await pilot.pause()
        assert screen.tour_step is None and screen.facts().ae_plane.gaps != facts.ae_plane.gaps


def footer_keys(app) -> dict[str, str]:
    """What the footer shows: key → the action it runs (the shown bindings only)."""
    return {
        key: active.binding.action
        for key, active in app.screen.active_bindings.items()
        if active.binding.show
    }


async def test_the_footer_shows_the_tours_keys_while_it_runs(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        assert footer_keys(app)["space"] == "dab(False)"  # the canvas: space paints
        await pilot.press("3", "w")
        await pilot.pause()
        shown = footer_keys(app)
        assert shown["right"] == "tour_next" and shown["left"] == "tour_previous"
        assert shown["escape"] == "tour_leave"
        assert "space" not in shown and "p" not in shown  # taken by the tour, not "Paint"
        footer = " ".join(key.render().plain for key in app.screen.query("FooterKey"))
        assert "Next" in footer and "Leave" in footer and "Paint" not in footer
        await pilot.press("escape")
        await pilot.pause()
        assert footer_keys(app)["space"] == "dab(False)" and "escape" not in footer_keys(app)


async def test_the_tour_can_be_entered_at_any_step(shipped_model):
    app = make_app(shipped_model, tour=4)
    async with app.run_test(size=FULL) as pilot:
        await pilot.pause()
        assert app.screen.tour_step == 3 and f"Step 4 of {TOUR_LENGTH}: Distances" in tour_text(app)
        assert "Tour step 7: Reshape back" in {c.title for c in app.get_system_commands(app.screen)}


async def test_the_explanations_use_the_numbers_on_screen(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3", "w", "n", "n", "n", "n")  # step 5, argmin; no selection: (3,3)
        await pilot.pause()
        t = app.trace
        code = int(t.codes[24])
        assert f"(3,3) → {'0123456789ABCDEFGHIJ'[code]} at d²={t.distances[24, code]:.2f}" in (
            tour_text(app)
        )


async def test_task_draw_in_the_top_left_is_detected_when_done_and_not_before(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        app.session.image[1:4, 1:4] = 1.0  # already there before the step: it does not count
        await pilot.press("w")
        await pilot.pause()
        assert 0 not in app.screen.tour_done and "try it:" in tour_text(app)
        await pilot.mouse_down("#input", offset=(20, 10))  # elsewhere: not yet
        await pilot.mouse_up("#input", offset=(20, 10))
        await pilot.pause()
        assert 0 not in app.screen.tour_done
        await pilot.mouse_down("#input", offset=(5, 2))  # pixels (4-5, 5): the top-left corner
        await pilot.mouse_up("#input", offset=(5, 2))
        await pilot.pause()
        assert 0 in app.screen.tour_done and "✔ done!" in tour_text(app)


async def test_task_same_code_as_right_neighbour(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3")
        await pilot.pause()
        codes = app.trace.codes
        pairs = [p for p in range(49) if p % 7 < 6 and codes[p] == codes[p + 1]]
        other = next(p for p in range(49) if p not in pairs)
        await pilot.hover("#codes", offset=(2 * (pairs[0] % 7), 2 * (pairs[0] // 7)))
        await pilot.pause()
        app.screen.start_tour(4)  # entered with such a cell already selected: not done
        await pilot.pause()
        assert 4 not in app.screen.tour_done
        await pilot.hover("#codes", offset=(2 * (other % 7), 2 * (other // 7)))
        await pilot.pause()
        assert 4 not in app.screen.tour_done
        await pilot.hover("#codes", offset=(2 * (pairs[-1] % 7), 2 * (pairs[-1] // 7)))
        await pilot.pause()
        assert 4 in app.screen.tour_done


async def test_task_edit_a_code(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3")
        app.screen.start_tour(8)
        await pilot.pause()
        assert 8 not in app.screen.tour_done
        app.screen.grids["codes"].focus()
        await pilot.press("l", "l", "j")  # h j k l move while the tour holds the arrows
        await pilot.press("plus")
        await pilot.pause()
        assert app.session.edits and 8 in app.screen.tour_done


def test_tour_scenarios_cover_every_step():
    assert len(TOUR) == TOUR_LENGTH == len(TOUR_STEPS) + len(SECOND_PART) == 15
    assert np.all([keys[-1] in ("w", "n") for keys in TOUR])
