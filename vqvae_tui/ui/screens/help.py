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
        "help", Action("escape,question_mark,q", "close", "Close", "Close the keys", footer=10)
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self):
        super().__init__(id="help")
        self.keys = Static(id="help-keys")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys"
            yield self.keys

    def on_screen_resume(self) -> None:
        stack = self.app.screen_stack
        under = stack[: stack.index(self)] if self in stack else stack
        # the screen help was opened from: the command palette may lie between (a storm of
        # keys can open help while a palette is still closing), and has no keys of its own
        below = next(s for s in reversed(under) if hasattr(s, "HELP_TITLE"))
        sections = [(below.HELP_TITLE, table_of(below), None)]
        panel = below.focused
        if panel is not None and table_of(panel):
            sections.append((f"This panel ({panel.id})", table_of(panel), panel))
        sections.append(("Everywhere", table_of(self.app), None))
        self.keys.update(self.table(sections))
        self.query_one("#help-body").scroll_home(animate=False)

    def table(self, sections) -> Table:
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(style="bold", no_wrap=True)  # the keys
        table.add_column(style="bold", no_wrap=True)  # what they do, in a few words
        table.add_column(ratio=1)  # and in a sentence: the rest of the width
        for title, section, panel in sections:
            table.add_row("", Text(title, style="underline"), "")
            for _, group in groupby(section, key=lambda action: action.group or action.id):
                table.add_row(*self.row(list(group)))
            if getattr(panel, "HELP", None):
                table.add_row("", "", Text(panel.HELP, style="italic"))
            table.add_row("", "", "")
        table.add_row("", "", Text("Esc, ? or q closes; ctrl+p finds any command by name.", "dim"))
        return table

    def row(self, group: list[Action]) -> tuple[str, str, str]:
        """One line of help: the keys of a group of actions, and what they do."""
        first = group[0]
        if len(group) == 1:
            return keys_shown(self.app, first), first.title, first.description
        shown = [keys_shown(self.app, action).split() for action in group]
        if len(group) > GROUP_RANGE:
            return f"{shown[0][0]}–{shown[-1][0]}", first.group, ""
        alternatives = zip(*shown)  # ↑ ↓ and k j: each kind of key together
        return "  ".join(" ".join(keys) for keys in alternatives), first.group, ""

    def action_close(self) -> None:
        if self.app.screen is self:  # keys already queued may arrive after it closed
            self.app.pop_screen()
