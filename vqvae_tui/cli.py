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
from functools import partial
from pathlib import Path

from vqvae_tui.errors import UserError
from vqvae_tui.serve import add_serve_command
from vqvae_tui.settings import add_arguments

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
        "--vae-weights", type=Path, help="the VAE's weights (default: the shipped MNIST VAE)"
    )
    root.add_argument(
        "--ae-weights", type=Path, help="the autoencoder's weights (default: the shipped one)"
    )
    root.add_argument(
        "--data",
        type=Path,
        help="IDX files for the training screen (default: found in the usual places)",
    )
    root.add_argument("--no-mouse", action="store_true", help="ignore the mouse entirely")
    start = root.add_mutually_exclusive_group()
    start.add_argument("--open", type=Path, metavar="FILE", help="start from a state saved with e")
    start.add_argument(
        "--input", type=Path, metavar="FILE",
        help="start from a picture: any image file (PNG, JPEG, …), centred as MNIST's digits",
    )  # fmt: skip
    root.add_argument(
        "--tour", type=int, nargs="?", const=1, metavar="STEP",
        help="start the walkthrough (at step STEP, from 1; the last: the three autoencoders)",
    )  # fmt: skip
    commands = root.add_subparsers(dest="command", metavar="{train,eval,serve}")

    train = commands.add_parser(
        "train", help="train a VQ-VAE (or a VAE, or an autoencoder) on MNIST-format IDX files"
    )
    train.add_argument(
        "--model", choices=("vqvae", "vae", "ae"), default="vqvae",
        help="vqvae (default), vae (a 2-D latent VAE) or ae (a 2-D plain autoencoder); the"
        " defaults below are the VQ-VAE's recipe, a vae/ae takes dim, learning rate, batch"
        " size, epochs, augment and seed (its own defaults), --hidden and --kl-weight",
    )  # fmt: skip
    train.add_argument(
        "--data", type=Path, help="directory of IDX files (default: found in the usual places)"
    )
    train.add_argument(
        "--out", type=Path, required=True, help="weights/NAME: writes NAME.safetensors + NAME.json"
    )
    add_arguments(train)  # every setting the training screen offers; defaults: the recipe
    train.add_argument(
        "--hidden", type=int, help="vae/ae: units of the dense layer between grid and z"
    )
    train.add_argument("--kl-weight", type=float, help="vae: the KL's weight (default 1: the ELBO)")
    train.add_argument("--resume", action="store_true", help="continue the run saved at --out")
    train.add_argument(
        "--export-script", type=Path, metavar="FILE",
        help="write a standalone PyTorch script (torch and numpy only) that trains these"
        " settings and saves --out, instead of training; then exit",
    )  # fmt: skip

    evaluate = commands.add_parser(
        "eval", help="evaluate weights on the test images of a directory"
    )
    evaluate.add_argument("--data", type=Path, required=True, help="directory of IDX files")
    evaluate.add_argument("--weights", type=Path, dest="eval_weights", help="weights file")
    evaluate.add_argument(
        "--model", choices=("vqvae", "vae", "ae"), default="vqvae",
        help="without --weights: the shipped weights of this kind (with: their sidecar says)",
    )  # fmt: skip
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


def import_torch_whole() -> None:
    """Import numpy and torch with Ctrl-C and `kill` held back until they have loaded (a
    second or so). A KeyboardInterrupt raised inside their initialisation, which runs Python
    code of its own, marks the interpreter as ended by an unhandled Ctrl-C: it then killed
    itself with SIGINT at exit, whatever the command returned (about one Ctrl-C in five while
    torch loaded). Held back, the signal arrives once they have loaded and stops the command
    as any other does."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        import numpy  # noqa: F401
        import torch  # noqa: F401
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def what_is_saved(out: Path) -> str:
    """After an interrupted run: what `out` holds now, in words."""
    from vqvae_tui.files import finish_saving
    from vqvae_tui.model.weights import paths, set_name
    from vqvae_tui.training.saves import saved_epochs

    try:
        finish_saving(paths(out)[0].parent, set_name(out))  # a save cut short: complete it
        epochs = saved_epochs(out)
    except (OSError, UserError) as error:
        return f"{out} may hold an earlier epoch ({error})"
    if not epochs:
        return f"nothing was saved at {out} (the first epoch had not ended)"
    return f"{out} holds the last complete epoch ({epochs}); continue with --resume"


LATENT_OPTIONS = {"hidden": "--hidden", "kl_weight": "--kl-weight"}  # train --model vae|ae's


def options_of_another_model(args: argparse.Namespace, settings: dict) -> list[str]:
    """The options given that the chosen --model does not take."""
    from vqvae_tui.settings import BY_NAME

    latent = [flag for name, flag in LATENT_OPTIONS.items() if getattr(args, name) is not None]
    if args.model == "vqvae":
        return latent
    vqvae = [BY_NAME[name].flag for name in settings if BY_NAME[name].vqvae_only]
    return vqvae  # (an autoencoder's --kl-weight: LatentTrainOptions says it has no KL)


def training_run(args: argparse.Namespace):
    """The chosen model's config, options, loop and display."""
    from vqvae_tui.errors import WeightsError
    from vqvae_tui.model import LatentConfig
    from vqvae_tui.settings import given, of_arguments, split
    from vqvae_tui.training import LatentTrainOptions, train, train_latent
    from vqvae_tui.training.report import LatentTrainingDisplay, TrainingDisplay

    settings = given(args)
    other = options_of_another_model(args, settings)
    if other:
        raise UserError(f"{', '.join(other)}: not an option of --model {args.model}")
    if args.model == "vqvae":
        config, options = split(of_arguments(args))
        return config, options, train, TrainingDisplay
    network = {"dim": settings.pop("dim", None), "hidden": args.hidden}
    try:
        config = LatentConfig(**{name: v for name, v in network.items() if v is not None})
    except WeightsError as error:
        raise UserError(f"bad model options: {error}") from None
    if args.kl_weight is not None:
        settings["kl_weight"] = args.kl_weight
    options = LatentTrainOptions(kind=args.model, **settings)
    return config, options, train_latent, partial(LatentTrainingDisplay, kind=args.model)


def run_export_script(args: argparse.Namespace) -> int:
    """train --export-script FILE: the script for these settings, written to a new FILE."""
    from vqvae_tui.data.discovery import choose_data
    from vqvae_tui.script import standalone_script, write_script
    from vqvae_tui.settings import of_arguments

    if args.model != "vqvae" or args.resume:
        raise UserError(
            "--export-script writes the VQ-VAE's training: not with --model or --resume"
        )
    out = args.out.resolve()
    text = standalone_script(of_arguments(args), choose_data(args.data).directory.resolve(), out)
    write_script(args.export_script, text)
    print(f"wrote {args.export_script}: `python {args.export_script}` trains these settings and"
          f" saves {out}.safetensors and .json (vqvae-tui --weights {out})")  # fmt: skip
    return 0


def run_train(args: argparse.Namespace) -> int:
    from vqvae_tui.data import choose_data, training_digits, validation_digits
    from vqvae_tui.model.weights import paths

    if args.export_script is not None:
        return run_export_script(args)
    config, options, loop, display_class = training_run(args)
    source = choose_data(args.data)
    if args.data is None:
        print(f"training on {source.describe()}", file=sys.stderr)
    train_digits = training_digits(source.directory)
    validation = validation_digits(source.directory)
    with display_class() as display:
        try:
            loop(train_digits, validation, args.out, config, options, args.resume, display.update)
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
    from vqvae_tui.model import KINDS, load
    from vqvae_tui.model.trained import data_set, trained_on
    from vqvae_tui.training import evaluate, evaluate_latent
    from vqvae_tui.training.report import print_latent_metrics, print_metrics

    path = args.eval_weights or args.weights
    model = load(path, kind=None) if path is not None else load(kind=args.model)
    digits = test_digits(args.data, args.split)
    vqvae = model.KIND == "vqvae"
    metrics = evaluate(model, digits) if vqvae else evaluate_latent(model, digits)
    if args.json:
        print(json.dumps({"kind": model.KIND, **metrics.to_dict()}))
    else:
        data = data_set(digits.name)  # the data evaluated, which names its classes
        trained = trained_on(model.sidecar).name
        title = (
            f"{KINDS[model.KIND]}"
            + (f" (trained on {trained})" if trained else "")
            + f" on {args.data} ({args.split}, {metrics.count} {data.examples})"
        )
        (print_metrics if vqvae else print_latent_metrics)(metrics, title, data)
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


def training_data(given: Path | None) -> list:
    """The training screen's data sets: the directory given (which must hold IDX files), else
    every usual place that does (none: the screen says what to do)."""
    from vqvae_tui.data.discovery import data_source, find_data

    return [data_source(given)] if given is not None else find_data().sources


def run_app(args: argparse.Namespace) -> int:
    from vqvae_tui.model.config import CODE_LABELS
    from vqvae_tui.state import read_state
    from vqvae_tui.ui.app import VQVAEApp
    from vqvae_tui.ui.terminal import watch_for_hangup

    opened = None if args.open is None else read_state(args.open, len(CODE_LABELS))
    if args.input is not None:
        from vqvae_tui.data.pictures import read_picture

        opened = (read_picture(args.input), {})
    check_terminal()
    latent_weights = {"vae": args.vae_weights, "ae": args.ae_weights}
    app = VQVAEApp(
        weights=args.weights,
        opened=opened,
        tour=args.tour,
        latent_weights=latent_weights,
        data_sources=training_data(args.data),
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
    try:
        if command in (run_train, run_eval):  # the app reads Ctrl-C as a key; a server, its own
            stop_on_signals()
            import_torch_whole()
        return command(args)
    except UserError as error:
        print(f"vqvae-tui: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:  # Ctrl-C before a command could handle it (torch loading, …)
        print("vqvae-tui: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
