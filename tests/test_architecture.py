"""The layers: model/, data/, training/, drawing/ and the session never import Textual (nor
the UI)."""

import subprocess
import sys

import pytest

CORE = [
    "vqvae_tui.model",
    "vqvae_tui.data",
    "vqvae_tui.training",
    "vqvae_tui.drawing",
    "vqvae_tui.session",
]


@pytest.mark.parametrize("package", CORE)
def test_core_imports_without_textual(package):
    code = (
        f"import sys, {package}\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] == 'textual' or m.startswith('vqvae_tui.ui'))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_cli_does_not_import_torch_or_numpy_before_it_needs_it():
    """Nor numpy: `serve`'s zygote must import it itself, with one thread."""
    code = "import sys, vqvae_tui.cli; print('torch' in sys.modules or 'numpy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_app_module_does_not_import_torch():
    """The first frame comes before torch: the model loads in a worker."""
    code = "import sys, vqvae_tui.ui.app; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
