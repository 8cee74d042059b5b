"""The app states that snapshots and screenshots show: one list, used by both.

python tests/scenarios.py      (or: make screenshots) writes screenshots/*.svg
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
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
OPEN_PICTURE = ("3", "o", *"~/my-drawings/three.png")  # the prompt, a path typed
# the training screen over a recorded tiny run (tests/recorded_run.py): as it ended, and the
# compact layout's PCA view
TRAINING = {"120x40": ((120, 40), ()), "80x24": ((80, 24), ()), "80x24-pca": ((80, 24), "vvv")}
# the summary with the shipped Fashion-MNIST weights, over a sample 3: a digit it never learned
FASHION_WEIGHTS = ROOT / "weights" / "fashion.safetensors"
FASHION = ("3",)
# the collapse lab over two recorded tiny runs (tests/recorded_collapse.py), as they ended; the
# compact layout's other chart
COLLAPSE = {"120x40": ((120, 40), ()), "80x24": ((80, 24), ()), "80x24-active": ((80, 24), "v")}


WIDE = {"K32-D8": (32, 8), "K64-D64": (64, 64)}  # codebooks past the shipped 20 × 16
WIDE_SIZES = {"K32-D8": ("120x40", "80x24"), "K64-D64": ("120x40", "80x24")}
WIDE_DETAILS = ("3", "d", "tab", "tab", "tab", *["down"] * 10)  # the 49×K distances, row 10


def write_wide_weights(directory: Path) -> dict[str, Path]:
    """Weights files of a K=32, D=8 and a K=64, D=64 model, made here: seeded networks whose
    codebook is placed by k-means on the encoder outputs of the ten sample digits (so each
    drawing uses many codes), saved with the samples' per-position code frequencies as prior."""
    import numpy as np
    import torch

    from vqvae_tui.drawing import SAMPLES, draw_strokes
    from vqvae_tui.model import VQVAE, ModelConfig, code_prior, save

    samples = np.stack([draw_strokes(strokes) for strokes in SAMPLES.values()])
    paths = {}
    torch.set_num_threads(1)  # as the app traces: the same sums, in the same order, each time
    for name, (num_codes, dim) in WIDE.items():
        torch.manual_seed(0)
        model = VQVAE(ModelConfig(num_codes=num_codes, dim=dim)).eval()
        with torch.no_grad():
            vectors = model.encoder(torch.from_numpy(samples).unsqueeze(1)).reshape(-1, dim)
            model.quantizer.init_kmeans(vectors, torch.Generator().manual_seed(0))
        prior = code_prior(model, samples) * 0.9 + 0.1 / num_codes  # every code possible
        paths[name] = save(model, directory / name, {"seed": 0, "prior": prior.tolist()})
    return paths


VAE = ("3", "z")  # the VAE screen over a sample 3: z follows the encoder
VAE_SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
VAE_PINNED = ("3", "z", "tab", "right", "right", "up", "up")  # z pinned two cells right, up
GRAPH = ("3", "z", "d", "tab", *["down"] * 7)  # the graph view, its node σ focused
COMPARISON = ("3", "t")  # the three autoencoders over a sample 3
GRAPH_COMPACT = ("3", "z", "d", *["down"] * 7)  # at 80×24 the keys start on the graph: node σ


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


async def show_recorded_run(pilot) -> None:
    """The training screen, replaying a finished tiny run's recorded events."""
    from recorded_run import recorded

    from vqvae_tui.ui.screens.training import TrainingScreen

    pilot.app.data = Path("tiny")  # the recorded run's data, as the screen names it
    await pilot.app.push_screen(TrainingScreen(replay=recorded()))
    await pilot.pause()


async def show_recorded_collapse(pilot) -> None:
    """The collapse lab, replaying two recorded tiny runs' events."""
    from recorded_collapse import recorded

    from vqvae_tui.ui.screens.collapse import CollapseScreen

    pilot.app.data = Path("tiny")  # the recorded runs' data, as the screen names it
    await pilot.app.push_screen(CollapseScreen(replay=recorded()))
    await pilot.pause()


async def screenshot(
    model, size: tuple[int, int], keys: tuple[str, ...], training=False, weights=None
) -> str:
    """`training`: over the recorded run (True) or another recorded screen's `show_…`."""
    app = make_app(model, weights=weights)
    async with app.run_test(size=size) as pilot:
        if training:
            await (show_recorded_run if training is True else training)(pilot)
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
    shots += [("open-picture-120x40", (120, 40), OPEN_PICTURE)]
    shots += [(f"vae-{name}", size, VAE) for name, size in VAE_SIZES.items()]
    shots += [("vae-pinned-120x40", (120, 40), VAE_PINNED), ("graph-120x40", (120, 40), GRAPH)]
    shots += [("comparison-120x40", (120, 40), COMPARISON)]
    shots += [("graph-80x24", (80, 24), GRAPH_COMPACT), ("comparison-80x24", (80, 24), COMPARISON)]
    shots += [("tour-step13-120x40", (120, 40), TOUR[12])]
    shots = [(name, size, keys, False) for name, size, keys in shots]
    shots += [(f"training-{name}", size, keys, True) for name, (size, keys) in TRAINING.items()]
    shots += [
        (f"collapse-{name}", size, keys, show_recorded_collapse)
        for name, (size, keys) in COLLAPSE.items()
    ]
    for name, size, keys, training in shots:
        path = out / f"{name}.svg"
        path.write_text(asyncio.run(screenshot(model, size, keys, training)))
        print(f"wrote {path.relative_to(ROOT)}")
    path = out / "fashion-120x40.svg"
    fashion = load(FASHION_WEIGHTS)
    path.write_text(asyncio.run(screenshot(fashion, (120, 40), FASHION, weights=FASHION_WEIGHTS)))
    print(f"wrote {path.relative_to(ROOT)}")
    with tempfile.TemporaryDirectory() as directory:  # models with a wide codebook
        for name, weights in write_wide_weights(Path(directory)).items():
            wide = load(weights)
            for size in WIDE_SIZES[name]:
                path = out / f"app-{name.lower()}-{size}.svg"
                path.write_text(asyncio.run(screenshot(wide, SIZES[size], SELECT)))
                print(f"wrote {path.relative_to(ROOT)}")
            path = out / f"details-{name.lower()}-120x40.svg"
            path.write_text(asyncio.run(screenshot(wide, (120, 40), WIDE_DETAILS)))
            print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
