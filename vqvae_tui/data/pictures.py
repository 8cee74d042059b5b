"""Any image file as a drawing: 28×28 grey, light ink on black, centred as MNIST's digits are.

MNIST's digits were fitted into a 20×20 box keeping their aspect ratio (anti-aliased), then
placed in the 28×28 field with their centre of mass at its centre. A picture gets the same:
its ink is told from its paper by the picture's border (paper surrounds a drawing), dark ink on
light paper is inverted, the paper's shade goes to black and the ink's to white, and the ink's
bounding box is fitted and centred like MNIST's. Pillow reads the file (PNG, JPEG, GIF, BMP,
TIFF, WebP, …); a file it cannot read is a one-line DataError.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from vqvae_tui.errors import DataError
from vqvae_tui.model.config import IMAGE

BOX = 20  # the side of the box the ink's bounding box is fitted into
LARGEST = 512  # larger pictures are first reduced to this side: as good, and quick
INK = 0.25  # after the levels, a pixel brighter than this is ink (it sets the bounding box)
FAINT = 0.1  # the share of the paper → ink range taken as paper too (its grain, shadows)
FLAT = 0.05  # a picture whose ink is no brighter than its paper by this has nothing drawn


def read_picture(path: str | os.PathLike) -> np.ndarray:
    """The picture in an image file as a drawing: (28, 28) float32 in [0, 1], ink bright."""
    path = Path(path).expanduser()
    return centred(as_ink(grey_of(path), path))


def grey_of(path: Path) -> np.ndarray:
    """The file's first frame as grey levels in [0, 1] (white 1), upright as its EXIF says,
    transparent parts shown on paper that contrasts with the ink."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.draft("L", (LARGEST, LARGEST))  # JPEG: decode at a reduced size
                image = ImageOps.exif_transpose(image)
                image.thumbnail((LARGEST, LARGEST))
                return grey_levels(image)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not an image file") from None
    except UnidentifiedImageError:
        raise DataError(
            f"{path}: not an image file (PNG, JPEG, GIF, BMP, TIFF, WebP, … can be read)"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DataError(f"{path}: too large to read ({error})") from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise DataError(f"{path}: cannot be read as an image ({error})") from None


def grey_levels(image: Image.Image) -> np.ndarray:
    if image.mode.startswith("I;16"):  # 16-bit grey
        return np.asarray(image, dtype=np.float64) / 65535
    if image.mode in ("I", "F"):  # 32-bit grey: no fixed range, so its own
        values = np.asarray(image, dtype=np.float64)
        return (values - values.min()) / max(float(np.ptp(values)), 1e-12)
    if image.mode in ("1", "L", "RGB", "CMYK", "YCbCr", "LAB", "HSV"):
        return np.asarray(image.convert("L"), dtype=np.float64) / 255
    rgba = image.convert("RGBA")  # modes with transparency (RGBA, LA, P, …)
    grey = np.asarray(rgba.convert("L"), dtype=np.float64) / 255
    alpha = np.asarray(rgba.getchannel("A"), dtype=np.float64) / 255
    if alpha.min() == 1 or alpha.max() == 0:
        return grey
    ink = float((grey * alpha).sum() / alpha.sum())  # the shade of what is drawn
    paper = 1.0 if ink < 0.5 else 0.0
    return grey * alpha + paper * (1 - alpha)


def as_ink(grey: np.ndarray, path: Path) -> np.ndarray:
    """Light ink on black: inverted if the paper (the border's shade) is light, then levels
    from the paper (black) to the ink's typical shade (white): the median of the pixels nearer
    the brightest than the paper, which a speck of noise cannot move."""
    if paper_of(grey) > 0.5:  # dark ink on light paper
        grey = 1 - grey
    paper, brightest = paper_of(grey), float(grey.max())
    ink = float(np.median(grey[grey >= (paper + brightest) / 2]))
    if brightest - paper < FLAT:
        raise DataError(f"{path}: nothing is drawn on it (the picture is one flat shade)")
    low = paper + FAINT * (ink - paper)
    return np.clip((grey - low) / (ink - low), 0, 1)


def paper_of(grey: np.ndarray) -> float:
    """The paper's shade: the median of the picture's border, which a drawing leaves blank."""
    return float(np.median(np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])))


def centred(ink: np.ndarray) -> np.ndarray:
    """The ink's bounding box fitted into 20×20 (keeping its aspect ratio, anti-aliased, its
    brightest white again) and placed in the 28×28 field with its centre of mass at the
    field's centre."""
    rows = np.flatnonzero((ink > INK).any(axis=1))
    columns = np.flatnonzero((ink > INK).any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    height, width = crop.shape
    scale = BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    box = Image.fromarray(crop.astype(np.float32))  # mode F: 32-bit floats
    fitted = np.clip(np.asarray(box.resize(size, Image.Resampling.LANCZOS)), 0, None)
    fitted = np.clip(fitted / fitted.max(), 0, 1)  # a thin stroke made faint by the fit: white
    mass = fitted.sum()
    y, x = np.indices(fitted.shape)
    centre = (IMAGE - 1) / 2
    top = round(centre - float((y * fitted).sum() / mass))
    left = round(centre - float((x * fitted).sum() / mass))
    top = min(max(top, 0), IMAGE - fitted.shape[0])
    left = min(max(left, 0), IMAGE - fitted.shape[1])
    field = np.zeros((IMAGE, IMAGE), dtype=np.float32)
    field[top : top + fitted.shape[0], left : left + fitted.shape[1]] = fitted
    return field
