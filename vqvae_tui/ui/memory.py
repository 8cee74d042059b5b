"""Memory that Textual 8.2.8 keeps for widgets already removed, given back.

`StylesCache.get_inner_outer` is an `lru_cache(1024)` on a method: each key holds a widget's
StylesCache, and so the lines that widget last rendered, long after the widget was removed.
Screens made anew at each opening (the command palette) and widgets made anew (the footer's keys
when the walkthrough starts or stops) were kept that way: the palette held 0.3 MB an opening,
up to 54 MB after 200 openings (a plateau at the cache's 1024 entries). Its values are two
Styles made from two colours, cheap to make again.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache


def release_removed_widgets() -> None:
    """Let go of the style caches of removed widgets (and the lines they last rendered)."""
    StylesCache.get_inner_outer.cache_clear()
