"""Names of a package that load on first use (PEP 562), so importing the package costs nothing
until one of its names is needed (torch, for most of `vqvae_tui.model`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module


def lazy_names(package: str, where: dict[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` for `package`: each name of `where` imported from its submodule
    when first asked for, then kept as an ordinary attribute."""

    def __getattr__(name: str) -> object:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{where[name]}"), name)
        setattr(sys.modules[package], name, value)  # once loaded, an ordinary attribute
        return value

    return __getattr__
