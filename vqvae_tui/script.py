"""A run's settings as a standalone PyTorch script that trains the same model: one .py file that
needs only torch and numpy (and vector-quantize-pytorch for the library's quantizer).

The script is vqvae-tui's template (script.template) with the parts the settings choose. Its
networks, quantizer, augmentation and perplexity are our own source (model/, data/, training/),
copied in from their files by name, so the script's model has our parameter names and shapes
and trains as ours does. The template's `#if PART` … `#endif` lines keep a block when the
settings use that part; `{{source MODULE:NAME}}` is that module's top-level class or function;
`{{NAME}}` is a value. Torch-free: the sources are read as text.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import textwrap
from dataclasses import fields
from functools import cache
from pathlib import Path

from vqvae_tui.errors import UserError
from vqvae_tui.exports import reason
from vqvae_tui.model.config import GRID, IMAGE, ModelConfig
from vqvae_tui.options import TrainOptions
from vqvae_tui.settings import SETTINGS, split

SCRIPT_TEMPLATE = Path(__file__).with_name("script.template")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
SOURCE = re.compile(r"\{\{source ([\w.]+):(\w+)\}\}")
# Values the template takes from our modules, read as text like the sources (torch-free).
CONSTANTS = {
    "HIDDEN": "vqvae_tui.model.mlp",
    "USAGE_DECAY": "vqvae_tui.training.train",
    "RESTARTS_UNTIL": "vqvae_tui.training.train",
    "LIBRARY_DECAY": "vqvae_tui.model.library",
    "VALIDATION_EVERY": "vqvae_tui.data.mnist",
}


@cache
def module_tree(module: str) -> tuple[list[str], ast.Module]:
    """The lines of one of our modules and its syntax tree."""
    path = Path(importlib.util.find_spec(module).origin)
    text = path.read_text(encoding="utf-8")
    return text.splitlines(), ast.parse(text)


def source_of(module: str, name: str) -> str:
    """The source of a top-level class or function of `module`, its decorators included."""
    lines, tree = module_tree(module)
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return "\n".join(lines[start - 1 : node.end_lineno])
    raise LookupError(f"{module} has no top-level {name}")


def constant_of(module: str, name: str) -> str:
    """The value of a module's top-level `NAME = value`, as written there."""
    lines, tree = module_tree(module)
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == [name]:
            return ast.get_source_segment("\n".join(lines), node.value)
    raise LookupError(f"{module} has no top-level {name}")


def parts(config: ModelConfig, options: TrainOptions) -> set[str]:
    """The template's blocks these settings use."""
    ours, ema = config.quantizer == "ours", options.ema_decay > 0
    chosen = {config.encoder, config.quantizer, "ema" if ema else "codebook_loss"}
    chosen |= {"cosine"} if config.distance == "cosine" else set()
    chosen |= {"augment"} if options.augment > 0 else set()
    if ours:
        chosen |= {"ours_ema"} if ema else set()
        chosen |= {"ours_kmeans"} if options.kmeans_init else set()
        chosen |= {"ours_kmeans_ema"} if options.kmeans_init and ema else set()
        chosen |= {"restarts"} if options.dead_code_threshold > 0 else set()
        chosen |= {"restarts_ema"} if options.dead_code_threshold > 0 and ema else set()
    return chosen


def kept_lines(template: str, chosen: set[str]) -> list[str]:
    """The template's lines outside the `#if PART` blocks of parts not chosen."""
    kept, open_blocks = [], []
    for line in template.splitlines():
        if line.startswith("#if "):
            open_blocks.append(line.removeprefix("#if ").strip() in chosen)
        elif line.startswith("#endif"):
            open_blocks.pop()
        elif all(open_blocks):
            kept.append(line)
    if open_blocks:
        raise ValueError("script.template: an #if without its #endif")
    return kept


def literal(value) -> str:
    """A value as Python source: strings in double quotes, as ruff formats them."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


LEAVES_OUT = (
    "resuming a stopped run (--resume), settings changed mid-run, and the code prior and atlas"
    " measured at the end of a run"
)
FIXED = ("encoder", "quantizer", "rotation_trick", "distance", "kmeans_init")  # code, not numbers
SWITCHES = ("ema_decay", "dead_code_threshold", "augment")  # 0 leaves their code out


def constants(values: dict, data: Path, out: Path | None) -> str:
    """The settings as constants, each with its flag; then the sidecar's records of them."""
    beside = 'Path(__file__).with_name(Path(__file__).stem + "-weights")'  # NAME-weights.*
    rows = [
        "# a directory of MNIST-format IDX files; OUT.safetensors and OUT.json, saved each epoch",
        f"DATA = Path({literal(str(data))})",
        f"OUT = {beside if out is None else f'Path({literal(str(out))})'}",
        "# The code below is written for the parts these settings choose: to change the encoder,",
        "# quantizer, distance, k-means or the rotation trick, or to turn EMA, restarts or",
        "# augmentation on or off, export the script again. The numbers may change here.",
    ]
    for setting in SETTINGS:
        note = " (fixed below)" if setting.name in FIXED else ""
        if setting.name in SWITCHES:
            on = values[setting.name]
            note = " (on: to turn it off, export again)" if on else " (off: its code left out)"
        comment = f"{setting.hint} ({setting.flag}{note})"
        rows += textwrap.wrap(comment, 98, initial_indent="# ", subsequent_indent="# ")
        rows.append(f"{setting.name.upper()} = {literal(values[setting.name])}")
    for title, names in (
        ("MODEL", [f.name for f in fields(ModelConfig)]),
        ("OPTIONS", [f.name for f in fields(TrainOptions)]),
    ):
        rows.append(f"{title} = {{  # the sidecar's record of them")
        rows += [f'    "{name}": {name.upper()},' for name in names]
        rows.append("}")
    return "\n".join(rows)


def description(config: ModelConfig, options: TrainOptions) -> str:
    """The script's docstring: what it trains, how to run it, what it leaves out."""
    network = {"conv": "convolutional", "mlp": "the lecture's MLP"}[config.encoder]
    if config.quantizer == "ours":
        quantizer = "vqvae-tui's own quantizer (VectorQuantizer)"
        needs = "torch and numpy"
    else:
        extras = [config.distance] + ["rotation trick"] * config.rotation_trick
        quantizer = f"vector-quantize-pytorch's VectorQuantize ({', '.join(extras)})"
        needs = "torch, numpy and vector-quantize-pytorch"
    codebook = (
        f"EMA updates (decay {options.ema_decay:g})" if options.ema_decay else "the codebook loss"
    )
    steps = [
        f"the codebook trained by {codebook}",
        "k-means initialisation" if options.kmeans_init else "random initial codes",
        f"dead-code restarts (a running share below {options.dead_code_threshold:.1%})"
        if options.dead_code_threshold
        else "no dead-code restarts",
        f"augmentation of {options.augment:g} of each batch"
        if options.augment
        else "no augmentation",
        "the cosine learning-rate schedule",
    ]
    same = (
        "It is vqvae-tui's training loop step for step (the same splits, initial weights,"
        " order of batches and random draws): with the same seed, data and number of threads"
        " it gives the weights `vqvae-tui train` gives with these settings."
    )
    if config.quantizer == "library":
        same += (
            " The codebook options go to VectorQuantize, which applies them itself (its EMA,"
            " its k-means on the first batch, its restarts of codes whose running count of"
            " vectors falls below the threshold's share of a batch's positions)."
        )
    text = f"""Train a VQ-VAE on MNIST-format digits, as vqvae-tui would: K={config.num_codes} \
codes of D={config.dim}, {network} encoder and decoder, {quantizer}; {", ".join(steps)}.

Exported by vqvae-tui from a run's settings. Run it with python (it needs {needs}).
It reads the IDX files in DATA, trains for EPOCHS epochs, prints after each one the validation
MSE, the codes used and their perplexity, and saves OUT.safetensors and OUT.json, which
vqvae-tui opens: `vqvae-tui --weights OUT`.

{same}

What it leaves out of `vqvae-tui train`: {LEAVES_OUT} (vqvae-tui's generate screen then draws
codes uniformly, its atlas has no measured digits).
"""
    return '"""' + wrapped(text) + '"""'


def wrapped(text: str, width: int = 96) -> str:
    """Each paragraph of `text` wrapped at `width`."""
    paragraphs = [" ".join(paragraph.split()) for paragraph in text.split("\n\n")]
    return "\n\n".join(textwrap.fill(paragraph, width) for paragraph in paragraphs) + "\n"


def standalone_script(values: dict, data: Path, out: Path | None = None) -> str:
    """The script that trains a model with these settings (name → value, as settings.SETTINGS)
    on the IDX files in `data`, saving `out`.safetensors/.json (None: beside the script, named
    after it: NAME-weights)."""
    config, options = split(values)
    if config.distance == "cosine" and not options.ema_decay:
        raise UserError(
            "the library learns a cosine codebook by EMA only: give --ema-decay above 0"
        )
    template = "\n".join(
        kept_lines(SCRIPT_TEMPLATE.read_text(encoding="utf-8"), parts(config, options))
    )
    script = SOURCE.sub(lambda match: source_of(match[1], match[2]), template)
    known = {
        "docstring": description(config, options),
        "constants": constants(values, data, out),
        "IMAGE": str(IMAGE),
        "GRID": str(GRID),
        **{key: constant_of(module, key) for key, module in CONSTANTS.items()},
    }
    script = PLACEHOLDER.sub(lambda match: known[match[1]], script)
    return script.rstrip() + "\n"


def write_script(path: Path, text: str) -> None:
    """Write `text` to a new file at `path` (never over an existing one: it may be edited)."""
    try:
        with open(path, "x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        raise UserError(f"{path}: exists already; give another name or remove it") from None
    except OSError as error:
        raise UserError(reason(path.parent, error)) from None
