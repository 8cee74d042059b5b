"""The app's models, loaded in workers: the VQ-VAE after the first frame (torch imports then),
the VAE and the autoencoder when a screen first shows them. A weights file that cannot be
loaded ends the app in one line (the VQ-VAE's), or is said on the screens that show it (the
VAE's, the autoencoder's), and the app goes on.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from vqvae_tui.errors import UserError

if TYPE_CHECKING:
    from vqvae_tui.model.weights import LatentMap


class ModelLoading:
    """The app's part that loads its models (mixed into VQVAEApp)."""

    def set_up_models(self, weights, model, latent_weights, latent_models) -> None:
        """`weights`: the VQ-VAE's file (None: the shipped one), or `model` loaded already;
        `latent_weights`: kind → the VAE's or the autoencoder's file; `latent_models`: kind →
        (model, latent map), loaded already."""
        self.weights = weights
        self.model = model
        self.latent_weights = dict(latent_weights or {})
        self.latent_models: dict[str, tuple[object, LatentMap]] = dict(latent_models or {})
        self.loading: set[str] = set()  # the kinds whose weights a worker is loading
        # which VQ-VAE weights the explainer shows: the codebook's title names them
        self.model_name = (
            "shipped MNIST" if weights is None else Path(weights).name.removesuffix(".safetensors")
        )

    def start_loading(self) -> None:
        if self.model is None:
            self.call_after_refresh(self.load_model)  # torch imports after the first frame
        else:
            self.model_loaded(self.model)

    def model_of(self, kind: str):
        """The loaded model of a kind; None while it loads (the first call starts loading a
        VAE or autoencoder)."""
        return self.model if kind == "vqvae" else self.latent_model(kind)

    @work(thread=True, exclusive=True, exit_on_error=False, group="model")
    def load_model(self) -> None:
        import torch

        from vqvae_tui.model import load

        torch.set_num_threads(1)  # one image at a time: threads cost more than they save
        try:
            model = load(self.weights)
        except UserError as error:
            self.call_from_thread(self.fail, str(error))
            return
        except Exception as error:  # whatever else a weights file can do to a loader
            self.call_from_thread(self.fail, f"{self.weights}: cannot be loaded ({error!r})")
            return
        self.call_from_thread(self.model_loaded, model)

    def fail(self, error: str) -> None:
        self.error = error
        self.exit(return_code=2)

    def model_loaded(self, model) -> None:
        problem = self.session.check_edits(model.config.num_codes)
        if problem is not None:
            self.fail(problem)
            return
        self.model = model
        self.update_trace()

    def use_model(self, model, name: str) -> None:
        """Show another VQ-VAE (a training run's weights) on every screen."""
        self.model_name = name
        if self.session.check_edits(model.config.num_codes) is not None:
            self.session.reset_edits()  # edits of codes the new model does not have
        self.model_loaded(model)

    def latent_model(self, kind: str):
        """The VAE or the autoencoder; None while it loads (the first call starts loading it)."""
        if kind in self.latent_models:
            return self.latent_models[kind][0]
        if kind not in self.problems and kind not in self.loading:
            self.loading.add(kind)
            self.run_worker(
                partial(self.load_latent, kind), thread=True, exit_on_error=False,
                group=f"load-{kind}",
            )  # fmt: skip
        return None

    def load_latent(self, kind: str) -> None:
        """In a worker: the weights and the latent map of a VAE or autoencoder."""
        from vqvae_tui.model import load, read_latent_map

        path = self.latent_weights.get(kind)
        try:
            model = load(path, kind=kind)
            latent_map = read_latent_map(path, kind)
        except Exception as error:  # a UserError says it in one line; the rest is unexpected
            where = path if path is not None else f"the shipped {kind} weights"
            problem = str(error) if isinstance(error, UserError) else f"{where}: {error!r}"
            self.call_from_thread(self.latent_failed, kind, problem)
            return
        self.call_from_thread(self.latent_loaded, kind, model, latent_map)

    def latent_loaded(self, kind: str, model, latent_map: LatentMap) -> None:
        self.loading.discard(kind)
        self.latent_models[kind] = (model, latent_map)
        self.update_trace()

    def latent_failed(self, kind: str, problem: str) -> None:
        self.loading.discard(kind)
        self.problems = {**self.problems, kind: problem}  # the screens that show it say so
