"""MNIST-format data: IDX files, the split, augmentation, where data is, pictures from image
files. Never imports the UI.

Names load on first use (PEP 562), as in `vqvae_tui.model`: reading a picture file or finding
data needs no torch (augmentation does), so the app can read `--input` before torch loads.
"""

from vqvae_tui.lazy import lazy_names

_WHERE = {
    "augment": "augmentation",
    "DataSource": "discovery",
    "Found": "discovery",
    "choose_data": "discovery",
    "data_source": "discovery",
    "find_data": "discovery",
    "usual_places": "discovery",
    "read_idx": "idx",
    "read_picture": "pictures",
    "read_pair": "idx",
    "Digits": "mnist",
    "read": "mnist",
    "test_digits": "mnist",
    "training_digits": "mnist",
    "validation_digits": "mnist",
    "validation_mask": "mnist",
}
__all__ = sorted(_WHERE)


__getattr__ = lazy_names(__name__, _WHERE)
