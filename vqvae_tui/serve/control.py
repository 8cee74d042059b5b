"""Messages between the server and its zygote: one JSON object per datagram of a SOCK_SEQPACKET
socket pair, with file descriptors passed beside it (SCM_RIGHTS): a session's pseudo-terminal,
or a browser session's pipes.

The server asks: `open` (a session: kind "pty" or "web", who, the terminal), `hangup` (end
one), `shutdown` (end them all, then the zygote). The zygote answers: `ready` or `failed` (once,
at start), `opened` (pid) or `refused` (why, one line), `exited` (status), `bye`.
"""

from __future__ import annotations

import json
import socket

EXIT_IDLE = 3  # a session's exit status when it ended itself after --idle-timeout seconds
MAX_MESSAGE = 4096  # bytes of JSON in one message: far more than any request needs
MAX_FDS = 4


def send(sock: socket.socket, message: dict, fds: list[int] | tuple[int, ...] = ()) -> None:
    socket.send_fds(sock, [json.dumps(message).encode()], list(fds))


def receive(sock: socket.socket) -> tuple[dict | None, list[int]]:
    """The next message and its descriptors; (None, []) once the other side has gone."""
    data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, MAX_FDS)
    if not data:
        for fd in fds:
            socket.close(fd)
        return None, []
    return json.loads(data), fds
