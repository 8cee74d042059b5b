"""`vqvae-tui serve` over SSH: a real server on a free loopback port, real SSH clients.

Most tests share one server (at most 3 sessions, saving into a directory); those that need other
options, or stop their server, start their own.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys

import asyncssh
import numpy as np
import pytest
from conftest import skip_unless_required
from served import (
    PASSWORD,
    AppClient,
    Served,
    children,
    connect,
    eventually,
    wait_until,
    zombies_of,
)
from terminal import Terminal

from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.model import trace
from vqvae_tui.serve.journal import printable

READY = "reconstruction loss"
MAX_SESSIONS = 3


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="module")
def served(tmp_path_factory, exports):
    server = Served(tmp_path_factory.mktemp("served"), "--max-sessions", str(MAX_SESSIONS),
                    "--export-dir", str(exports))  # fmt: skip
    yield server
    server.close()


@pytest.fixture
def no_sessions_left(served):
    """Every test on the shared server leaves it with no session."""
    yield
    assert wait_until(lambda: not served.sessions()), served.sessions()


def sample_losses(model, digit: str) -> str:
    """The inspector's line for a finished sample digit, as the model computes it."""
    traced = trace(model, draw_strokes(SAMPLES[digit]))
    return f"{READY} {traced.reconstruction_loss:.4f}"


async def test_a_session_draws_a_sample_and_quits(served, shipped_model, no_sessions_left):
    async with await connect(served) as conn:
        app = await AppClient.open(conn)
        assert await app.wait_for(READY)
        [pid] = served.sessions()
        app.send("3")
        assert await app.wait_for(sample_losses(shipped_model, "3"))
        app.send("q")
        assert await app.ended() == 0
    assert await eventually(lambda: not os.path.exists(f"/proc/{pid}"))
    line = served.wait_log(": quit")
    assert "alice (key student) from 127.0.0.1:" in line and " for " in line


async def test_the_terminal_type_and_colour_depth_reach_the_app(served, no_sessions_left):
    async with await connect(served) as conn:
        palette = await AppClient.open(conn, term="xterm-256color")
        truecolour = await AppClient.open(conn, env={"COLORTERM": "truecolor"})
        plain = await AppClient.open(conn, term="xterm", env={"NO_COLOR": "1"})
        for app in (palette, truecolour, plain):
            assert await app.wait_for(READY)
            app.send("3")
            await app.read(1.0)
        assert all(os.readlink(f"/proc/{pid}/cwd") == "/" for pid in served.sessions())
        assert b"\x1b[38;2;" in truecolour.output and b"\x1b[38;2;" not in palette.output
        assert b"\x1b[38;5;" in palette.output
        assert "▓" in plain.text() or "▒" in plain.text()  # NO_COLOR: pictures in shade glyphs
        assert "▓" not in palette.text() and "▒" not in palette.text()
        for app in (palette, truecolour, plain):
            app.send("q")
            assert await app.ended() == 0


async def test_a_window_change_resizes_the_app(served, no_sessions_left):
    async with await connect(served) as conn:
        app = await AppClient.open(conn, size=(120, 40))
        assert await app.wait_for("Quantized")  # the full layout shows every grid
        await app.read(0.5)
        since = len(app.output)
        app.process.change_terminal_size(80, 24)
        assert await app.wait_for("Input 28×28", since=since)
        await app.read(0.5)
        assert "Quantized" not in app.text(since)  # the compact layout: one grid at a time
        since = len(app.output)
        app.process.change_terminal_size(120, 40)
        assert await app.wait_for("Quantized", since=since)
        app.send("q")
        assert await app.ended() == 0


async def test_a_wrong_key_or_password_is_refused(served, no_sessions_left):
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(served, key=False, client_keys=[stranger])
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(served, key=False, username=PASSWORD[0], password="not the password")
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(served, key=False, username="mallory", password=PASSWORD[1])
    async with await connect(served, key=False, username=PASSWORD[0], password=PASSWORD[1]):
        pass
    served.wait_log("login refused: mallory from 127.0.0.1")
    assert printable("eve\nsession 9: forged") == "eve?session 9: forged"  # a log line stays one


async def test_exec_subsystems_forwarding_and_agent_are_refused(served, no_sessions_left):
    async with await connect(served) as conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.run("cat /etc/passwd")
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.start_sftp_client()
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.open_connection("127.0.0.1", served.port)  # local (direct) forwarding
        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", served.port)
        app = await AppClient.open(conn)
        assert await app.wait_for(READY)
        channel = app.process.channel  # the requests a client sends with `ssh -A` and `ssh -X`
        assert await channel._make_request(b"auth-agent-req@openssh.com") is False
        x11 = asyncssh.packet.Boolean(False) + asyncssh.packet.String(b"MIT-MAGIC-COOKIE-1")
        x11 += asyncssh.packet.String(b"00" * 16) + asyncssh.packet.UInt32(0)
        assert await channel._make_request(b"x11-req", x11) is False
        app.send("q")
        assert await app.ended() == 0
    served.wait_log("refused: asked to run the command 'cat /etc/passwd'")
    served.wait_log("refused: asked for the subsystem 'sftp'")


async def test_max_sessions_refuses_one_more_in_one_line(served, no_sessions_left):
    async with await connect(served) as conn:
        apps = [await AppClient.open(conn) for _ in range(MAX_SESSIONS)]
        for app in apps:
            assert await app.wait_for(READY)
        extra = await AppClient.open(conn)
        assert await extra.ended(timeout=10) == 1  # at once, not a hang
        assert extra.text().strip() == f"vqvae-tui: the server is full ({MAX_SESSIONS} sessions)"
        for app in apps:
            app.send("q")
            assert await app.ended() == 0
        again = await AppClient.open(conn)  # the places are free again
        assert await again.wait_for(READY)
        again.send("q")
        assert await again.ended() == 0


async def test_a_disconnect_leaves_no_process(served, no_sessions_left):
    conn = await connect(served)
    app = await AppClient.open(conn)
    assert await app.wait_for(READY)
    [pid] = served.sessions()
    conn.abort()  # the student's laptop closes
    assert await eventually(lambda: not os.path.exists(f"/proc/{pid}"))
    assert zombies_of(served_zygote(served)) == []
    served.wait_log(": disconnected")


def served_zygote(served) -> int:
    [zygote] = children(served.process.pid)
    return zygote


async def test_an_export_lands_in_the_export_dir_under_the_sessions_name(
    served, exports, no_sessions_left
):
    async with await connect(served) as conn:
        app = await AppClient.open(conn)
        assert await app.wait_for(READY)
        app.send("3")
        await app.read(1.0)
        app.send("e")
        app.send("s")
        assert await app.wait_for("saved")
        await app.read(0.5)
        app.send("q")
        assert await app.ended() == 0
    states = list(exports.glob("vqvae-tui-alice-*-state-*.json"))
    assert len(states) == 1 and len(list(exports.glob("vqvae-tui-alice-*-screenshot-*.svg"))) == 1
    assert np.asarray(json.loads(states[0].read_text())["image"]).max() > 0.5  # the 3


async def test_a_session_needs_a_terminal_that_can_draw(served, no_sessions_left):
    async with await connect(served) as conn:
        process = await conn.create_process(encoding=None)  # no pty: `ssh -T`
        await process.wait_closed()
        assert process.exit_status == 1
        output = await process.stdout.read()
        assert (
            output.decode().strip() == "vqvae-tui: vqvae-tui needs a terminal: connect with ssh -t"
        )
        dumb = await AppClient.open(conn, term="dumb")
        assert await dumb.ended() == 1 and "TERM=dumb" in dumb.text()


async def test_garbage_and_a_flood_on_one_session_leave_another_untouched(
    served, shipped_model, no_sessions_left
):
    async with await connect(served) as conn, await connect(served) as other_conn:
        hostile = await AppClient.open(conn)
        other = await AppClient.open(other_conn)
        for app in (hostile, other):
            assert await app.wait_for(READY)
        rng = np.random.default_rng(0)
        garbage = rng.integers(0, 256, size=2_000_000, dtype=np.uint8).tobytes()
        malformed = b"\x1b[999999999999A\x1b[1114112u\x1b[<0;99999;99999M" * 2000
        hostile.send(garbage + malformed)  # more than the pty holds: the client is paused
        reader = asyncio.ensure_future(drain(hostile))
        other.send("7")
        assert await other.wait_for(sample_losses(shipped_model, "7"), timeout=30)
        other.send("q")
        assert await other.ended() == 0
        reader.cancel()
    assert served.process.poll() is None  # the server is still there


async def drain(app: AppClient) -> None:
    while not app.process.stdout.at_eof():
        await app.read(0.5)


async def test_sessions_end_after_the_idle_timeout_and_saving_is_off_without_export_dir(
    tmp_path,
):
    served = Served(tmp_path, "--idle-timeout", "2")
    try:
        async with await connect(served) as conn:
            app = await AppClient.open(conn)
            assert await app.wait_for(READY)
            app.send("e")
            assert await app.wait_for("saving files is turned off")
            assert await app.ended(timeout=20) == 3
            assert "vqvae-tui: closed after 2 s without input" in app.text()
        assert await eventually(lambda: not served.sessions())
        served.wait_log("closed after 2 s without input")
    finally:
        served.close()
    assert list(tmp_path.glob("vqvae-tui-*")) == []


async def test_ctrl_c_stops_the_server_and_every_session_cleanly(tmp_path):
    served = Served(tmp_path)
    async with await connect(served) as conn:
        apps = [await AppClient.open(conn) for _ in range(2)]
        for app in apps:
            assert await app.wait_for(READY)
        zygote = served_zygote(served)
        pids = served.sessions()
        code = await asyncio.to_thread(served.interrupt)
        for app in apps:
            assert await app.ended() == 0  # each app quit: the terminal is given back
            assert b"\x1b[?1049l" in app.output  # the alternate screen was left
    assert code == 0 and "vqvae-tui serve: stopped" in served.out
    for pid in [zygote, *pids]:
        assert not os.path.exists(f"/proc/{pid}")
    assert sum("the server has stopped" in line for line in served.log) == 2


def test_serve_refuses_bad_options_in_one_line(tmp_path):
    serve = ["serve", "--port", "0"]
    (tmp_path / "bad").write_text("alice\n")
    (tmp_path / "keys").write_text('from="10.0.0.1" ssh-ed25519 AAAA student\n')
    (tmp_path / "state.json").write_text("{}")
    passwords = ["--passwords", "/etc/hostname"]
    cases = [
        (serve, "serve needs --authorized-keys FILE or --passwords FILE"),
        ([*serve, "--passwords", str(tmp_path / "missing")], "no such file"),
        ([*serve, *passwords, "--max-sessions", "0"], "--max-sessions"),
        ([*serve, *passwords, "--export-dir", str(tmp_path / "nope")], "not a directory"),
        ([*serve, "--passwords", str(tmp_path / "bad")], "not a name:password line"),
        ([*serve, "--authorized-keys", str(tmp_path / "keys")], "options before a key"),
        (["--open", str(tmp_path / "state.json"), *serve, *passwords], "--open is for the app"),
    ]
    for arguments, words in cases:
        result = subprocess.run([sys.executable, "-m", "vqvae_tui", *arguments],
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and words in lines[0], (arguments, lines)


def test_the_host_key_is_made_once_and_kept(tmp_path):
    fingerprints = []
    for _ in range(2):
        served = Served(tmp_path)
        served.close()
        [line] = [line for line in served.out if line.startswith("fingerprint:")]
        fingerprints.append(line)
        assert any(str(tmp_path / "host_key") in line for line in served.out)
    assert fingerprints[0] == fingerprints[1]
    assert (tmp_path / "host_key").stat().st_mode & 0o077 == 0


def test_the_openssh_client_gets_the_app_and_nothing_else(served, tmp_path, no_sessions_left):
    if shutil.which("ssh") is None:
        skip_unless_required("the OpenSSH client (ssh) is not installed")
    options = ["-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={tmp_path / 'kh'}",
               "-o", "BatchMode=yes", "-i", str(served.client_key_path),
               "-p", str(served.port)]  # fmt: skip
    refused = subprocess.run(["ssh", *options, "alice@127.0.0.1", "id"], capture_output=True,
                             text=True, timeout=60)  # fmt: skip
    assert refused.returncode != 0 and "exec request failed" in refused.stderr
    terminal = Terminal(command=["ssh", "-tt", *options, "bob@127.0.0.1"])
    try:
        assert terminal.wait_for(READY)
        terminal.send("3")
        assert terminal.wait_for("Quantized")
    finally:
        assert terminal.quit() == 0
    assert ": quit" in served.wait_log("bob (key student) from 127.0.0.1")
