"""The quantizer's source, step by step: which line computes which Trace matrix.

`VectorQuantizer.forward` (and the library's adapter, `LibraryQuantizer.forward`) ends each
step's line with a `# step: NAME` marker. The details screen shows the source of the quantizer
that runs, read as it runs, beside the live matrices; `steps` checks the markers, so an edit to
the model can never make the line ↔ matrix link silently wrong.
"""

from __future__ import annotations

import functools
import inspect
import re
import textwrap
from dataclasses import dataclass

from vqvae_tui.model.vqvae import VectorQuantizer

STEP_MATRICES = {
    "reshape": "flat",
    "distances": "distances",
    "argmin": "codes",
    "lookup": "selected",
    "reshape back": "quantized",
    "straight-through": "quantized",  # z_q going forward: the value Trace.quantized holds
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


@functools.cache  # read once: the source of the code that runs, even if the file changes later
def quantizer_source(quantizer: type = VectorQuantizer) -> Source:
    """The source of a quantizer class's `forward` (ours by default), read from its module."""
    lines, first_line = inspect.getsourcelines(quantizer.forward)
    text = textwrap.dedent("".join(lines))
    module = quantizer.__module__.removeprefix("vqvae_tui.").replace(".", "/")
    title = f"{quantizer.__name__}.forward — {module}.py"
    return Source(text, first_line, tuple(text.splitlines()), title)


def steps(source: Source | str | None = None) -> list[Step]:
    """The marked steps of `source` (default: our quantizer's), in source order.

    Raises ValueError if a marker names an unknown step, if a step is marked twice or if a step
    of STEP_MATRICES has no marker.
    """
    if source is None:
        return list(quantizer_steps())
    text = source.text if isinstance(source, Source) else source
    found: dict[str, Step] = {}
    for index, line in enumerate(text.splitlines()):
        marker = MARKER.search(line)
        if marker is None:
            continue
        name = marker["name"]
        if name not in STEP_MATRICES:
            known = ", ".join(STEP_MATRICES)
            raise ValueError(f"line {index}: unknown step {name!r} (known steps: {known})")
        if name in found:
            raise ValueError(f"line {index}: step {name!r} is marked twice")
        found[name] = Step(name, STEP_MATRICES[name], index)
    missing = [name for name in STEP_MATRICES if name not in found]
    if missing:
        raise ValueError(f"no `# step:` marker for {', '.join(map(repr, missing))}")
    return list(found.values())


@functools.cache  # the source is read once, so its steps are found once
def quantizer_steps(quantizer: type = VectorQuantizer) -> tuple[Step, ...]:
    return tuple(steps(quantizer_source(quantizer)))


def line_of(matrix: str, quantizer: type = VectorQuantizer) -> list[int]:
    """The lines of a quantizer's source that compute a Trace field (none for most fields)."""
    return [step.line for step in quantizer_steps(quantizer) if step.matrix == matrix]


def matrix_of(line: int, quantizer: type = VectorQuantizer) -> str | None:
    """The Trace field a line of a quantizer's source computes, None for an unmarked line."""
    return next((s.matrix for s in quantizer_steps(quantizer) if s.line == line), None)
