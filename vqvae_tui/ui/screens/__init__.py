"""One Screen per view, each owning its widgets, keys, handlers, layout and styles (.tcss)."""
