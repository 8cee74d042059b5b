"""`vqvae-tui serve`: the explainer for a whole class from one machine, over SSH or in browsers.

    server (asyncssh, or textual-serve with --web)  ── socket pair ──  zygote (torch, weights)
                                                                          ├─ session 1 (the app)
                                                                          └─ session 2 …

The server handles the network and the logins; the zygote, forked before the server starts a
thread, holds the model and forks one process per session (`zygote.py`, `session.py`). This
module only declares the command's options, so that `vqvae-tui --help` imports nothing heavy.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_serve_command(commands) -> None:
    serve = commands.add_parser(
        "serve", help="serve the app to a class: over SSH, or in browsers with --web",
        description="Serve the app to many users at once from one process holding the model.",
    )  # fmt: skip
    serve.add_argument("--web", action="store_true", help="serve browsers (textual-serve)")
    serve.add_argument(
        "--host", help="address to listen on (SSH: 0.0.0.0, every address; --web: 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, help="port (SSH: 2222; --web: 8000; 0: any free one)")
    serve.add_argument(
        "--authorized-keys",
        type=Path,
        metavar="FILE",
        help="OpenSSH public keys that may log in (as any user name)",
    )
    serve.add_argument(
        "--passwords", type=Path, metavar="FILE", help="name:password lines of who may log in"
    )
    serve.add_argument(
        "--host-key",
        type=Path,
        metavar="FILE",
        help="the server's private key (made there on first use; default:"
        " ~/.local/state/vqvae-tui/ssh_host_ed25519_key)",
    )
    serve.add_argument(
        "--max-sessions",
        type=int,
        default=30,
        metavar="N",
        help="sessions at once; more are refused in one line (default 30)",
    )
    serve.add_argument(
        "--idle-timeout",
        type=float,
        default=1800,
        metavar="S",
        help="end a session after S seconds without input (default 1800; 0: never)",
    )
    serve.add_argument(
        "--export-dir",
        type=Path,
        metavar="DIR",
        help="where sessions may save (e, s), each under its own name; without it saving is off",
    )
    serve.add_argument("--weights", type=Path, dest="serve_weights", help="weights file")


def check_serve_options(args: argparse.Namespace) -> str | None:
    """Why these options cannot work, in one line, or None."""
    for option in ("open", "tour", "input"):  # the app's: no session may be handed a path
        if getattr(args, option, None) is not None:
            return f"--{option} is for the app; every served session starts from an empty canvas"
    if args.port is not None and not 0 <= args.port <= 65535:
        return f"--port {args.port}: not a port number"
    if args.max_sessions < 1:
        return "--max-sessions must be at least 1"
    if not args.idle_timeout >= 0:
        return "--idle-timeout must be 0 (never) or a number of seconds"
    if args.export_dir is not None and not args.export_dir.is_dir():
        return f"--export-dir {args.export_dir}: not a directory"
    return None
