"""Every message the widgets post up to their screen: small dataclasses named for what happened.

Selections replace a queued one of their kind (`can_replace`), so a burst of mouse moves costs
one update."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widget import Widget


@dataclass
class PositionSelected(Message):
    """A latent position (row-major over the grid) was hovered or reached by the keyboard."""

    position: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PositionSelected)


@dataclass
class CodeSelected(Message):
    """A codebook row was hovered or reached by the keyboard."""

    code: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CodeSelected)


@dataclass
class Paint(Message):
    """The brush moved from start to end (pixel coordinates, floats); `new_stroke` starts an
    undo step."""

    start: tuple[float, float]
    end: tuple[float, float]
    erase: bool = False
    new_stroke: bool = False


@dataclass
class MatrixLinked(Message):
    """A matrix of the details screen was focused or entered: link it to its code lines."""

    field: str  # the Trace field it shows

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, MatrixLinked)


@dataclass
class CodeEdited(Message):
    """The user set the code of a latent position (instead of its nearest code)."""

    position: int
    code: int


@dataclass
class CodeLineSelected(Message):
    """A line of the code pane was hovered or reached by the keyboard (0-based)."""

    line: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CodeLineSelected)


@dataclass
class PatchPicked(Message):
    """A patch of a picture was clicked (row-major over the picture's patches)."""

    picture: Widget
    patch: int


@dataclass
class LatentPointChosen(Message):
    """A point of the latent plane was clicked or dragged to: pin z there."""

    point: tuple[float, float]

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LatentPointChosen)


@dataclass
class LatentStep(Message):
    """The keyboard moved the z cursor by a step (in units of the plane)."""

    step: tuple[float, float]


@dataclass
class NodeSelected(Message):
    """A node of the computational graph was hovered or reached by the keyboard."""

    node: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, NodeSelected)
