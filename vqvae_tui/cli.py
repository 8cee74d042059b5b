"""`vqvae-tui` (the app), `vqvae-tui train`, `vqvae-tui eval` and `vqvae-tui serve`.

Torch is imported only by the commands that need it, so the app can show its first frame at once.
Every UserError ends the program with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
from pathlib import Path

from vqvae_tui.errors import UserError
from vqvae_tui.serve import add_serve_command
from vqvae_tui.settings import DATA_VARIABLE, add_arguments

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="vqvae-tui",
        description="An interactive explainer of VQ-VAEs, with a real PyTorch model.",
    )
    root.add_argument(
        "--weights", type=Path, help="weights file (default: the shipped MNIST model)"
    )
    root.add_argument(
        "--data", type=Path, help=f"MNIST for the training screen (default: ${DATA_VARIABLE})"
    )
    root.add_argument("--no-mouse", action="store_true", help="ignore the mouse entirely")
    root.add_argument("--open", type=Path, metavar="FILE", help="start from a state saved with e")
    root.add_argument(
        "--tour", type=int, nargs="?", const=1, metavar="STEP",
        help="start the walkthrough (at step STEP, from 1)",
    )  # fmt: skip
    commands = root.add_subparsers(dest="command", metavar="{train,eval,serve}")

    train = commands.add_parser("train", help="train a VQ-VAE on MNIST-format IDX files")
    train.add_argument(
        "--data", type=Path, help=f"directory of IDX files (default: ${DATA_VARIABLE}, data/mnist)"
    )
    train.add_argument(
        "--out", type=Path, required=True, help="weights/NAME: writes NAME.safetensors + NAME.json"
    )
    add_arguments(train)  # every setting the training screen offers; defaults: the recipe
    train.add_argument("--resume", action="store_true", help="continue the run saved at --out")

    evaluate = commands.add_parser(
        "eval", help="evaluate weights on the test digits of a directory"
    )
    evaluate.add_argument("--data", type=Path, required=True, help="directory of IDX files")
    evaluate.add_argument("--weights", type=Path, dest="eval_weights", help="weights file")
    evaluate.add_argument("--split", choices=("all", "val"), default="all")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    add_serve_command(commands)
    return root


def stop_on_signals() -> None:
    """Ctrl-C and `kill` stop a command (training: between two file operations, its last
    complete epoch saved), even in a background job (which starts with SIGINT ignored). The
    first stops it; any more (a quick Ctrl-C Ctrl-C Ctrl-C) are ignored while it says so."""

    def interrupt(signum, frame):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def what_is_saved(out: Path) -> str:
    """After an interrupted run: what `out` holds now, in words."""
    from vqvae_tui.files import finish_saving
    from vqvae_tui.model.weights import paths, set_name
    from vqvae_tui.training.train import saved_epochs

    try:
        finish_saving(paths(out)[0].parent, set_name(out))  # a save cut short: complete it
        epochs = saved_epochs(out)
    except (OSError, UserError) as error:
        return f"{out} may hold an earlier epoch ({error})"
    if not epochs:
        return f"nothing was saved at {out} (the first epoch had not ended)"
    return f"{out} holds the last complete epoch ({epochs}); continue with --resume"


def run_train(args: argparse.Namespace) -> int:
    from vqvae_tui.data import training_digits, validation_digits
    from vqvae_tui.model.weights import paths
    from vqvae_tui.settings import WHERE_DATA_GOES, data_directory, of_arguments, split
    from vqvae_tui.training import train
    from vqvae_tui.training.report import TrainingDisplay

    config, options = split(of_arguments(args))
    data = data_directory(args.data)
    if data is None:
        raise UserError(WHERE_DATA_GOES)
    train_digits = training_digits(data)
    validation = validation_digits(data)
    with TrainingDisplay() as display:
        try:
            train(train_digits, validation, args.out, config, options, args.resume, display.update)
        except KeyboardInterrupt:
            display.stop()
            print(f"interrupted: {what_is_saved(args.out)}", file=sys.stderr)
            return EXIT_INTERRUPTED
        except OSError as error:  # the disk filled up, the directory went away, …
            display.stop()
            raise UserError(
                f"could not save {error.filename or args.out} ({error.strerror or error});"
                f" {what_is_saved(args.out)}"
            ) from None
    tensors, sidecar = paths(args.out)
    print(f"saved {tensors} and {sidecar}")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from vqvae_tui.data import test_digits
    from vqvae_tui.model import load
    from vqvae_tui.training import evaluate
    from vqvae_tui.training.report import print_metrics

    model = load(args.eval_weights or args.weights)
    metrics = evaluate(model, test_digits(args.data, args.split))
    if args.json:
        print(json.dumps(metrics.to_dict()))
    else:
        print_metrics(metrics, f"{args.data} ({args.split}, {metrics.count} digits)")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from vqvae_tui.serve.main import serve

    return serve(args)


def check_terminal() -> None:
    """The app needs a terminal that can move its cursor: else say so in one line."""
    if os.environ.get("TEXTUAL_DRIVER"):  # a driver of its own (the browser's, via serve)
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(
            "the app needs a terminal: its input and output are not one (a pipe or a file);"
            " run it in a terminal, or use `vqvae-tui eval` for results without one"
        )
    if os.environ.get("TERM") == "dumb":
        raise UserError(
            "this terminal (TERM=dumb) cannot draw the app; run it in a terminal such as"
            " xterm, or set TERM=xterm-256color"
        )


def run_app(args: argparse.Namespace) -> int:
    from vqvae_tui.model.config import CODE_LABELS
    from vqvae_tui.state import read_state
    from vqvae_tui.ui.app import VQVAEApp
    from vqvae_tui.ui.terminal import watch_for_hangup

    opened = None if args.open is None else read_state(args.open, len(CODE_LABELS))
    check_terminal()
    from vqvae_tui.settings import data_directory

    app = VQVAEApp(
        weights=args.weights, opened=opened, tour=args.tour, data=data_directory(args.data)
    )
    if not os.environ.get("TEXTUAL_DRIVER"):
        watch_for_hangup()
    app.run(mouse=not args.no_mouse)
    # The terminal is back. Python's last garbage collection walks every object torch made,
    # which kept the shell waiting a second after quitting: what lives now lives until exit.
    gc.freeze()
    if app.error:
        raise UserError(app.error)
    return app.return_code or 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = {"train": run_train, "eval": run_eval, "serve": run_serve}.get(args.command, run_app)
    if command in (run_train, run_eval):  # the app reads Ctrl-C as a key; a server has its own
        stop_on_signals()
    try:
        return command(args)
    except UserError as error:
        print(f"vqvae-tui: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:  # Ctrl-C before a command could handle it (torch loading, …)
        print("vqvae-tui: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
