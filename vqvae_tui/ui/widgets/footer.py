"""The footer: the most useful keys that fit the terminal's width, each label whole.

Textual's footer shows every key marked for it and lets the command palette's key, docked at
the right, cover the ones that do not fit. This one shows keys in the order of their footer rank
(`Action.footer`: 0 most useful) while they fit beside the palette's key; every other key is in
`?` help and the command palette.

Its keys take the footer's `compact` once, when made. Textual's own footer binds each key to it
(`data_bind`), which adds a watcher to the footer that is dropped only when `compact` changes:
every recompose (each time a screen shows) kept all the keys it replaced alive, 27 a toggle of
the details screen, ~0.7 MB.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from vqvae_tui.ui.actions import table_of
from vqvae_tui.ui.memory import release_removed_widgets

KEY_PADDING = 3  # " key " and the space after the label
PALETTE_EDGE = 2  # the palette key's border and right padding


def rank(namespace, binding: Binding) -> int | None:
    """The footer rank of a binding, from the action table of the node that holds it."""
    for action in table_of(namespace):
        if action.id == binding.id:
            return action.footer
    return None


class KeyFooter(Footer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shown: list[tuple] = []  # the keys shown now, as `shown_keys` gives them

    def shown_keys(self) -> list[tuple]:
        """What the footer would show now: each key's action, label and state."""
        return [(b.action, b.key, b.description, enabled, tooltip)
                for b, enabled, tooltip in self.fitting()]  # fmt: skip

    def bindings_changed(self, screen) -> None:
        """Recompose only when the keys to show have changed. Textual's footer recomposes at
        every change of bindings (each time its screen shows): new key widgets each time, and
        Textual keeps the style caches of up to 1024 removed widgets (an lru_cache on
        `StylesCache.get_inner_outer` holds them)."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and self.shown_keys() != self.shown:
            self.call_after_refresh(self.recompose)

    def label_width(self, binding: Binding) -> int:
        return len(self.app.get_key_display(binding)) + len(binding.description) + KEY_PADDING

    def fitting(self) -> list[tuple[Binding, bool, str]]:
        """The keys to show, in the screen's order: the best-ranked that fit."""
        active = self.screen.active_bindings
        candidates: dict[str, tuple[int, int, Binding, bool, str]] = {}  # one per action
        for order, (namespace, binding, enabled, tooltip) in enumerate(active.values()):
            place = rank(namespace, binding)
            if binding.show and place is not None and binding.action not in candidates:
                candidates[binding.action] = (place, order, binding, enabled, tooltip)
        room = self.app.size.width
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette:
            room -= self.label_width(palette.binding) + PALETTE_EDGE
        chosen = []
        for _, order, binding, enabled, tooltip in sorted(candidates.values()):
            if self.label_width(binding) <= room:
                room -= self.label_width(binding)
                chosen.append((order, binding, enabled, tooltip))
        return [(binding, enabled, tooltip) for _, binding, enabled, tooltip in sorted(chosen)]

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        release_removed_widgets()  # the keys this compose replaces
        keys = self.fitting()
        self.shown = self.shown_keys()
        for binding, enabled, tooltip in keys:
            key = FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            )
            key.set_reactive(FooterKey.compact, self.compact)  # not data_bind: see above
            yield key
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette:
            yield FooterKey(
                palette.binding.key,
                self.app.get_key_display(palette.binding),
                palette.binding.description,
                palette.binding.action,
                classes="-command-palette",
                disabled=not palette.enabled,
                tooltip=palette.binding.tooltip or palette.binding.description,
            )

    def watch_compact(self) -> None:
        if self._bindings_ready:
            self.call_after_refresh(self.recompose)

    def on_resize(self, event: Resize) -> None:
        if self._bindings_ready and self.shown_keys() != self.shown:
            self.call_after_refresh(self.recompose)
