"""How the screens look. Summary: 120×40 and 80×24, empty, with a sample, with a selection.
Details: 120×40 and 160×50 with a sample and a focused row. The atlas: opened from a selected
position, at 120×40 and 80×24. The VAE screen at 120×40 and 80×24 (and z pinned), the graph view
and the three autoencoders at 120×40 and 80×24. The collapse lab over a recorded pair at
120×40 and 80×24."""

import pytest
from scenarios import (
    ATLAS,
    ATLAS_SIZES,
    COLLAPSE,
    COMPARISON,
    DETAILS,
    DETAILS_SIZES,
    EDIT,
    FASHION,
    FASHION_WEIGHTS,
    GRAPH,
    GRAPH_COMPACT,
    HELP,
    LATENT,
    OPEN_PICTURE,
    SCENARIOS,
    SIZES,
    TOUR,
    TRAINING,
    VAE,
    VAE_PINNED,
    VAE_SIZES,
    WIDE,
    WIDE_DETAILS,
    WIDE_SIZES,
    make_app,
    show_recorded_collapse,
    show_recorded_run,
)

from vqvae_tui.model import load


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_summary_screen(snap_compare, shipped_model, size, scenario):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=SIZES[size], press=SCENARIOS[scenario])


@pytest.mark.parametrize("size", DETAILS_SIZES)
def test_details_screen(snap_compare, shipped_model, size):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=DETAILS_SIZES[size], press=DETAILS)


@pytest.mark.parametrize("screen", LATENT)
def test_generate_and_atlas_screens(snap_compare, shipped_model, screen):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=(120, 40), press=LATENT[screen])


@pytest.mark.parametrize("size", ATLAS_SIZES)
def test_atlas_from_a_selected_position(snap_compare, shipped_model, size):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=ATLAS_SIZES[size], press=ATLAS)


def test_code_editor(snap_compare, shipped_model):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=(120, 40), press=EDIT)


@pytest.mark.parametrize("step", range(1, len(TOUR) + 1))
def test_tour_step(snap_compare, shipped_model, step):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=(120, 40), press=TOUR[step - 1])


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, shipped_model, size):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=SIZES[size], press=HELP)


@pytest.mark.parametrize("size", SIZES)
def test_open_picture_prompt(snap_compare, shipped_model, size):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=SIZES[size], press=OPEN_PICTURE)


@pytest.mark.parametrize(
    ("name", "size"), [(name, size) for name in WIDE for size in WIDE_SIZES[name]]
)
def test_summary_of_a_wide_codebook(snap_compare, wide_weights, name, size):
    app = make_app(load(wide_weights[name]), weights=wide_weights[name])
    assert snap_compare(app, terminal_size=SIZES[size], press=SCENARIOS["selected"])


@pytest.mark.parametrize("name", WIDE)
def test_details_of_a_wide_codebook(snap_compare, wide_weights, name):
    app = make_app(load(wide_weights[name]), weights=wide_weights[name])
    assert snap_compare(app, terminal_size=(120, 40), press=WIDE_DETAILS)


@pytest.mark.parametrize("size", VAE_SIZES)
def test_vae_screen(snap_compare, shipped_model, size):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=VAE_SIZES[size], press=VAE)


def test_vae_screen_with_z_pinned(snap_compare, shipped_model):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=(120, 40), press=VAE_PINNED)


def test_graph_view(snap_compare, shipped_model):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=(120, 40), press=GRAPH)


def test_comparison_screen(snap_compare, shipped_model):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=(120, 40), press=COMPARISON)


def test_graph_view_compact(snap_compare, shipped_model):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=(80, 24), press=GRAPH_COMPACT)


def test_comparison_screen_compact(snap_compare, shipped_model):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=(80, 24), press=COMPARISON)


@pytest.mark.parametrize("scenario", TRAINING)
def test_training_screen(snap_compare, shipped_model, scenario):
    """A finished tiny run's recorded events, replayed (no clock on screen)."""
    size, keys = TRAINING[scenario]
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=size, press=keys, run_before=show_recorded_run)


def test_summary_with_the_fashion_weights(snap_compare):
    app = make_app(load(FASHION_WEIGHTS), weights=FASHION_WEIGHTS)
    assert snap_compare(app, terminal_size=(120, 40), press=FASHION)


@pytest.mark.parametrize("scenario", COLLAPSE)
def test_collapse_lab(snap_compare, shipped_model, scenario):
    """Two recorded tiny runs of the first preset, replayed (no clock on screen)."""
    size, keys = COLLAPSE[scenario]
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=size, press=keys, run_before=show_recorded_collapse)
