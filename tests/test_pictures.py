"""Your own picture: any image file as the drawing, centred as MNIST's digits are — the
conversion (plain unit tests), `vqvae-tui --input`, and the app's prompt (o)."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from scenarios import make_app
from terminal import READY, Terminal

from vqvae_tui.data import read_picture
from vqvae_tui.data.pictures import BOX
from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.errors import DataError
from vqvae_tui.model import trace
from vqvae_tui.ui.screens.open_picture import complete_path

FULL = (120, 40)


def ink_box(pixels: np.ndarray) -> tuple[int, int]:
    """The height and width of the bounding box of the ink (pixels over 0.25)."""
    rows = np.flatnonzero((pixels > 0.25).any(axis=1))
    columns = np.flatnonzero((pixels > 0.25).any(axis=0))
    return rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1


def centre_of_mass(pixels: np.ndarray) -> tuple[float, float]:
    y, x = np.indices(pixels.shape)
    return float((y * pixels).sum() / pixels.sum()), float((x * pixels).sum() / pixels.sum())


def scan(digit: str = "3", scale: int = 5, size=(300, 400), at=(12, 40)) -> np.ndarray:
    """A large white-on-black picture of a sample digit, off-centre: uint8 (h, w)."""
    picture = np.zeros(size, dtype=np.uint8)
    drawn = (draw_strokes(SAMPLES[digit]) * 255).astype(np.uint8)
    big = np.kron(drawn, np.ones((scale, scale), dtype=np.uint8))
    picture[at[0] : at[0] + big.shape[0], at[1] : at[1] + big.shape[1]] = big
    return picture


def save(pixels: np.ndarray, path, mode: str | None = None, **options):
    image = Image.fromarray(pixels)
    (image.convert(mode) if mode else image).save(path, **options)
    return path


def is_mnist_like(pixels: np.ndarray) -> None:
    assert pixels.shape == (28, 28) and pixels.dtype == np.float32
    assert pixels.min() == 0 and pixels.max() == 1
    assert max(ink_box(pixels)) == BOX  # the ink's box fitted into 20×20
    y, x = centre_of_mass(pixels)
    assert abs(y - 13.5) <= 0.5 and abs(x - 13.5) <= 0.5  # its centre of mass at the centre
    assert (pixels[:2] == 0).all() and (pixels[-2:] == 0).all()  # blank margins, as in MNIST


def test_a_light_on_dark_picture_is_fitted_and_centred_like_mnist(tmp_path):
    pixels = read_picture(save(scan(), tmp_path / "three.png"))
    is_mnist_like(pixels)
    # the drawing itself: it correlates with the sample drawn the MNIST way
    assert np.corrcoef(pixels.ravel(), draw_strokes(SAMPLES["3"]).ravel())[0, 1] > 0.8


def test_dark_ink_on_light_paper_is_inverted(tmp_path):
    light = read_picture(save(scan(), tmp_path / "light.png"))
    dark = read_picture(save(255 - scan(), tmp_path / "dark.jpg", "RGB", quality=85))
    is_mnist_like(dark)
    assert np.abs(dark - light).max() < 0.15  # the same drawing (up to JPEG's losses)


def test_a_photo_of_grey_paper_loses_its_paper(tmp_path):
    rng = np.random.default_rng(0)
    photo = 200 - scan().astype(np.float64) * 0.6 + rng.normal(0, 6, (300, 400))  # grain
    pixels = read_picture(save(np.clip(photo, 0, 255).astype(np.uint8), tmp_path / "photo.png"))
    is_mnist_like(pixels)
    clean = read_picture(save(scan(), tmp_path / "clean.png"))
    assert np.abs(pixels - clean).mean() < 0.03  # the same drawing
    assert (pixels[clean == 0] == 0).mean() > 0.95  # the paper is black, its grain gone


def test_transparent_paper_reads_as_paper(tmp_path):
    ink = scan()
    rgba = np.zeros((*ink.shape, 4), dtype=np.uint8)  # black ink, transparent paper
    rgba[..., 3] = ink
    pixels = read_picture(save(rgba, tmp_path / "transparent.png"))
    is_mnist_like(pixels)
    assert np.abs(pixels - read_picture(save(scan(), tmp_path / "plain.png"))).max() < 0.05


def test_a_tall_drawing_keeps_its_aspect_ratio(tmp_path):
    pixels = read_picture(save(scan("1"), tmp_path / "one.png"))
    height, width = ink_box(pixels)
    assert height == BOX and width < 0.6 * height


def test_sixteen_bit_grey_and_a_huge_picture(tmp_path):
    deep = Image.fromarray(scan().astype(np.uint16) * 257)  # 16-bit grey
    deep.save(tmp_path / "deep.png")
    is_mnist_like(read_picture(tmp_path / "deep.png"))
    huge = scan(scale=60, size=(1700, 1700), at=(10, 10))
    is_mnist_like(read_picture(save(huge, tmp_path / "huge.png")))


def test_a_photo_is_read_upright_as_its_exif_says(tmp_path):
    image = Image.fromarray(scan()).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: shown rotated 90° clockwise
    image.rotate(90, expand=True).save(tmp_path / "rotated.jpg", exif=exif, quality=95)
    upright = read_picture(save(scan(), tmp_path / "upright.png"))
    assert np.abs(read_picture(tmp_path / "rotated.jpg") - upright).max() < 0.15


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("hello, I am text"), "not an image file"),
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(save(scan(), p).read_bytes()[:300]), "cannot be read as an image"),
        (lambda p: save(np.full((50, 50), 255, np.uint8), p), "nothing is drawn on it"),
    ],
    ids=["text", "missing", "directory", "truncated", "blank"],
)
def test_what_is_not_a_picture_says_so_in_one_line(tmp_path, make, message):
    path = tmp_path / "picture.png"
    make(path)
    with pytest.raises(DataError, match=message) as error:
        read_picture(path)
    assert str(error.value).startswith(str(path)) and "\n" not in str(error.value)


def test_the_cli_refuses_what_is_not_a_picture_in_one_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a picture")
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "--input", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"vqvae-tui: {path}: not an image file (PNG, JPEG")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_the_cli_opens_with_a_picture(tmp_path, shipped_model):
    path = save(255 - scan("7"), tmp_path / "seven.png")
    loss = trace(shipped_model, read_picture(path)).reconstruction_loss
    terminal = Terminal("--input", str(path))
    assert terminal.wait_for(READY), terminal.text()
    assert terminal.wait_for(f"reconstruction loss {loss:.4f}"), terminal.text()  # its picture
    assert terminal.quit() == 0


def test_input_and_open_are_one_or_the_other(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "--input", "a.png", "--open", "b.json"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2 and "not allowed with argument" in result.stderr


def test_paths_complete_by_the_first_entry_that_fits(tmp_path):
    (tmp_path / "digits").mkdir()
    (tmp_path / "digit.png").write_bytes(b"")
    (tmp_path / ".hidden.png").write_bytes(b"")
    assert complete_path(f"{tmp_path}/dig") == f"{tmp_path}/digit.png"  # "digit.png" < "digits"
    assert complete_path(f"{tmp_path}/digits") == f"{tmp_path}/digits/"
    assert complete_path(f"{tmp_path}/") == f"{tmp_path}/digit.png"  # not the hidden one
    assert complete_path(f"{tmp_path}/.h") == f"{tmp_path}/.hidden.png"
    assert complete_path(f"{tmp_path}/none") is None
    assert complete_path(f"{tmp_path}/absent/x") is None


async def test_o_opens_a_picture_as_the_drawing_and_u_undoes_it(shipped_model, tmp_path):
    path = save(255 - scan("5"), tmp_path / "five.png")
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("1")
        await pilot.pause()
        drawn = app.session.image.copy()
        await pilot.press("o")
        await pilot.pause()
        assert app.screen.id == "open-picture"
        await pilot.press(*f"{tmp_path}/fi", "tab")  # Tab completes the path
        await pilot.pause()
        assert app.screen.path.value == str(path)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.id == "summary"
        np.testing.assert_array_equal(app.session.image, read_picture(path))
        np.testing.assert_array_equal(app.trace.image, read_picture(path))  # traced
        levels = (read_picture(path) * 255 + 0.5).astype(np.uint8)
        np.testing.assert_array_equal(app.screen.canvas.levels, levels)
        await pilot.press("u")
        await pilot.pause()
        np.testing.assert_array_equal(app.session.image, drawn)


async def test_a_file_that_is_no_picture_is_a_notification_and_the_prompt_stays(
    shipped_model, tmp_path
):
    (tmp_path / "notes.txt").write_text("words")
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3", "o", *str(tmp_path / "notes.txt"), "enter")
        await pilot.pause()
        assert app.screen.id == "open-picture"
        messages = [notification.message for notification in app._notifications]
        assert any("notes.txt: not an image file" in message for message in messages)
        before = app.session.image.copy()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "summary" and (app.session.image == before).all()


async def test_the_details_screen_opens_pictures_too(shipped_model, tmp_path):
    path = save(scan("2"), tmp_path / "two.png")
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("d", "o", *str(path), "enter")
        await pilot.pause()
        assert app.screen.id == "details"
        np.testing.assert_array_equal(app.trace.image, read_picture(path))
