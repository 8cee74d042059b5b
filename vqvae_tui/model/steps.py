"""The quantizer's source, step by step: which line computes which Trace matrix.

`VectorQuantizer.forward` ends each step's line with a `# step: NAME` marker. The details screen
shows that source, read as it runs, beside the live matrices; `steps` checks the markers, so an
edit to the model can never make the line ↔ matrix link silently wrong.
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


@dataclass(frozen=True)
class Step:
    name: str  # a key of STEP_MATRICES
    matrix: str  # the Trace field this line computes
    line: int  # 0-based index into Source.lines


@functools.cache  # read once: the source of the code that runs, even if the file changes later
def quantizer_source() -> Source:
    """The source of `VectorQuantizer.forward`, read from its module."""
    lines, first_line = inspect.getsourcelines(VectorQuantizer.forward)
    text = textwrap.dedent("".join(lines))
    return Source(text, first_line, tuple(text.splitlines()))


def steps(source: Source | str | None = None) -> list[Step]:
    """The marked steps of `source` (default: the quantizer's), in source order.

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
def quantizer_steps() -> tuple[Step, ...]:
    return tuple(steps(quantizer_source()))


def line_of(matrix: str) -> list[int]:
    """The lines of the quantizer's source that compute a Trace field (none for most fields)."""
    return [step.line for step in quantizer_steps() if step.matrix == matrix]


def matrix_of(line: int) -> str | None:
    """The Trace field a line of the quantizer's source computes, None for an unmarked line."""
    return next((step.matrix for step in quantizer_steps() if step.line == line), None)
