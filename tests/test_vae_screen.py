"""The VAE screen, driven as a user would: drawing moves the Gaussian, z moves by keys and by the
mouse and decodes exactly, pin/follow, new ε, the numbers, the map, layouts and NO_COLOR."""

import re

import numpy as np
import pytest
import torch
from scenarios import make_app, shipped_latent_models

from vqvae_tui.ui.app import VQVAEApp
from vqvae_tui.ui.screens.vae import OUTPUT_SHADES
from vqvae_tui.ui.widgets.picture import shown_levels
from vqvae_tui.ui.widgets.plane import RINGS

FULL, COMPACT = (120, 40), (80, 24)


def vae_model():
    return shipped_latent_models()["vae"][0]


def decoded(point) -> np.ndarray:
    with torch.no_grad():
        z = torch.from_numpy(np.asarray(point, dtype=np.float32)).reshape(1, 2)
        return vae_model().decoder(z)[0, 0].numpy()


def picture_levels(pixels: np.ndarray) -> np.ndarray:
    """The levels the Output shows: in its OUTPUT_SHADES greys."""
    return shown_levels(pixels, OUTPUT_SHADES)


def numbers(app) -> dict[str, list[float]]:
    """The numbers panel, as the user reads it: name → its values."""
    found = {}
    for line in str(app.screen.numbers.render()).splitlines():
        match = re.match(r"^(μ|σ|ε|z|╋ z)\s+([-+]\d+\.\d+)\s+([-+]\d+\.\d+)$", line.strip())
        if match:
            found[match[1]] = [float(match[2]), float(match[3])]
    return found


async def open_vae(pilot, *keys):
    await pilot.press(*keys, "z")
    await pilot.pause()
    await pilot.pause()


async def test_drawing_moves_the_gaussian_live(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_vae(pilot)
        assert app.screen.id == "vae"
        empty = app.vae_trace
        await pilot.press("3")  # the sample keys draw here too
        await pilot.pause()
        three = app.vae_trace
        assert three.image.sum() > 40 and not np.allclose(three.mean, empty.mean)
        latent_map = app.screen.map
        assert latent_map.overlay.mean == pytest.approx(tuple(three.mean))
        assert latent_map.overlay.sigma == pytest.approx(tuple(three.sigma))
        column, row = latent_map.cell_of(three.mean)
        assert latent_map.text(row)[column] == "μ"
        zoom = app.screen.zoom  # the Gaussian enlarged: a cell of the map is far wider than σ
        assert zoom.centre == pytest.approx(tuple(three.mean))
        assert zoom.extent >= 3.5 * three.sigma.max() and zoom.extent < latent_map.extent / 4
        column, row = zoom.cell_of(three.mean)
        assert zoom.text(row)[column] == "μ"
        column, row = zoom.cell_of(three.z)
        assert zoom.text(row)[column] in "zμ"  # μ stands over z when they share a cell
        rings = "".join(zoom.text(row) for row in range(zoom.rows))
        assert any(0x2800 < ord(c) <= 0x28FF for c in rings)  # the ellipses show there
        await pilot.mouse_down("#vae-input", offset=(3, 2))  # a stroke with the mouse
        for x in range(4, 20):
            await pilot.hover("#vae-input", offset=(x, 2))
        await pilot.mouse_up("#vae-input", offset=(20, 2))
        await pilot.pause()
        assert not np.allclose(app.vae_trace.mean, three.mean)
        np.testing.assert_array_equal(app.vae_trace.image, app.session.image)
        np.testing.assert_array_equal(
            app.screen.output.levels, picture_levels(app.vae_trace.reconstruction)
        )


async def test_the_numbers_are_the_traces_and_obey_the_sampling(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_vae(pilot, "5")
        trace, shown = app.vae_trace, numbers(app)
        for name, field in (("μ", "mean"), ("σ", "sigma"), ("ε", "epsilon"), ("z", "z")):
            np.testing.assert_allclose(shown[name], getattr(trace, field), atol=5e-4)
        # the displayed numbers hold z = μ + σ·ε and σ = exp(½ log σ²), up to their rounding
        mean, sigma, epsilon = (np.array(shown[n]) for n in ("μ", "σ", "ε"))
        np.testing.assert_allclose(
            shown["z"], mean + sigma * epsilon, atol=5e-4 * (2 + float(abs(epsilon).max()))
        )
        np.testing.assert_allclose(sigma, np.exp(0.5 * trace.log_variance), atol=5e-4)
        text = str(app.screen.numbers.render())
        assert f"KL {trace.kl.sum():.2f} = {trace.kl[0]:.2f} + {trace.kl[1]:.2f} nats" in text
        assert f"BCE {trace.reconstruction_loss:.1f} nats" in text


async def test_z_moves_by_keys_pins_and_decodes_exactly(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_vae(pilot, "3")
        z = app.vae_trace.z.copy()
        latent_map = app.screen.map
        step_x, step_y = latent_map.step
        await pilot.press("tab", "right", "right", "up")  # the map, then z two cells right, one up
        await pilot.pause()
        assert app.focused is latent_map
        expected = (z[0] + 2 * step_x, z[1] + step_y)
        assert app.session.cursor == pytest.approx(expected, abs=1e-6)
        trace = app.vae_trace
        np.testing.assert_array_equal(trace.cursor, np.float32(app.session.cursor))
        np.testing.assert_array_equal(trace.cursor_reconstruction, decoded(trace.cursor))
        np.testing.assert_array_equal(
            app.screen.output.levels, picture_levels(trace.cursor_reconstruction)
        )
        column, row = latent_map.cell_of(trace.cursor)
        assert latent_map.text(row)[column] == "╋"
        np.testing.assert_allclose(numbers(app)["╋ z"], trace.cursor, atol=5e-4)
        assert app.screen.query_one("#vae-output-panel").border_subtitle == "decoder(╋ z)"
        await pilot.press("f")  # follow the encoder again
        await pilot.pause()
        assert app.session.cursor is None and app.vae_trace.cursor is None
        np.testing.assert_array_equal(
            app.screen.output.levels, picture_levels(app.vae_trace.reconstruction)
        )
        await pilot.press("f")  # pin where z is
        await pilot.pause()
        assert app.session.cursor == pytest.approx(tuple(app.vae_trace.z))


async def test_a_click_or_a_drag_on_the_map_pins_z_at_that_point(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_vae(pilot, "7")
        latent_map = app.screen.map
        cell = (5, 3)
        offset = (cell[0], latent_map.top + cell[1])
        await pilot.click("#latent-map", offset=offset)
        await pilot.pause()
        point = latent_map.point_of(*cell)
        assert app.session.cursor == pytest.approx(point)
        trace = app.vae_trace
        np.testing.assert_array_equal(trace.cursor_reconstruction, decoded(trace.cursor))
        assert latent_map.text(cell[1])[cell[0]] == "╋"
        await pilot.mouse_down("#latent-map", offset=offset)  # a drag along a row
        for x in range(6, 30, 4):
            await pilot.hover("#latent-map", offset=(x, offset[1]))
        await pilot.mouse_up("#latent-map", offset=(30, offset[1]))
        await pilot.pause()
        assert app.session.cursor == pytest.approx(latent_map.point_of(30, cell[1]))
        np.testing.assert_array_equal(
            app.vae_trace.cursor_reconstruction, decoded(app.vae_trace.cursor)
        )


async def test_a_new_epsilon_moves_z_but_not_the_gaussian(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_vae(pilot, "4")
        before = app.vae_trace
        await pilot.press("n")
        await pilot.pause()
        after = app.vae_trace
        assert after.noise == before.noise + 1 and not np.allclose(after.epsilon, before.epsilon)
        zoom = app.screen.zoom
        if zoom.cell_of(after.z) != zoom.cell_of(after.mean):
            column, row = zoom.cell_of(after.z)
            assert zoom.text(row)[column] == "z"
        np.testing.assert_array_equal(after.mean, before.mean)
        np.testing.assert_array_equal(after.sigma, before.sigma)
        np.testing.assert_allclose(after.z, after.mean + after.sigma * after.epsilon, atol=1e-6)
        assert f"draw #{after.noise}" in str(app.screen.numbers.render())
        assert app.screen.map.overlay.z == pytest.approx(tuple(after.z))


async def test_the_scatter_is_the_stored_digits_drawn_once(shipped_model, monkeypatch):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_vae(pilot)
        latent_map = app.screen.map
        stored = app.latent_models["vae"][1]
        counts = {}
        for point, label in zip(stored.points, stored.labels):
            cell = latent_map.cell_of(point)
            if cell is not None:
                counts.setdefault(cell, np.zeros(10, int))[label] += 1
        drawn = set(latent_map.drawn)
        for (column, row), here in counts.items():
            if (column, row) not in drawn:
                assert latent_map.text(row)[column] == str(int(here.argmax()))
        scatters, refreshed = [], []
        monkeypatch.setattr(latent_map, "draw_scatter", lambda: scatters.append(1))
        original = latent_map.refresh_cells

        def record(cells):
            cells = list(cells)
            refreshed.extend(cells)
            original(cells)

        monkeypatch.setattr(latent_map, "refresh_cells", record)
        before = {(c, latent_map.top + r) for c, r in latent_map.drawn}
        await pilot.press("8")
        await pilot.pause()
        after = {(c, latent_map.top + r) for c, r in latent_map.drawn}
        assert scatters == []  # a stroke redraws the overlay only
        assert refreshed and set(refreshed) <= before | after


async def test_the_ellipses_are_drawn_at_one_and_two_sigma(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_vae(pilot, "0")
        trace, latent_map = app.vae_trace, app.screen.map
        for k in RINGS:
            for (column, row), _ in latent_map.ellipse(trace.mean, trace.sigma, k).items():
                x, y = latent_map.point_of(column, row)
                step_x, step_y = latent_map.step
                # the cell's centre is within a cell of the ellipse k σ around μ
                distance = np.hypot(
                    (x - trace.mean[0]) / trace.sigma[0], (y - trace.mean[1]) / trace.sigma[1]
                )
                reach = np.hypot(step_x / trace.sigma[0], step_y / trace.sigma[1])
                assert abs(distance - k) <= reach


async def test_layouts_full_compact_and_too_small(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_vae(pilot, "3")
        screen = app.screen
        assert screen.layout_name == "full" and screen.output.region.width == 28
        assert screen.map.columns == 2 * screen.map.rows >= 56
        await pilot.resize_terminal(*COMPACT)
        await pilot.pause()
        assert screen.layout_name == "compact"
        assert screen.output.region.width == 0 and screen.small_output.region.width == 14
        assert screen.query_one("#map-panel").region.right <= COMPACT[0] - 16
        text = str(screen.numbers.render())  # fewer lines (no formulas), none wrapped
        assert "exp(" not in text and "μ" in text and len(text.splitlines()) <= 6
        assert max(len(line) for line in text.splitlines()) <= screen.numbers.size.width
        assert screen.map.columns >= 30
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert screen.layout_name == "tiny"
        assert "Enlarge the terminal to at least 80×24" in str(screen.notice.render())
        await pilot.resize_terminal(*FULL)
        await pilot.pause()
        assert screen.layout_name == "full"


async def test_no_color_reads_digits_rings_and_marks(shipped_model, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_vae(pilot, "1")
        latent_map = app.screen.map
        text = "".join(latent_map.text(row) for row in range(latent_map.rows))
        assert set("0123456789") <= set(text) and "μ" in text and "z" in text
        assert any(0x2800 < ord(c) <= 0x28FF for c in text)  # the braille rings
        rows = [app.screen.output.render_line(y).text for y in range(14)]
        assert all(set(row) <= set(" ░▒▓█▀▄") for row in rows)


async def test_the_vae_loads_in_a_worker_when_its_screen_first_needs_it(shipped_model):
    app = VQVAEApp(model=shipped_model)  # nothing of the VAE loaded yet
    app.animation_level = "none"
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3")
        await pilot.pause()
        assert app.latent_models == {} and app.vae_trace is None
        await pilot.press("z")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert set(app.latent_models) == {"vae"}  # the autoencoder: only when shown
        assert app.vae_trace is not None and "μ" in numbers(app)


async def test_broken_vae_weights_are_one_line_on_the_screen_and_the_app_goes_on(
    shipped_model, tmp_path
):
    broken = tmp_path / "vae.safetensors"
    broken.write_bytes(b"junk")
    app = VQVAEApp(model=shipped_model, latent_weights={"vae": broken})
    app.animation_level = "none"
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("z")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        problem = app.problems["vae"]  # one line, wrapped on the screen
        assert problem.startswith(str(tmp_path)) and "JSON sidecar" in problem
        assert "\n" not in problem
        assert str(app.screen.numbers.render()).replace("\n", "") == problem
        assert app.is_running and app.return_code is None
        await pilot.press("escape", "3")
        await pilot.pause()
        assert app.screen.id == "summary" and app.trace.image.sum() > 40
