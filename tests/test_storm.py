"""Storms: random keys, clicks anywhere (the footer too), and resizes from 40×10 to 200×60, on
every screen (summary, details, tour, generate, atlas, help, palette, VAE, graph, comparison),
each in both layouts (the test proves each was reached; one the random storm missed in a layout,
such as the graph view two screens deep, gets a storm of its own there), from before the model
has loaded.
Nothing may raise, and the app still answers a key at the end."""

import random
import threading

import numpy as np
import pytest
from scenarios import make_app, shipped_latent_models
from textual import events
from textual.geometry import Size

KEYS = list("0123456789cuxphjklvwnrdgaesmABzft") + [
    "space", "plus", "minus", "up", "down", "left", "right", "pageup", "pagedown", "tab",
    "shift+tab", "escape", "enter", "question_mark", "ctrl+p",
]  # fmt: skip
SCREEN_KEYS = ["d", "g", "a", "w", "z", "t", "question_mark", "ctrl+p", "escape"]  # elsewhere
STAYING_KEYS = [name for name in KEYS if name not in SCREEN_KEYS]
MOUSE = [events.MouseMove, events.MouseDown, events.MouseUp, events.MouseScrollDown]
SIZE_RANGES = [((40, 200), (10, 60)), ((120, 200), (40, 60)), ((80, 119), (24, 39))]


def key(name: str) -> events.Key:
    character = {"space": " ", "plus": "+", "minus": "-", "question_mark": "?"}.get(name)
    return events.Key(name, character or (name if len(name) == 1 else None))


def storm(rng: random.Random, count: int, app, leave: bool = True):
    """Events as a driver would post them, with no pause between; a resize now and then
    (`leave` False: no key that leaves the screen, such as the graph view's d and Esc)."""
    size = app.size
    for _ in range(count):
        roll = rng.random()
        if roll < 0.02:  # a size anywhere, or in the full or the compact layout's range
            widths, heights = rng.choice(SIZE_RANGES)
            size = Size(rng.randint(*widths), rng.randint(*heights))
            app._driver._size = size  # the headless driver's terminal, as Pilot resizes it
            yield events.Resize(size, size)
        elif roll < 0.12:
            yield key(rng.choice(SCREEN_KEYS if leave else STAYING_KEYS))
        elif roll < 0.55:
            yield key(rng.choice(KEYS if leave else STAYING_KEYS))
        else:
            x, y = rng.randrange(size.width), rng.randrange(size.height)  # every row
            button, shift = rng.choice([0, 1, 3]), rng.random() < 0.1
            yield rng.choice(MOUSE)(None, x, y, 0, 0, button, shift, False, False, x, y)


SCREENS = (
    "summary", "details", "tour", "generate", "atlas", "help", "palette", "vae", "graph",
    "comparison",
)  # fmt: skip


# the keys that open each screen from the summary
PATHS = {
    "summary": (), "details": ("d",), "tour": ("w",), "generate": ("g",), "atlas": ("a",),
    "help": ("question_mark",), "palette": ("ctrl+p",), "vae": ("z",), "graph": ("z", "d"),
    "comparison": ("t",),
}  # fmt: skip
LAYOUT_SIZES = {"full": (120, 40), "compact": (80, 24)}


async def storm_on(pilot, app, rng: random.Random, screen: str, layout: str) -> None:
    """A storm of its own on a screen the storm did not reach in a layout (a screen two deep,
    such as the graph view, is rarely reached by random keys): opened by its keys from the
    summary at that layout's size, then events that do not leave it, then Esc."""
    while len(app.screen_stack) > 1:
        await pilot.press("escape")
        await pilot.pause()
    await pilot.resize_terminal(*LAYOUT_SIZES[layout])
    await pilot.press(*PATHS[screen])
    await pilot.pause()
    for number, event in enumerate(storm(rng, 200, app, leave=False)):
        app.post_message(event)
        if number % 50 == 49:
            await pilot.pause()
    await pilot.press("escape")  # the palette counts as reached when it closes
    await pilot.pause()
    assert app.is_running and app.return_code is None


def record_what_is_reached(monkeypatch) -> set[tuple[str, str]]:
    """What the storm reaches, as (screen, layout): each screen laid out, the walkthrough
    showing a step, help showing its keys, the command palette on top when it closes."""
    from vqvae_tui.ui.screens.base import ExplainerScreen, layout_for
    from vqvae_tui.ui.screens.help import HelpScreen
    from vqvae_tui.ui.screens.palette import Palette
    from vqvae_tui.ui.screens.summary import SummaryScreen

    reached = set()
    apply_layout, show_tour = ExplainerScreen.apply_layout, SummaryScreen.show_tour
    help_shown, dismiss = HelpScreen.on_screen_resume, Palette.dismiss

    def laid_out(screen, size):
        apply_layout(screen, size)
        reached.add((screen.id, screen.layout_name))

    def tour_shown(screen):
        show_tour(screen)
        reached.add(("tour", layout_for(screen.app.size)))

    def keys_shown(screen):
        help_shown(screen)
        reached.add(("help", layout_for(screen.app.size)))

    def palette_closed(palette, result=None):
        if palette.app.screen is palette:
            reached.add(("palette", layout_for(palette.app.size)))
        return dismiss(palette, result)

    monkeypatch.setattr(ExplainerScreen, "apply_layout", laid_out)
    monkeypatch.setattr(SummaryScreen, "show_tour", tour_shown)
    monkeypatch.setattr(HelpScreen, "on_screen_resume", keys_shown)
    monkeypatch.setattr(Palette, "dismiss", palette_closed)
    return reached


@pytest.mark.parametrize("seed", [0, 1, 2])
async def test_a_storm_over_every_screen_raises_nothing(shipped_model, tmp_path, monkeypatch, seed):
    import vqvae_tui.model

    monkeypatch.chdir(tmp_path)  # e and s save files
    reached = record_what_is_reached(monkeypatch)
    loading = threading.Event()

    def slow_load(path=None, kind="vqvae"):
        loading.wait(timeout=30)
        return shipped_model

    latent_models = shipped_latent_models()  # loaded before `load` is the VQ-VAE's slow one
    monkeypatch.setattr(vqvae_tui.model, "load", slow_load)
    app = make_app(None, latent_models)
    quits = []  # a click on the footer's Quit, or the palette's, would end the storm early
    monkeypatch.setattr(app, "action_quit", lambda: quits.append(True))
    wanted = {(screen, layout) for screen in SCREENS for layout in LAYOUT_SIZES}
    async with app.run_test(size=(120, 40)) as pilot:
        for number, event in enumerate(storm(random.Random(seed), 3000, app)):
            if number == 300:
                loading.set()  # the first 300 events came before the model
            app.post_message(event)
            if number % 50 == 49:  # bursts of 50, each drained before the next
                await pilot.pause()
        await pilot.pause()
        assert app.is_running and app.return_code is None
        for screen, layout in sorted(wanted - reached):  # the graph view, two screens deep, …
            await storm_on(pilot, app, random.Random(seed), screen, layout)
        missed = wanted - reached
        assert not missed, f"the storm never reached {sorted(missed)}"
        while len(app.screen_stack) > 1:  # back to the summary, as a user would
            await pilot.press("escape")
            await pilot.pause()
        await pilot.resize_terminal(120, 40)
        await pilot.press("c", "1")  # the app still answers
        await pilot.pause()
        assert app.screen.id == "summary" and app.session.image.sum() > 40
        np.testing.assert_array_equal(app.trace.image, app.session.image)
