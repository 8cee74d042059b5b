"""Training runs killed with SIGKILL at chosen moments, then loaded and resumed: for tests of
what a kill leaves behind.

    python tests/killed_training.py DATA OUT EPOCHS STRIDE

A run never killed (moment 0) counts its operations on files and directories in its output
directory (an open, mkdir, rename or remove: Python's audit events). Then for each moment k —
every operation of the last save, and every STRIDE-th one before it — a process trains into
OUT/k/w and kills itself with SIGKILL just before its k-th operation, so every step of a save is
a moment of death. Another process then looks at what is left, as `eval` would (`load`), and
continues as `train --resume` would (or starts afresh when nothing was saved), to the end.
Processes are forked from this one before torch has computed anything, two at a time, one
thread each. It prints one JSON object: moment → what was left and how the run ended.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
import torch._dynamo  # noqa: E402, F401  (Adam imports it: once here, not in every process)
from test_training import run  # noqa: E402  (the tests' own run: same options, same weights)

from vqvae_tui.errors import UserError  # noqa: E402
from vqvae_tui.model import load, read_metadata  # noqa: E402
from vqvae_tui.model.weights import checksum  # noqa: E402

FILE_EVENTS = {"open", "os.mkdir", "os.rename", "os.remove", "os.rmdir", "shutil.rmtree"}
JOBS = 2


def kill_at(directory: Path, moment: int, seen: list[int], saves: list[int]) -> None:
    """An audit hook: count the file operations in `directory` (in `seen`, the first operation
    of each save in `saves`); at the `moment`-th, SIGKILL."""
    inside = str(directory)

    def hook(event: str, args: tuple) -> None:
        if event not in FILE_EVENTS or not args or not isinstance(args[0], (str, os.PathLike)):
            return
        path = os.fspath(args[0])
        if not path.startswith(inside):
            return
        seen[0] += 1
        if event == "os.mkdir" and path.endswith(".saving"):
            saves.append(seen[0])
        if seen[0] == moment:
            os.kill(os.getpid(), signal.SIGKILL)

    sys.addaudithook(hook)


def killed_run(data: Path, out: Path, epochs: int, moment: int) -> bool:
    """Train into `out`/w in a child killed at `moment` (0: never); True if it was killed."""
    pid = os.fork()
    if pid == 0:
        seen, saves = [0], []
        kill_at(out, moment, seen, saves)
        run(data, out / "w", epochs)
        (out.parent / f"{moment}.operations").write_text(json.dumps([seen[0], saves]))
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        return True
    if os.WEXITSTATUS(status) != 0:
        raise RuntimeError(f"the training run of moment {moment} failed ({status})")
    return False


def what_is_left(out: Path) -> dict:
    """What `eval` finds at `out`/w: the epochs of the weights it loads, or its one line."""
    try:
        load(out / "w")
        return {"epochs": read_metadata(out / "w")["epochs"]}
    except UserError as error:
        return {"error": str(error)}


def moment_of_death(data: Path, out: Path, epochs: int, moment: int) -> dict:
    torch.set_num_threads(1)
    out.mkdir(parents=True)
    killed = killed_run(data, out, epochs, moment)
    result = {"killed": killed, "names": sorted(p.name for p in out.iterdir()), **what_is_left(out)}
    if "epochs" not in result:
        try:
            run(data, out / "w", epochs, resume=True)
        except UserError as error:
            result["resume"] = str(error)  # nothing to resume: start afresh
            run(data, out / "w", epochs)
    elif result["epochs"] < epochs:
        run(data, out / "w", epochs, resume=True)
    result["final_epochs"] = read_metadata(out / "w")["epochs"]
    result["final_sha256"] = checksum(load(out / "w"))
    result["final_names"] = sorted(p.name for p in out.iterdir())
    return result


def run_moments(data: Path, out: Path, epochs: int, moments: list[int]) -> None:
    """Each moment's result into OUT/k.json, two processes at a time."""
    running: dict[int, int] = {}  # pid → moment
    while moments or running:
        while moments and len(running) < JOBS:
            moment = moments.pop(0)
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    result = moment_of_death(data, out / str(moment), epochs, moment)
                    (out / f"{moment}.json").write_text(json.dumps(result))
                    code = 0
                finally:
                    os._exit(code)
            running[pid] = moment
        pid, status = os.wait()
        if status != 0:
            raise SystemExit(f"moment {running[pid]}: the harness failed ({status})")
        del running[pid]


def main() -> None:
    data, out, epochs, stride = (
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        int(sys.argv[3]),
        int(sys.argv[4]),
    )
    run_moments(data, out, epochs, [0])
    operations, saves = json.loads((out / "0.operations").read_text())
    last_save = saves[-1]
    moments = [*range(1, last_save, stride), *range(last_save, operations + 1)]
    run_moments(data, out, epochs, moments)
    results = {path.stem: json.loads(path.read_text()) for path in out.glob("*.json")}
    print(json.dumps({"operations": operations, "saves": saves, "moments": results}))


if __name__ == "__main__":
    main()
