"""The guided walkthrough: eleven steps through one forward pass of the live drawing and how the
loaded codebook was trained, and a short second part over the comparison screen (the same
drawing through three autoencoders).

Each step names the panel it talks about and, for the quantizer's steps, the line of code (by
its `# step:` marker); its words use the numbers on screen and what the loaded weights' sidecar
says of their training (model/trained.py). Three steps end with a small task
that the summary screen checks (the rules are the session's); a task counts only for what is
done after its step is entered.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.widgets import Static

from vqvae_tui.model.config import CODE_LABELS, GRID, IMAGE, POSITIONS
from vqvae_tui.model.trained import TrainingData, codebook_training
from vqvae_tui.session import (
    Moment,
    drew_top_left,
    edited_a_code,
    position_label,
    same_as_right_neighbour,
)
from vqvae_tui.ui.actions import Action

if TYPE_CHECKING:
    from vqvae_tui.model.latent_tracing import AETrace, VAETrace
    from vqvae_tui.model.tracing import Trace
    from vqvae_tui.model.vqvae import VQVAE


@dataclass(frozen=True)
class Task:
    text: str
    done: Callable[[np.ndarray, Moment, Moment], bool]  # (codes, entered, now) → done?


@dataclass(frozen=True)
class TourStep:
    title: str
    panel: str  # the id of the panel it highlights
    marker: str | None  # the `# step:` marker of its line of code, if it is a quantizer step
    explain: Callable[[Trace, int, VQVAE], str]  # (trace, focus position, the model) → words
    task: Task | None = None


def nearest(t: Trace, p: int) -> str:
    code = int(t.codes[p])
    return f"{CODE_LABELS[code]} at d²={t.distances[p, code]:.2f}"


SIDE = f"{GRID}×{GRID}"

TOUR_STEPS = [
    TourStep("The input", "input-panel", None, lambda t, p, m: (
        f"Your drawing is a {IMAGE}×{IMAGE} picture: {IMAGE * IMAGE} pixels between 0 (black) "
        f"and 1 (white). {int((t.image > 0.5).sum())} of them are brighter than 0.5 now."),
        Task("draw a stroke in the top-left corner (the first 8×8 pixels)", drew_top_left)),
    TourStep("The encoder", "features-panel", None, lambda t, p, m: (
        f"Two strided convolutions shrink {IMAGE}×{IMAGE} to {SIDE}; a 1×1 convolution gives "
        f"each of the {POSITIONS} positions a vector of D={t.features.shape[-1]} numbers, z_e. "
        f"Position {position_label(p)} has |z_e|={np.linalg.norm(t.flat[p]):.2f} (its shade "
        "here).")),
    TourStep("Reshape", "features-panel", "reshape", lambda t, p, m: (
        f"The {SIDE}×{t.features.shape[-1]} grid becomes a table of {POSITIONS} rows: row {p} "
        f"is position {position_label(p)}. Nothing is computed; the same numbers are laid out "
        "as rows.")),
    TourStep("Distances", "codebook-panel", "distances", lambda t, p, m: (
        f"Each row is compared with each of the K={len(t.codebook)} codebook vectors: the squared "
        f"distance d², a {POSITIONS}×{len(t.codebook)} table. Row {p} is nearest to code "
        f"{nearest(t, p)}; its farthest code is at d²={t.distances[p].max():.2f}.")),
    TourStep("Argmin", "codes-panel", "argmin", lambda t, p, m: (
        f"The index of the smallest distance in each row is that position's code: "
        f"{position_label(p)} → {nearest(t, p)}. {len(set(t.codes.tolist()))} different codes "
        "are used by this drawing."),
        Task("select a cell whose code is the same as its right neighbour's (hover, or h j k l "
             "on a grid)", same_as_right_neighbour)),
    TourStep("Look up the codes", "codebook-panel", "lookup", lambda t, p, m: (
        f"Each code picks its row of the codebook: position {position_label(p)} gets the "
        f"{t.codebook.shape[1]} numbers of code {CODE_LABELS[int(t.codes[p])]}. "
        "The highlighted codebook row is the one it uses.")),
    TourStep("Reshape back", "quantized-panel", "reshape back", lambda t, p, m: (
        f"The {POSITIONS} chosen vectors go back on the {SIDE} grid: z_q. Cells with the same "
        f"code now hold exactly the same vector; this drawing's grid has "
        f"{len(set(t.codes.tolist()))} kinds.")),
    TourStep("The straight-through gradient", "quantized-panel", "straight-through",
         lambda t, p, m: (
        "argmin has no gradient, so training copies it past the quantizer: quantized = z_e + "
        "(z_q − z_e).detach() is z_q going forward, and passes the decoder's gradient to z_e "
        "unchanged going back; none of it reaches the codebook (d shows both, measured).")),
    TourStep("The decoder", "output-panel", None, lambda t, p, m: (
        f"Transposed convolutions grow the {SIDE} grid of code vectors back to {IMAGE}×{IMAGE}. "
        f"Only the codes reach the decoder: {POSITIONS} labels, each one of {len(t.codebook)}, "
        "are all it knows of your drawing."),
        Task("edit a code: on the Codes grid type a code's label (or + −) and watch the output",
             edited_a_code)),
    TourStep("The losses and β", "output-panel", None, lambda t, p, m: (
        f"Reconstruction: mean (x − x̂)² = {t.reconstruction_loss:.4f}. Codebook: mean "
        f"(sg[z_e] − e)² = {t.codebook_loss:.4f}, the chosen codes' mean d² "
        f"({t.distances[np.arange(POSITIONS), t.codes].mean():.3f}) ÷ D: how far the codes are "
        f"from the encoder's vectors; {codebook_loss_role(m)}. Commitment: β·mean "
        f"(z_e − sg[e])² = {t.commitment_loss:.4f} with β={m.config.beta:g}: β times the same "
        "distance, but its gradient pulls the encoder towards its codes.")),
    TourStep("How this codebook was trained", "codebook-panel", None, lambda t, p, m: (
        f"{training_story(m)}\nNames differ between sources: the VQ-VAE paper calls the "
        "codebook term the VQ objective; Sonnet calls the two q_latent_loss and e_latent_loss; "
        "some texts call the codebook term the commitment loss.")),
]  # fmt: skip


def codebook_loss_role(model: VQVAE) -> str:
    """What the codebook loss was to the loaded codebook's training, as its sidecar says."""
    training = codebook_training(model.sidecar)
    if training is None:
        return "these weights do not record whether it trained them"
    return training.codebook_loss_role() + (" (next step)" if training.by_ema else "")


def training_story(model: VQVAE) -> str:
    training = codebook_training(model.sidecar)
    if training is None:
        return "These weights' sidecar does not record how their codebook was trained."
    return training.story()


# ---- the second part: the comparison screen -------------------------------------------


PRIOR_DISK = 2.0  # |z| ≤ 2: in two dimensions it holds 1 − e^(−2) ≈ 86% of N(0, I)
PRIOR_MASS = 1 - math.exp(-(PRIOR_DISK**2) / 2)


@dataclass(frozen=True)
class PlaneFacts:
    """Where one model's mapped training digits and the screen's draws from N(0, I) lie."""

    cover: float  # the share of its mapped digits within |z| ≤ PRIOR_DISK
    gaps: tuple[float, ...]  # each draw's distance to the nearest mapped digit
    nearest: tuple[int, ...]  # the label of each draw's nearest mapped digit
    spacing: float  # the median distance from a mapped digit to its nearest other one


@dataclass(frozen=True)
class Comparison:
    """What the second part's words read: the drawing through the three models, and the
    comparison screen's random draws on the two planes."""

    ae: AETrace
    vae: VAETrace
    vqvae: Trace
    ae_plane: PlaneFacts
    vae_plane: PlaneFacts
    prior: bool  # the VQ-VAE's codes drawn from the training prior (else uniformly)
    vqvae_data: TrainingData  # what the VQ-VAE was trained on (the other two: MNIST)


@dataclass(frozen=True)
class ComparisonStep:
    title: str
    panels: tuple[str, ...]  # the ids of the panels it highlights
    explain: Callable[[Comparison], str]


def landed(p: PlaneFacts) -> str:
    """Where a plane's two draws landed, in words."""
    labels = " and a ".join(str(label) for label in p.nearest)
    gaps = " and ".join(f"{gap:.2f}" for gap in p.gaps)
    return f"nearest a {labels}, {gaps} away (digits lie {p.spacing:.2f} apart)"


def trained_apart(data: TrainingData) -> str:
    """What the three models were trained on, where the VQ-VAE's data is known not to be the
    others' (MNIST)."""
    if not data.known_not_mnist:
        return ""
    return f" The VQ-VAE was trained on {data.name}, the other two on MNIST's digits."


SECOND_PART = [
    ComparisonStep("Three autoencoders", ("ae-panel", "vae-panel", "vqvae-panel"), lambda c: (
        "Your drawing goes through three models with the same kind of convolutions: a plain "
        "autoencoder (z: 2 numbers), a VAE (a Gaussian over 2 numbers) and the VQ-VAE "
        f"({POSITIONS} codes, each one of {len(c.vqvae.codebook)}). Their errors on it: MSE "
        f"{c.ae.mse:.4f}, {c.vae.mse:.4f} and {c.vqvae.reconstruction_loss:.4f}."
        + trained_apart(c.vqvae_data))),
    ComparisonStep("A point", ("ae-latent-panel", "ae-draws-panel"), lambda c: (
        f"The autoencoder puts it at the point z = ({c.ae.z[0]:+.2f}, {c.ae.z[1]:+.2f}). "
        f"Nothing in its loss ties its points to N(0, I), whose draws fall within |z| ≤ 2 "
        f"{PRIOR_MASS:.0%} of the time: {c.ae_plane.cover:.0%} of its mapped digits lie there. "
        f"Its draws a, b land {landed(c.ae_plane)}.")),
    ComparisonStep("A Gaussian", ("vae-latent-panel", "vae-draws-panel"), lambda c: (
        f"The VAE encodes it as N(μ, σ²), σ = ({c.vae.sigma[0]:.3f}, {c.vae.sigma[1]:.3f}), and "
        f"samples z. Its KL ({c.vae.kl.sum():.2f} nats here) pulls every such Gaussian towards "
        f"N(0, I): {c.vae_plane.cover:.0%} of its mapped digits lie within |z| ≤ 2. Its draws "
        f"a, b land {landed(c.vae_plane)}.")),
    ComparisonStep(f"{POSITIONS} codes", ("vqvae-latent-panel", "vqvae-draws-panel"), lambda c: (
        f"The VQ-VAE keeps {POSITIONS} codes, far more than 2 numbers: its error is "
        f"{c.vqvae.reconstruction_loss:.4f}. Its draws are grids of codes, each position drawn "
        + (f"from how often the training {c.vqvae_data.examples} chose each code there, "
           if c.prior else "uniformly, ")
        + f"independently of its neighbours: the {c.vqvae_data.parts} need not join up.")),
]  # fmt: skip
TOUR_LENGTH = len(TOUR_STEPS) + len(SECOND_PART)


TOUR_KEYS = ("tour_next", "tour_previous", "tour_leave")  # the keys the tour holds while it runs
TOUR_ACTIONS = [  # in the table of each screen the walkthrough runs over
    Action("right", "tour_next", "Next", "Walkthrough: the next step", footer=2,
           priority=True),
    Action("n,space", "tour_next", "Next", "Walkthrough: the next step", priority=True,
           id="tour_next_alt", palette=False),
    Action("left", "tour_previous", "Back", "Walkthrough: the step before", footer=3,
           priority=True),
    Action("p", "tour_previous", "Back", "Walkthrough: the step before", priority=True,
           id="tour_previous_alt", palette=False),
    Action("escape", "tour_leave", "Leave", "Leave the walkthrough", footer=4,
           priority=True),
]  # fmt: skip


class Touring:
    """What the screens the walkthrough runs over share (mixed into their class): the tour's
    keys, which they hold only while it runs, and leaving it."""

    tour_step: int | None = None  # 0-based, while the walkthrough runs on this screen

    def check_action(self, action: str, parameters) -> bool | None:
        if action in TOUR_KEYS:
            return self.tour_step is not None  # otherwise the keys go to the focused panel
        return True

    def action_tour_leave(self) -> None:
        self.tour_step = None
        self.set_class(False, "-touring")
        self.refresh_bindings()
        for panel in self.query(".panel"):
            panel.set_class(False, "-tour-target")


class TourPanel(Static):
    """The current step: its number, its words, its line of code, its task."""

    def show(self, step: int, trace: Trace | None, position: int, model: VQVAE | None,
             line: str | None, task_done: bool) -> None:  # fmt: skip
        s = TOUR_STEPS[step]
        words = None
        if trace is not None and model is not None:
            words = s.explain(trace, position, model)
        self.show_words(step, s.title, words, line, s.task, task_done)

    def show_words(self, step: int, title: str, words: str | None, line: str | None = None,
                   task: Task | None = None, task_done: bool = False) -> None:  # fmt: skip
        """Step `step` (0-based, over both parts) with its words."""
        text = Text.assemble((f"Step {step + 1} of {TOUR_LENGTH}: {title}\n", "bold"))
        if words is not None:
            text.append(words + "\n")
        if line is not None:
            text.append("code: ", "dim")
            text.append(line.strip() + "\n", "bold")
        if task is not None:
            mark, style = ("✔ done!", "bold green") if task_done else ("try it:", "bold yellow")
            text.append(f"{mark} ", style)
            text.append(task.text + "\n")
        text.append("→ n space: next · ← p: back · Esc: leave", "dim")
        self.update(text)
