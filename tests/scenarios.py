"""The app states that snapshots and screenshots show: one list, used by both.

python tests/scenarios.py      (or: make screenshots) writes screenshots/*.svg
"""

from __future__ import annotations

import asyncio
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vqvae_tui.ui.app import VQVAEApp  # noqa: E402
from vqvae_tui.ui.screens.walkthrough import TOUR_LENGTH  # noqa: E402

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
TOUR = [("3", "w", *["n"] * n) for n in range(TOUR_LENGTH)]  # the second part: the comparison
LATENT = {"generate": ("g",), "atlas": ("a",)}  # generated codes (seeded), the code atlas
# the atlas from a selected position, (4,4) of a sample 3, then the next code and a move
ATLAS = ("3", "tab", "right", "down", "a", "plus", "left")
ATLAS_SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
HELP = ("3", "question_mark")  # the keys of the summary screen, over it
VAE = ("3", "z")  # the VAE screen over a sample 3: z follows the encoder
VAE_SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
VAE_PINNED = ("3", "z", "tab", "right", "right", "up", "up")  # z pinned two cells right, up
GRAPH = ("3", "z", "d", "tab", *["down"] * 7)  # the graph view, its node σ focused
COMPARISON = ("3", "t")  # the three autoencoders over a sample 3


@cache
def shipped_latent_models() -> dict:
    """The shipped VAE and autoencoder with their latent maps, loaded once."""
    from vqvae_tui.model import load, read_latent_map

    return {kind: (load(kind=kind), read_latent_map(kind=kind)) for kind in ("vae", "ae")}


def make_app(model, latent_models: dict | None = None, **options) -> VQVAEApp:
    """The app as tests and screenshots see it: fixed, with no animation, the shipped VAE and
    autoencoder loaded already (unless others are given)."""
    latent = shipped_latent_models() if latent_models is None else latent_models
    app = VQVAEApp(model=model, latent_models=latent, **options)
    app.animation_level = "none"
    return app


def line_text(widget, y: int) -> str:
    """The characters a Line-API widget shows on line y."""
    return "".join(segment.text for segment in widget.render_line(y))


async def screenshot(model, size: tuple[int, int], keys: tuple[str, ...]) -> str:
    app = make_app(model)
    async with app.run_test(size=size) as pilot:
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
    shots += [("help-120x40", (120, 40), HELP)]
    shots += [(f"vae-{name}", size, VAE) for name, size in VAE_SIZES.items()]
    shots += [("vae-pinned-120x40", (120, 40), VAE_PINNED), ("graph-120x40", (120, 40), GRAPH)]
    shots += [("comparison-120x40", (120, 40), COMPARISON)]
    shots += [("tour-step13-120x40", (120, 40), TOUR[12])]
    for name, size, keys in shots:
        path = out / f"{name}.svg"
        path.write_text(asyncio.run(screenshot(model, size, keys)))
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
