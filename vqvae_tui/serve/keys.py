"""The server's host key (made once, then kept), and who may log in: an authorized_keys file,
a file of passwords. Every problem with a file is one line naming it (UserError)."""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from vqvae_tui.errors import UserError

KEY_TYPES = ("ssh-", "ecdsa-", "sk-")  # how the key field of an authorized_keys line starts


def default_host_key_path() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "vqvae-tui" / "ssh_host_ed25519_key"


def load_host_key(path: Path | None) -> tuple[asyncssh.SSHKey, Path, bool]:
    """The host key at `path` (default: the user's state directory), made there on first use:
    (key, path, whether it was made now). Made once and kept, so students' clients can trust
    it."""
    path = path or default_host_key_path()
    if path.exists():
        try:
            return asyncssh.read_private_key(path), path, False
        except (OSError, ValueError, asyncssh.KeyImportError) as error:
            raise UserError(f"{path}: not a readable SSH private key ({error})") from None
    key = asyncssh.generate_private_key("ssh-ed25519", comment="vqvae-tui serve")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_name(path.name + ".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(key.export_private_key())
        os.replace(partial, path)
    except OSError as error:
        raise UserError(f"{path}: cannot write the host key ({error.strerror})") from None
    return key, path, True


@dataclass
class Logins:
    """Who may log in: public keys (any user name) and name:password pairs."""

    keys: dict[bytes, str] = field(default_factory=dict)  # the key's data → its comment
    passwords: dict[str, str] = field(default_factory=dict)

    def key_comment(self, key: asyncssh.SSHKey) -> str | None:
        """The comment of `key` if it is authorized (an empty comment: its fingerprint)."""
        comment = self.keys.get(key.public_data)
        if comment is None:
            return None
        return comment or key.get_fingerprint()

    def password_matches(self, name: str, password: str) -> bool:
        expected = self.passwords.get(name)
        given = password.encode(errors="surrogateescape")
        if expected is None:
            hmac.compare_digest(given, given)  # as long as a wrong password for a real name
            return False
        return hmac.compare_digest(given, expected.encode(errors="surrogateescape"))


def lines_of(path: Path) -> list[tuple[int, str]]:
    """(number, text) of each line that is neither blank nor a # comment."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: cannot be read ({error})") from None
    numbered = enumerate(text.splitlines(), start=1)
    return [(n, line.strip()) for n, line in numbered if line.strip() and line[0] != "#"]


def read_logins(authorized_keys: Path | None, passwords: Path | None) -> Logins:
    if authorized_keys is None and passwords is None:
        raise UserError("serve needs --authorized-keys FILE or --passwords FILE (or both)")
    logins = Logins()
    for number, line in lines_of(authorized_keys) if authorized_keys else []:
        if not line.startswith(KEY_TYPES):
            raise UserError(
                f"{authorized_keys}:{number}: options before a key are not supported here"
            )
        try:
            key = asyncssh.import_public_key(line)
        except (ValueError, asyncssh.KeyImportError) as error:
            raise UserError(f"{authorized_keys}:{number}: not a public key ({error})") from None
        logins.keys[key.public_data] = key.get_comment() or ""
    for number, line in lines_of(passwords) if passwords else []:
        name, colon, password = line.partition(":")
        if not colon or not name or not password:
            raise UserError(f"{passwords}:{number}: not a name:password line")
        logins.passwords[name] = password
    if not logins.keys and not logins.passwords:
        raise UserError("no keys or passwords in the files given: nobody could log in")
    return logins
