"""Hover selects: the one mouse handler of every panel whose cells can be selected.

A panel names what lies under the pointer (`target_at`) and the message that selects it
(`selected`); a mouse move over it, or a click (for terminals that send no motion), posts that
message. The keyboard reaches the same targets through each panel's move keys.
"""

from __future__ import annotations

from textual.events import MouseEvent
from textual.message import Message


class HoverSelects:
    def target_at(self, x: int, y: int) -> int | None:
        """What is at content cell (x, y), or None."""
        raise NotImplementedError

    def selected(self, target: int) -> Message:
        """The message that selects `target`."""
        raise NotImplementedError

    def on_mouse_move(self, event: MouseEvent) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and (target := self.target_at(offset.x, offset.y)) is not None:
            self.post_message(self.selected(target))

    def on_click(self, event: MouseEvent) -> None:
        self.on_mouse_move(event)
