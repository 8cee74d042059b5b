"""Memory: opening and closing screens again and again keeps no more objects alive.

Counted in objects, not bytes (the allocator's bytes move for other reasons): the widgets and
Textual's per-widget style caches alive after some toggles must be as many as before them.
benchmarks/bench_memory.py measures the megabytes, for our screens and a bare Textual app.
"""

import gc

import pytest
from scenarios import make_app
from textual._styles_cache import StylesCache
from textual.widget import Widget

TOGGLES = {
    "details": ("d", "d"),
    "help": ("question_mark", "escape"),
    "generate": ("g", "escape"),
    "atlas": ("a", "escape"),
    "walkthrough": ("w", "escape"),
    "palette": ("ctrl+p", "escape"),
}


def alive() -> dict[str, int]:
    gc.collect()
    objects = gc.get_objects()
    return {
        "widgets": sum(issubclass(type(o), Widget) for o in objects),
        "style caches": sum(type(o) is StylesCache for o in objects),
    }


@pytest.mark.parametrize("screen", sorted(TOGGLES))
async def test_toggling_a_screen_keeps_nothing_alive(shipped_model, screen):
    opening, closing = TOGGLES[screen]
    app = make_app(shipped_model)
    async with app.run_test(size=(120, 40)) as pilot:

        async def toggle(times: int) -> None:
            for _ in range(times):
                await pilot.press(opening)
                await pilot.pause()
                await pilot.press(closing)
                await pilot.pause()

        await toggle(3)  # screens made and styled once, caches warm
        before = alive()
        await toggle(12)
        assert alive() == before
        assert app.screen.id == "summary"
