"""The app states that snapshots and screenshots show: one list, used by both.

python tests/scenarios.py      (or: make screenshots) writes screenshots/*.svg
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vqvae_tui.ui.app import VQVAEApp  # noqa: E402
from vqvae_tui.ui.screens.walkthrough import TOUR_STEPS  # noqa: E402

SELECT = ("3", "tab", "right", "down")  # a sample 3, then position (4,4) from the Features grid
SCENARIOS = {
    "empty": (),
    "sample": ("3",),
    "selected": SELECT,
}
SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
# the details screen: a sample 3, the distances matrix focused on row 10, position (1,3)
DETAILS = ("3", "d", "tab", "tab", *["down"] * 10)
DETAILS_SIZES = {"120x40": (120, 40), "160x50": (160, 50)}
# the code editor: on the Codes grid, (5,5) set to A, (5,6) cycled twice with +
EDIT = ("3", "tab", "tab", "right", "down", "down", "A", "right", "plus", "plus")
# the walkthrough over a sample 3: step n is "w" then n − 1 × "n"
TOUR = [("3", "w", *["n"] * n) for n in range(len(TOUR_STEPS))]
LATENT = {"generate": ("g",), "atlas": ("a",)}  # generated codes (seeded), the code atlas
# the atlas from a selected position, (4,4) of a sample 3, then the next code and a move
ATLAS = ("3", "tab", "right", "down", "a", "plus", "left")
ATLAS_SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
HELP = ("3", "question_mark")  # the keys of the summary screen, over it
# the training screen over a recorded tiny run (tests/recorded_run.py): as it ended, and the
# compact layout's PCA view
TRAINING = {"120x40": ((120, 40), ()), "80x24": ((80, 24), ()), "80x24-pca": ((80, 24), "vvv")}


def make_app(model, **options) -> VQVAEApp:
    """The app as tests and screenshots see it: fixed, with no animation."""
    app = VQVAEApp(model=model, **options)
    app.animation_level = "none"
    return app


def line_text(widget, y: int) -> str:
    """The characters a Line-API widget shows on line y."""
    return "".join(segment.text for segment in widget.render_line(y))


async def show_recorded_run(pilot) -> None:
    """The training screen, replaying a finished tiny run's recorded events."""
    from recorded_run import recorded

    from vqvae_tui.ui.screens.training import TrainingScreen

    pilot.app.data = Path("tiny")  # the recorded run's data, as the screen names it
    await pilot.app.push_screen(TrainingScreen(replay=recorded()))
    await pilot.pause()


async def screenshot(model, size: tuple[int, int], keys: tuple[str, ...], training=False) -> str:
    app = make_app(model)
    async with app.run_test(size=size) as pilot:
        if training:
            await show_recorded_run(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        return app.export_screenshot(title="vqvae-tui")


def main() -> None:
    from vqvae_tui.model import load

    model = load()
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    shots = [(f"app-{name}", size, SELECT) for name, size in SIZES.items()]
    shots += [(f"details-{name}", size, DETAILS) for name, size in DETAILS_SIZES.items()]
    shots += [(f"{name}-120x40", (120, 40), keys) for name, keys in LATENT.items()]
    shots += [("edit-120x40", (120, 40), EDIT), ("tour-step4-120x40", (120, 40), TOUR[3])]
    shots += [("help-120x40", (120, 40), HELP), ("tour-step11-120x40", (120, 40), TOUR[10])]
    shots += [(f"atlas-selected-{name}", size, ATLAS) for name, size in ATLAS_SIZES.items()]
    shots = [(name, size, keys, False) for name, size, keys in shots]
    shots += [(f"training-{name}", size, keys, True) for name, (size, keys) in TRAINING.items()]
    for name, size, keys, training in shots:
        path = out / f"{name}.svg"
        path.write_text(asyncio.run(screenshot(model, size, keys, training)))
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
