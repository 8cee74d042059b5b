"""Files on disk, safely: bounded reads of files that come from outside, and sets of files
saved together, so that a crash at any moment leaves the old set or the new one, never a mix.

A set is the files of one directory that belong together (a weights file, its JSON sidecar and
its resume state), named by the set's name. Saving writes every file of the new set into
`.NAME.saving/`, syncs them, then renames that directory to `.NAME.saved/`: that one rename is
the moment the new set exists. Its files then move into place one by one and the directory
goes. Until then a reader finds the newest set's files in `.NAME.saved/` (`read_current`), and
whoever comes next moves them into place (`finish_saving`: the next save, or a reader that may
write there). A `.NAME.saving/` left by a crash is a set that was never complete: the next save
throws it away. Files get the user's umask.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from vqvae_tui.errors import UserError

MB = 1 << 20


def read_bounded(path: Path, limit: int, failure: type[UserError] = UserError) -> bytes:
    """The bytes of the regular file `path` if it holds at most `limit` bytes, else `failure`
    (one line). A directory, a device such as /dev/zero or a pipe is refused before reading."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise failure(f"{path}: is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise failure(f"{path}: not a regular file")
        with open(path, "rb") as file:
            data = file.read(limit + 1)
    except FileNotFoundError:
        raise failure(f"{path}: no such file") from None
    except OSError as error:
        raise failure(f"{path}: cannot be read ({error.strerror or error})") from None
    if len(data) > limit:
        raise failure(f"{path}: larger than {limit / MB:g} MB, too large to be read")
    return data


def saving_directory(directory: Path, name: str) -> Path:
    """Where the files of set `name` are written before the set is complete."""
    return directory / f".{name}.saving"


def saved_directory(directory: Path, name: str) -> Path:
    """Where a complete set waits while its files move into place."""
    return directory / f".{name}.saved"


def read_current(path: Path, name: str, limit: int, failure: type[UserError] = UserError) -> bytes:
    """The newest saved content of `path`, a file of set `name`: from `.NAME.saved/` while a
    save is being finished there, else from `path` itself."""
    waiting = saved_directory(path.parent, name) / path.name
    try:
        return read_bounded(waiting, limit, failure)
    except failure:
        if os.path.lexists(waiting):  # there, but not readable: say so
            raise
    return read_bounded(path, limit, failure)


def exists_current(path: Path, name: str) -> bool:
    """Whether `path`, a file of set `name`, has been saved (in place, or waiting to move)."""
    waiting = saved_directory(path.parent, name) / path.name
    return os.path.exists(waiting) or os.path.exists(path)  # False for a name too long, too


def sync_directory(directory: Path) -> None:
    """Make the names in `directory` (files created, renamed) survive a crash of the system."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def finish_saving(directory: Path, name: str) -> None:
    """Move the files of a complete set still waiting in `.NAME.saved/` into place. Safe for
    anyone to do at any time (a reader too, or two at once): it only ever moves files of a set
    that is complete."""
    saved = saved_directory(directory, name)
    try:
        waiting = sorted(saved.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return
    for file in waiting:
        try:
            os.replace(file, directory / file.name)
        except FileNotFoundError:  # moved by another process finishing the same set
            pass
    sync_directory(directory)
    try:
        saved.rmdir()
    except OSError:  # gone already, or a newer set is waiting there
        pass


def discard_unfinished(directory: Path, name: str) -> None:
    """Throw away the files of a set a crash left incomplete in `.NAME.saving/` (only the
    one process that saves set `name` may: the files may be its own, being written)."""
    saving = saving_directory(directory, name)
    if saving.is_dir():
        shutil.rmtree(saving)


def write_together(directory: Path, name: str, files: dict[str, bytes]) -> None:
    """Replace the files of set `name` in `directory` by `files` (file name → bytes): after a
    crash at any moment, either every file is the old one or every file is the new one."""
    directory.mkdir(parents=True, exist_ok=True)
    finish_saving(directory, name)
    discard_unfinished(directory, name)
    saving = saving_directory(directory, name)
    saving.mkdir()
    for filename, data in files.items():
        descriptor = os.open(saving / filename, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    sync_directory(saving)
    os.rename(saving, saved_directory(directory, name))  # the new set exists from here on
    sync_directory(directory)
    finish_saving(directory, name)


def is_directory(path: Path) -> bool:
    """Whether `path` is a directory; False for a name the system cannot even look up."""
    try:
        return path.is_dir()
    except OSError:  # a name too long, a loop of symbolic links, …
        return False


def check_writable(directory: Path, name: str, filenames: list[str]) -> None:
    """Fail now, in one line, if the files `filenames` of set `name` could not be saved in
    `directory`: it is created if missing, and a file is written where a save writes them."""
    for filename in filenames:
        if is_directory(directory / filename):
            raise UserError(f"{directory / filename}: is a directory; cannot save over it")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        finish_saving(directory, name)
        discard_unfinished(directory, name)
        probe = saving_directory(directory, name)
        probe.mkdir()
        try:
            os.close(os.open(probe / filenames[0], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        finally:
            shutil.rmtree(probe)
    except OSError as error:
        where = Path(error.filename) if error.filename else directory
        raise UserError(f"{where}: cannot save there ({error.strerror or error})") from None
