"""The server's log: one line per session (who, from where, when, for how long, how it ended)."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("vqvae_tui.serve")


def printable(text: str, limit: int = 64) -> str:
    """A client-given name as it may appear in the log: one line, no control characters."""
    return "".join(c if c.isprintable() else "?" for c in text[:limit])


def duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def log_session(number: int | None, who: str, peer: str, started: float, reason: str) -> None:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))
    lasted = duration(time.time() - started)
    log.info("session %s: %s from %s, at %s for %s: %s",
             "-" if number is None else number, who, peer, when, lasted, reason)  # fmt: skip
