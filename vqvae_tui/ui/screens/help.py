"""`?` help: every key of the screen it was opened from, of its focused panel, and of the app,
read from their action tables."""

from __future__ import annotations

from itertools import groupby

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from vqvae_tui.ui.actions import Action, actions, bindings, keys_shown, table_of

GROUP_RANGE = 4  # a group of more keys than this shows its first and last: "0–9"


class HelpScreen(ModalScreen):
    CSS_PATH = "help.tcss"

    ACTIONS = actions(
        "help", Action("escape,question_mark", "close", "Close", "Close the keys", footer=10)
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self):
        super().__init__(id="help")
        self.keys = Static(id="help-keys")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield self.keys

    def on_screen_resume(self) -> None:
        below = self.app.screen_stack[-2]
        sections = [(below.HELP_TITLE, table_of(below), None)]
        panel = below.focused
        if panel is not None and table_of(panel):
            sections.append((f"The focused panel ({panel.id})", table_of(panel), panel))
        sections.append(("Everywhere", table_of(self.app), None))
        self.keys.update(self.table(sections))
        self.query_one("#help-body").scroll_home(animate=False)

    def table(self, sections) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold")
        table.add_column()
        for title, section, panel in sections:
            table.add_row("", Text(title, style="bold underline"))
            for _, group in groupby(section, key=lambda action: action.group or action.id):
                table.add_row(*self.row(list(group)))
            if getattr(panel, "HELP", None):
                table.add_row("", Text(panel.HELP, style="italic"))
            table.add_row("", "")
        table.add_row("", Text("Esc or ? closes. ctrl+p finds any command by its name.", "dim"))
        return table

    def row(self, group: list[Action]) -> tuple[str, Text]:
        """One line of help: the keys of a group of actions, and what they do."""
        first = group[0]
        if len(group) == 1:
            return keys_shown(self.app, first), Text.assemble(
                (first.title, "bold"), f"  {first.description}"
            )
        shown = [keys_shown(self.app, action) for action in group]
        keys = f"{shown[0]}–{shown[-1]}" if len(group) > GROUP_RANGE else "  ".join(shown)
        return keys, Text(first.group, style="bold")

    def action_close(self) -> None:
        if self.app.screen is self:  # keys already queued may arrive after it closed
            self.app.pop_screen()
