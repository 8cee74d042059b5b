"""Every action's key, title and description, stated once.

The app, each screen and each panel keep a table of `Action`s. Their bindings, the footer (the
most useful keys that fit), the `?` help and the command palette are all made from those tables,
so a key and its words cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from textual.binding import Binding


@dataclass(frozen=True)
class Action:
    keys: str  # Textual key names, comma-separated: "d", "right,l"
    action: str  # what the key runs on the table's owner: "details", "move(0, 1)"
    title: str  # a few words: the footer's label, the palette's title, the help's name
    description: str  # one sentence: the palette's help line and the `?` help
    footer: int | None = None  # its rank among the footer's keys (0 most useful); None: not there
    key_display: str | None = None  # how the key is shown, where Textual's name reads badly
    priority: bool = False  # before the focused panel's keys
    palette: bool = True  # a command in the palette (cursor moves are keys, not commands)
    group: str | None = None  # actions of one group share one line of `?` help: "Sample 0–9"
    id: str = ""  # the binding's id (so keys can be remapped): set by `actions`

    @property
    def name(self) -> str:
        """The action's method, without its arguments: "move" for "move(0, 1)"."""
        return self.action.partition("(")[0]

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.title,
            show=self.footer is not None,
            key_display=self.key_display,
            priority=self.priority,
            tooltip=self.description,
            id=self.id,
        )


def actions(scope: str, *entries: Action | Iterable[Action]) -> tuple[Action, ...]:
    """A table of actions whose bindings have the ids `scope.NAME`; entries may be actions or
    iterables of them (from `moves`)."""
    table: list[Action] = []
    for entry in entries:
        for action in [entry] if isinstance(entry, Action) else entry:
            table.append(replace(action, id=f"{scope}.{action.id or action.name}"))
    ids = [action.id for action in table]
    if len(set(ids)) != len(ids):
        raise ValueError(f"two actions of {scope!r} have one id: give them their own")
    return tuple(table)


def table_of(node) -> tuple[Action, ...]:
    """Every action of a node: its class's table, then those of the classes it extends."""
    return tuple(action for cls in type(node).__mro__ for action in cls.__dict__.get("ACTIONS", ()))


def bindings(table: Iterable[Action]) -> list[Binding]:
    return [action.binding() for action in table]


def keys_shown(app, action: Action) -> str:
    """How an action's keys read in help and the palette: "↑ k", "?"."""
    shown = (
        app.get_key_display(Binding(key, action.action, key_display=action.key_display))
        for key in action.keys.split(",")
    )
    return " ".join(dict.fromkeys(shown))


ARROWS = {"up": ("k", -1, 0), "down": ("j", 1, 0), "left": ("h", 0, -1), "right": ("l", 0, 1)}


def moves(noun: str, *, grid: bool = True, arrows: str = "up down left right") -> list[Action]:
    """The arrow keys and h j k l moving a panel's cursor: `move(rows, columns)` on a grid, or
    `move(step)` along a list (up and left go back, down and right go on)."""
    return [
        Action(
            f"{arrow},{vim}",
            f"move({rows}, {columns})" if grid else f"move({rows + columns})",
            f"{noun.capitalize()} {arrow}",
            f"Move the {noun} {arrow} ({arrow} or {vim})",
            palette=False,
            group=f"Move the {noun}",
            id=arrow,
        )
        for arrow in arrows.split()
        for vim, rows, columns in [ARROWS[arrow]]
    ]
