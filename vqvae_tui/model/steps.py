"""The models' source, step by step: which line computes which Trace matrix or graph node.

`VectorQuantizer.forward` (and the library's adapter, `LibraryQuantizer.forward`) and
`VAE.forward` end each step's line with a `# step: NAME` marker. The details and graph screens
show the source that runs, read as it runs, beside the live matrices and the computational
graph; `steps` checks the markers, so an edit to a model can never make the line ↔ matrix (or
line ↔ node) link silently wrong.
"""

from __future__ import annotations

import functools
import inspect
import re
import textwrap
from dataclasses import dataclass

from vqvae_tui.model.vae import VAE
from vqvae_tui.model.vqvae import VectorQuantizer

STEP_MATRICES = {
    "reshape": "flat",
    "distances": "distances",
    "argmin": "codes",
    "lookup": "selected",
    "reshape back": "quantized",
    "straight-through": "quantized",  # z_q going forward: the value Trace.quantized holds
}
SAMPLING_NODES = {  # each step of VAE.forward → the nodes of the computational graph it computes
    "encoder": ("encoder", "mean", "log_variance"),
    "log-var trick": ("half", "exp", "sigma"),
    "noise": ("epsilon",),
    "reparameterization": ("times", "plus", "z"),
    "decoder": ("decoder", "x_hat"),
}
MARKER = re.compile(r"#\s*step:\s*(?P<name>.*?)\s*$")


@dataclass(frozen=True)
class Source:
    text: str  # dedented
    first_line: int  # the file's line number (1-based) of the first line of text
    lines: tuple[str, ...]  # text, one line each
    title: str  # what it is and where: "VectorQuantizer.forward — model/vqvae.py"


@dataclass(frozen=True)
class Step:
    name: str  # a key of STEP_MATRICES
    matrix: str  # the Trace field this line computes
    line: int  # 0-based index into Source.lines


def read_source(function) -> Source:
    """The source of a function (or method), read from its module, titled with its name."""
    lines, first_line = inspect.getsourcelines(function)
    text = textwrap.dedent("".join(lines))
    module = function.__module__.removeprefix("vqvae_tui.").replace(".", "/")
    title = f"{function.__qualname__} — {module}.py"
    return Source(text, first_line, tuple(text.splitlines()), title)


@functools.cache  # read once: the source of the code that runs, even if the file changes later
def quantizer_source(quantizer: type = VectorQuantizer) -> Source:
    """The source of a quantizer class's `forward` (ours by default), read from its module."""
    return read_source(quantizer.forward)


def marked_lines(text: str, known: dict) -> dict[str, int]:
    """Each step's line (0-based) in `text`, in source order, for the step names of `known`.

    Raises ValueError if a marker names an unknown step, if a step is marked twice or if a step
    of `known` has no marker.
    """
    found: dict[str, int] = {}
    for index, line in enumerate(text.splitlines()):
        marker = MARKER.search(line)
        if marker is None:
            continue
        name = marker["name"]
        if name not in known:
            raise ValueError(
                f"line {index}: unknown step {name!r} (known steps: {', '.join(known)})"
            )
        if name in found:
            raise ValueError(f"line {index}: step {name!r} is marked twice")
        found[name] = index
    missing = [name for name in known if name not in found]
    if missing:
        raise ValueError(f"no `# step:` marker for {', '.join(map(repr, missing))}")
    return found


def steps(source: Source | str | None = None) -> list[Step]:
    """The marked steps of `source` (default: the quantizer's), in source order (see
    `marked_lines` for what is refused)."""
    if source is None:
        return list(quantizer_steps())
    text = source.text if isinstance(source, Source) else source
    return [
        Step(name, STEP_MATRICES[name], line)
        for name, line in marked_lines(text, STEP_MATRICES).items()
    ]


@functools.cache  # the source is read once, so its steps are found once
def quantizer_steps(quantizer: type = VectorQuantizer) -> tuple[Step, ...]:
    return tuple(steps(quantizer_source(quantizer)))


def line_of(matrix: str, quantizer: type = VectorQuantizer) -> list[int]:
    """The lines of a quantizer's source that compute a Trace field (none for most fields)."""
    return [step.line for step in quantizer_steps(quantizer) if step.matrix == matrix]


def matrix_of(line: int, quantizer: type = VectorQuantizer) -> str | None:
    """The Trace field a line of a quantizer's source computes, None for an unmarked line."""
    return next((s.matrix for s in quantizer_steps(quantizer) if s.line == line), None)


@functools.cache
def vae_source() -> Source:
    """The source of `VAE.forward`, read from its module."""
    return read_source(VAE.forward)


@functools.cache
def sampling_steps() -> dict[str, int]:
    """Each step of `VAE.forward` → its line (0-based) in `vae_source()`."""
    return marked_lines(vae_source().text, SAMPLING_NODES)


def line_of_node(node: str) -> int | None:
    """The line of `VAE.forward` that computes a node of the graph (None for the others)."""
    return next(
        (line for step, line in sampling_steps().items() if node in SAMPLING_NODES[step]), None
    )


def nodes_of_line(line: int) -> tuple[str, ...]:
    """The graph nodes a line of `VAE.forward` computes (none for an unmarked line)."""
    return next((SAMPLING_NODES[step] for step, at in sampling_steps().items() if at == line), ())
