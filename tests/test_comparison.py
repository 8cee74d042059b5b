"""Three autoencoders side by side: one drawing through the three models, each latent and error,
and the random draws each latent allows, decoded by each model's own decoder."""

import numpy as np
from rich.text import Text
from scenarios import make_app

from vqvae_tui.model import decode_points
from vqvae_tui.ui.screens.comparison import codes_text, nearest

FULL = (120, 40)


def levels(pixels: np.ndarray) -> np.ndarray:
    return (np.clip(pixels, 0, 1) * 255 + 0.5).astype(np.uint8)


def thumbnail_levels(pixels: np.ndarray) -> np.ndarray:
    return levels(pixels.reshape(14, 2, 14, 2).mean(axis=(1, 3)))


async def open_comparison(pilot, *keys):
    await pilot.press(*keys, "t")
    await pilot.pause()
    await pilot.pause()


async def test_one_drawing_through_the_three_models(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_comparison(pilot, "8")
        screen = app.screen
        assert screen.id == "comparison"
        traces = {"ae": app.ae_trace, "vae": app.vae_trace, "vqvae": app.trace}
        for kind, trace in traces.items():
            np.testing.assert_array_equal(trace.image, app.session.image)
            np.testing.assert_array_equal(screen.outputs[kind].levels, levels(trace.reconstruction))
        errors = {"ae": app.ae_trace.mse, "vae": app.vae_trace.mse,
                  "vqvae": app.trace.reconstruction_loss}  # fmt: skip
        for kind, error in errors.items():
            assert screen.query_one(f"#{kind}-panel").border_subtitle == f"MSE {error:.4f}"
        assert screen.maps["ae"].overlay.z == tuple(app.ae_trace.z.tolist())
        assert screen.maps["vae"].overlay.sigma == tuple(app.vae_trace.sigma.tolist())
        assert str(screen.codes.render()) == str(codes_text(app.trace.codes))
        await pilot.press("1")  # drawing here changes all three
        await pilot.pause()
        assert app.ae_trace.image.sum() == app.vae_trace.image.sum() == app.trace.image.sum()
        assert not np.allclose(app.ae_trace.z, traces["ae"].z)


async def test_random_draws_are_decoded_by_each_models_decoder_and_marked(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_comparison(pilot, "3")
        screen = app.screen
        first = {kind: screen.points[kind].copy() for kind in ("ae", "vae")}
        for kind in ("ae", "vae"):
            model, latent_map = app.latent_models[kind]
            pictures = decode_points(model, screen.points[kind])
            for picture, widget in zip(pictures, screen.draws[kind]):
                np.testing.assert_array_equal(widget.levels, thumbnail_levels(picture))
            for (x, y), name in zip(screen.points[kind], "ab"):
                column, row = screen.maps[kind].cell_of(screen.maps[kind].clamped((x, y)))
                assert screen.maps[kind].text(row)[column] in (name, "z", "μ")  # the drawing on top
            _, gaps = nearest(latent_map.points, screen.points[kind])
            assert gaps.shape == (2,) and (gaps >= 0).all()
            cover = (np.linalg.norm(latent_map.points, axis=1) <= 2).mean()
            subtitle = screen.query_one(f"#{kind}-latent-panel").border_subtitle
            assert subtitle == f"{cover:.0%} in |z| ≤ 2"
        assert screen.query_one("#vqvae-draws-panel").border_subtitle == "from the prior"
        vq_draws = [widget.levels.copy() for widget in screen.draws["vqvae"]]
        await pilot.press("n")
        await pilot.pause()
        for kind in ("ae", "vae"):
            assert not np.allclose(screen.points[kind], first[kind])
        assert any(not np.array_equal(a, w.levels) for a, w in zip(vq_draws, screen.draws["vqvae"]))


async def test_the_comparison_waits_for_its_models_and_says_so(shipped_model, monkeypatch):
    import threading

    import vqvae_tui.model
    from vqvae_tui.ui.app import VQVAEApp

    loading, load = threading.Event(), vqvae_tui.model.load

    def slow_load(path=None, kind="vqvae"):
        loading.wait(timeout=30)
        return load(path, kind=kind)

    monkeypatch.setattr(vqvae_tui.model, "load", slow_load)
    app = VQVAEApp(model=shipped_model)  # the VAE and the autoencoder load when first shown
    app.animation_level = "none"
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("t")
        await pilot.pause()
        numbers = app.screen.query_one("#comparison-numbers")
        assert "loading the three models" in str(numbers.render())
        loading.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert set(app.latent_models) == {"vae", "ae"} and app.ae_trace is not None
        assert "distinct codes" in str(numbers.render())


async def test_at_80x24_a_compact_layout_shows_every_model_without_scrolling(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comparison(pilot, "3")
        screen = app.screen
        body = screen.query_one("#comparison-body")
        assert body.max_scroll_x == 0 and body.max_scroll_y == 0
        shown = [*screen.small.values(), *screen.maps.values(), screen.codes]
        shown += [pictures[0] for pictures in screen.draws.values()]
        for widget in shown:  # each whole on the screen
            assert widget.display and body.region.contains_region(widget.region), widget.id
        for hidden in (screen.canvas, *screen.outputs.values()):
            assert not hidden.display, hidden.id
        assert app.focused is not screen.canvas  # hidden: space, x, p must not paint unseen
        assert not any(pictures[1].display for pictures in screen.draws.values())
        np.testing.assert_array_equal(screen.small["input"].levels,
                                      thumbnail_levels(app.session.image))  # fmt: skip
        traces = {"ae": app.ae_trace, "vae": app.vae_trace, "vqvae": app.trace}
        errors = {"ae": app.ae_trace.mse, "vae": app.vae_trace.mse,
                  "vqvae": app.trace.reconstruction_loss}  # fmt: skip
        for kind, trace in traces.items():
            np.testing.assert_array_equal(screen.small[kind].levels,
                                          thumbnail_levels(trace.reconstruction))  # fmt: skip
            title = screen.query_one(f"#{kind}-panel").border_title
            assert title.endswith(f"MSE {errors[kind]:.4f}")  # the error on its one border line
        for kind in ("ae", "vae"):  # the draw shown is marked, the hidden one is not
            plane = screen.maps[kind]
            assert [glyph for *_, glyph in plane.overlay.extra] == ["a"]
            model, _ = app.latent_models[kind]
            picture = decode_points(model, screen.points[kind][:1])[0]
            np.testing.assert_array_equal(screen.draws[kind][0].levels, thumbnail_levels(picture))
        numbers = str(screen.query_one("#comparison-numbers").render())
        assert f"AE {screen.covers['ae']:.0%}, VAE {screen.covers['vae']:.0%}" in numbers
        assert len(str(codes_text(app.trace.codes, narrow=True)).splitlines()[0]) == 14
        before = app.session.image.copy()
        await pilot.press("7")  # the drawing keys still draw: every model follows
        await pilot.pause()
        await pilot.pause()
        assert not np.array_equal(app.session.image, before)
        np.testing.assert_array_equal(screen.small["input"].levels,
                                      thumbnail_levels(app.session.image))  # fmt: skip
        np.testing.assert_array_equal(screen.small["vae"].levels,
                                      thumbnail_levels(app.vae_trace.reconstruction))  # fmt: skip
        reached = []
        for _ in range(3):  # the keys reach the maps (the hidden canvas is skipped)
            await pilot.press("tab")
            await pilot.pause()
            reached.append(app.focused.id)
        assert {"ae-map", "vae-map"} <= set(reached) and "comparison-input" not in reached
        focused = app.focused
        await pilot.resize_terminal(120, 40)  # the full layout: pictures, two draws a map
        await pilot.pause()
        await pilot.pause()
        assert screen.outputs["vae"].display and not screen.small["vae"].display
        np.testing.assert_array_equal(screen.outputs["vae"].levels,
                                      levels(app.vae_trace.reconstruction))  # fmt: skip
        assert [glyph for *_, glyph in screen.maps["vae"].overlay.extra] == ["a", "b"]
        assert screen.query_one("#vae-panel").border_title == "VAE"
        assert app.focused is focused  # the focus kept where the keys left it


async def test_at_80x24_the_walkthrough_speaks_below_the_latents(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_comparison(pilot, "3")
        await pilot.press("w", "n", "n")  # the second part's third step: the VAE's Gaussian
        await pilot.pause()
        screen = app.screen
        wide, draws = screen.wide_tour, screen.query_one("#draws-row")
        assert wide.display and not draws.display and not screen.tour.display
        assert str(wide.render()) == str(screen.tour.render())  # the same words, wider
        assert "Step 14 of 15" in str(wide.render()) and "draws a, b" in str(wide.render())
        body = screen.query_one("#comparison-body")
        assert body.max_scroll_y == 0 and body.region.contains_region(wide.region)
        words = Text(str(wide.render()))
        assert len(words.wrap(app.console, wide.size.width)) <= wide.size.height  # all of it
        for kind in ("ae", "vae"):  # the words speak of both draws: both are marked
            assert [glyph for *_, glyph in screen.maps[kind].overlay.extra] == ["a", "b"]
        await pilot.press("escape")
        await pilot.pause()
        assert draws.display and not wide.display
        assert [glyph for *_, glyph in screen.maps["vae"].overlay.extra] == ["a"]


async def test_the_vqvae_draws_come_from_the_prior_of_the_weights_shown(shipped_model):
    """A prior that puts every position on code 3: the shown model's own, not the file's the
    app started with (after w on the training screen they differ)."""
    import copy

    model = copy.deepcopy(shipped_model)
    k = model.config.num_codes
    model.sidecar = {**model.sidecar, "prior": [[float(c == 3) for c in range(k)]] * 49}
    app = make_app(model)
    async with app.run_test(size=FULL) as pilot:
        await open_comparison(pilot, "8")
        screen = app.screen
        assert screen.prior is not None and (screen.prior.argmax(axis=1) == 3).all()
        assert screen.query_one("#vqvae-draws-panel").border_subtitle == "from the prior"
