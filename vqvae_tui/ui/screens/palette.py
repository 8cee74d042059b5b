"""The command palette: Textual's, closed once and only once.

Textual 8.2.8's palette has races when keys and clicks arrive faster than it opens and closes
(as a storm of input, or a quick double click, delivers them): a second close pops the screen
below it ("Can't pop screen"); PageUp/PageDown before its list has been laid out looks up a
line that does not exist yet (KeyError); a new palette opened while the last is still being
removed has the same id (DuplicateIds); the search that opening starts, and its busy and list
watchers, and its "No matches found" timer, may run after the palette closed, when its list is
gone (NoMatches). This subclass
guards exactly those paths;
tests/test_storm.py finds them when the guards are taken away.
"""

from __future__ import annotations

from itertools import count

from textual import work
from textual.command import CommandList, CommandPalette
from textual.css.query import NoMatches

PALETTES = count()  # each palette its own id: the last one may not be gone yet


class Palette(CommandPalette):
    def __init__(self):
        super().__init__(id=f"palette-{next(PALETTES)}")

    @staticmethod
    def open_in(app) -> bool:
        return isinstance(app.screen, CommandPalette)

    def dismiss(self, result=None):
        """Close, unless closed already (then the screen on top is another's to close)."""
        if self.app.screen is self:
            return super().dismiss(result)
        return None

    def _action_command_list(self, action: str) -> None:
        command_list = self.query_one(CommandList)
        if action.startswith("page_") and not command_list.scrollable_content_region:
            return  # a page of a list not laid out yet: nothing to page through
        super()._action_command_list(action)

    def closed(self) -> bool:
        """Whether the palette has closed: its list is gone."""
        return not self.query(CommandList)

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        """Gather the commands that match, unless the palette closes before or meanwhile."""
        try:
            if not self.closed():
                await CommandPalette._gather_commands.__wrapped__(self, search_value)
        except NoMatches:
            if not self.closed():
                raise

    def _watch__list_visible(self) -> None:
        if not self.closed():
            super()._watch__list_visible()

    async def _watch__show_busy(self) -> None:
        if not self.closed():
            await super()._watch__show_busy()

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """Textual's countdown to "No matches found", which does nothing once the palette has
        closed (its list is gone when the timer fires after a quick close)."""
        super()._start_no_matches_countdown(search_value)
        timer = self._no_matches_timer
        show = timer._callback
        timer._callback = lambda: None if self.closed() else show()
