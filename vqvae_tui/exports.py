"""Where the app writes what a learner saves: a state as JSON (e), a screenshot as SVG (s).

Every save is a new file named `PREFIX-KIND-YYYYmmdd-HHMMSS[-N].SUFFIX`, created exclusively, so
two saves within one second (or two sessions sharing a directory) never overwrite each other. A
save that cannot be written raises ExportError with one line saying why; it never leaves a
half-written file. Torch- and Textual-free.
"""

from __future__ import annotations

import errno
import os
import time
from dataclasses import dataclass
from pathlib import Path

from vqvae_tui.errors import UserError

MAX_SAME_SECOND = 1000  # saves of one kind within one second before a save gives up


class ExportError(UserError):
    """A save that could not be written (the reason in one line)."""


@dataclass(frozen=True)
class ExportPlace:
    """`directory`: where saves go (None: the working directory at the moment of saving);
    `prefix`: the start of every name (the server puts the session's name there)."""

    directory: Path | None = None
    prefix: str = "vqvae-tui"

    def folder(self) -> Path:
        if self.directory is not None:
            return Path(self.directory)
        try:
            return Path(os.getcwd())
        except FileNotFoundError:
            raise ExportError("could not save: the working directory no longer exists") from None

    def write(self, kind: str, suffix: str, text: str) -> Path:
        """Write `text` to a new file in the folder; the path it was written to."""
        folder = self.folder()
        stem = f"{self.prefix}-{kind}-{time.strftime('%Y%m%d-%H%M%S')}"
        data = text.encode()
        for number in range(1, MAX_SAME_SECOND + 1):
            path = folder / (f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}")
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            except OSError as error:
                raise ExportError(reason(folder, error)) from None
            try:
                with os.fdopen(descriptor, "wb") as file:
                    file.write(data)
            except OSError as error:
                path.unlink(missing_ok=True)
                raise ExportError(reason(folder, error)) from None
            return path
        raise ExportError(f"could not save in {folder}: {MAX_SAME_SECOND} saves this second")


def reason(folder: Path, error: OSError) -> str:
    """One line: why a file could not be written in `folder`."""
    if error.errno == errno.ENOENT:
        return f"could not save: {folder} does not exist"
    if error.errno == errno.ENOTDIR:
        return f"could not save: {folder} is not a directory"
    return f"could not save in {folder}: {error.strerror or error}"
