"""Guards for what a broken, hostile or vanished terminal does to the app (Textual 8.2.8).

A kitty-protocol key sequence whose code point lies past Unicode (ESC[1114112u) or whose number
does not fit a C int (ESC[999999999999A) raises inside Textual's input parser, in the driver's
input thread: the app stops with exit code 0, or never reads a key again. No key has such a code
point, so the guard reads the sequence as a key Textual ignores (and goes on reading: a
sequence that yielded no key at all would swallow the keys after it).
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading

from textual import events
from textual._xterm_parser import XTermParser
from textual.keys import Keys


def guard_input_parser() -> None:
    """Make the parser ignore extended-key sequences that name no possible key (once)."""
    parse = XTermParser._parse_extended_key
    if getattr(parse, "guarded", False):
        return

    def parse_extended_key(self: XTermParser, sequence: str):
        try:
            return parse(self, sequence)
        except (ValueError, OverflowError):
            return [events.Key(Keys.Ignore, sequence)]

    parse_extended_key.guarded = True
    XTermParser._parse_extended_key = parse_extended_key


def watch_for_hangup() -> None:
    """End the process when its terminal (standard input) hangs up, as a SIGHUP would.

    When the terminal goes away without a SIGHUP reaching the app (it was not the
    app's controlling terminal), Textual 8.2.8's input thread reads end-of-file at once, again
    and again: the app would spin at full CPU forever. A thread that waits only for the
    hang-up (poll reports POLLHUP whatever it is asked for) costs nothing until then.
    Under `nohup` (SIGHUP ignored, as the app inherits it) the app ends all the same: with its
    terminal gone there is nothing left to show, and it would spin.
    """

    fd = sys.stdin.fileno()

    def wait() -> None:
        poller = select.poll()
        poller.register(fd, 0)
        while True:
            for _, event in poller.poll():
                if event & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                    if signal.getsignal(signal.SIGHUP) == signal.SIG_IGN:
                        os._exit(128 + signal.SIGHUP)  # as the signal would have ended it
                    os.kill(os.getpid(), signal.SIGHUP)
                    return

    threading.Thread(target=wait, name="hangup-watch", daemon=True).start()
