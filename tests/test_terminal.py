"""The app in a real pseudo-terminal, as odd terminals and hostile input meet it."""

import os
import subprocess
import sys
import time

import pytest
from terminal import READY, Terminal

from vqvae_tui.ui.terminal import guard_input_parser

MALFORMED = [b"\x1b[999999999999A", b"\x1b[1114112u", b"\x1b[99999999999999999999;5u"]


@pytest.mark.parametrize(
    "env",
    [{"TERM": "vt100"}, {"LANG": "C"}, {"TERM": "vt100", "LANG": "C", "LC_ALL": "C"}],
    ids=["vt100", "LANG=C", "vt100+C"],
)
def test_odd_terminals_draw_the_app_and_it_answers_keys(env):
    terminal = Terminal(env=env)
    try:
        assert terminal.wait_for(READY)
        terminal.send("c")
        terminal.read(0.5)
        terminal.send("?")  # the keys, as help lists them
        assert terminal.wait_for("Everywhere", timeout=10)
        terminal.send("\x1b")  # help closes
        terminal.read(0.5)
    finally:
        assert terminal.quit() == 0


def test_a_dumb_terminal_gets_one_line_and_exit_2():
    terminal = Terminal(env={"TERM": "dumb"})
    code = terminal.quit(timeout=20)
    lines = [line for line in terminal.text().splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "TERM=dumb" in lines[0], lines


def test_an_idle_app_uses_almost_no_cpu():
    terminal = Terminal()
    try:
        assert terminal.wait_for(READY)
        terminal.read(1.0)  # the first frames settle
        used, started = terminal.cpu_seconds(), time.monotonic()
        while time.monotonic() - started < 3:
            terminal.read(0.2)
        share = (terminal.cpu_seconds() - used) / (time.monotonic() - started)
        assert share < 0.03, f"idle app used {share:.1%} of a core"
    finally:
        terminal.quit()


def test_malformed_key_sequences_are_ignored_and_the_app_goes_on():
    terminal = Terminal()
    try:
        assert terminal.wait_for(READY)
        for sequence in MALFORMED:
            terminal.send(sequence)
            terminal.read(0.3)
        assert terminal.process.poll() is None  # still running
        terminal.send("?")
        assert terminal.wait_for("Everywhere", timeout=10)  # and still reading keys
        terminal.send("q")  # closes help
        terminal.read(0.5)
    finally:
        assert terminal.quit() == 0


def test_the_parser_reads_sequences_no_key_has_as_nothing():
    from textual._xterm_parser import XTermParser

    guard_input_parser()
    guard_input_parser()  # twice is once
    parser = XTermParser()
    for sequence in MALFORMED:
        assert list(parser.feed(sequence.decode())) == []
        assert [key.key for key in parser.feed("a")] == ["a"]  # the next key still reads
    assert [key.key for key in parser.feed("\x1b[98u")] == ["b"]  # a real sequence too


def test_without_a_terminal_the_app_says_so_in_one_line():
    """`vqvae-tui < /dev/null > file` used to run, reading end-of-file at full CPU forever."""
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui"], stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "needs a terminal" in result.stderr


NOHUP = (
    "import runpy, signal; signal.signal(signal.SIGHUP, signal.SIG_IGN);"
    " runpy.run_module('vqvae_tui', run_name='__main__')"
)  # the app as `nohup` starts it: SIGHUP ignored


@pytest.mark.parametrize("sighup", ["default", "ignored"])
def test_the_app_ends_when_its_terminal_hangs_up(sighup):
    """A terminal that vanishes without a SIGHUP for the app (it was not the app's controlling
    terminal) left it spinning at full CPU, reading end-of-file; under nohup too."""
    terminal = Terminal(command=[sys.executable, "-c", NOHUP] if sighup == "ignored" else None)
    assert terminal.wait_for(READY)
    os.close(terminal.leader)
    try:
        terminal.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        terminal.process.kill()
        pytest.fail("the app went on after its terminal hung up")
