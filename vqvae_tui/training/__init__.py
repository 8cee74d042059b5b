"""Training and evaluation loops, shared by the CLI and the app. Never imports the UI.

Names load on first use (PEP 562), so the settings can be imported without torch."""

from importlib import import_module

_WHERE = {
    "Metrics": "evaluate",
    "evaluate": "evaluate",
    "perplexity": "evaluate",
    "TrainOptions": "options",
    "Progress": "train",
    "train": "train",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value
