"""`vqvae-tui serve`: check the options, start the zygote, then the SSH or the web server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from vqvae_tui.errors import UserError
from vqvae_tui.serve import check_serve_options
from vqvae_tui.serve.zygote import ZygoteOptions

SSH_PORT, WEB_PORT = 2222, 8000


def say(line: str) -> None:
    print(line, flush=True)


def serve(args: argparse.Namespace) -> int:
    problem = check_serve_options(args)
    if problem is not None:
        raise UserError(problem)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S")  # fmt: skip
    for noisy in ("asyncssh", "aiohttp.access", "textual-serve"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    export_dir = args.export_dir.resolve() if args.export_dir is not None else None
    options = ZygoteOptions(
        weights=args.serve_weights or args.weights, max_sessions=args.max_sessions,
        idle_timeout=args.idle_timeout, export_dir=export_dir,
    )  # fmt: skip
    idle = f"idle timeout {args.idle_timeout:g} s" if args.idle_timeout else "no idle timeout"
    saving = f"saving into {export_dir}" if export_dir else "saving off"
    limits = f"at most {args.max_sessions} sessions, {idle}, {saving}"
    if args.web:
        return serve_web(args, options, limits)
    return serve_ssh(args, options, limits)


def serve_ssh(args: argparse.Namespace, options: ZygoteOptions, limits: str) -> int:
    from vqvae_tui.serve.keys import load_host_key, read_logins
    from vqvae_tui.serve.link import ZygoteLink

    logins = read_logins(args.authorized_keys, args.passwords)
    host_key, key_path, made = load_host_key(args.host_key)
    host = args.host or "0.0.0.0"
    port = SSH_PORT if args.port is None else args.port
    zygote = ZygoteLink(options)  # before asyncio and its threads
    from vqvae_tui.serve import ssh

    def announce(port: int) -> None:
        say(f"vqvae-tui serve: SSH on {host} port {port}; {limits}")
        say(f"host key: {key_path}{' (made now)' if made else ''}")
        say(f"fingerprint: {host_key.get_fingerprint()}")
        say(f"students type: ssh -p {port} NAME@THIS-MACHINE   (Ctrl-C here stops the server)")

    try:
        asyncio.run(
            ssh.serve_ssh(host, port, host_key, logins, zygote, args.idle_timeout, announce)
        )
    except OSError as error:  # the port is taken, the address is not this machine's
        raise UserError(f"cannot listen on {host} port {port}: {error.strerror}") from None
    finally:
        zygote.stop_now()
    say("vqvae-tui serve: stopped")
    return 0


def serve_web(args: argparse.Namespace, options: ZygoteOptions, limits: str) -> int:
    from vqvae_tui.serve.link import ZygoteLink

    host = args.host or "127.0.0.1"
    port = WEB_PORT if args.port is None else args.port
    zygote = ZygoteLink(options)  # before asyncio and its threads
    from vqvae_tui.serve.web import ClassWebServer

    server = ClassWebServer(zygote, host, port, limits, options.idle_timeout)
    try:
        server.serve()
    except OSError as error:
        raise UserError(f"cannot listen on {host} port {port}: {error.strerror}") from None
    finally:
        zygote.stop_now()
    say("vqvae-tui serve: stopped")
    return 0
