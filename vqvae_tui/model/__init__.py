"""The PyTorch VQ-VAE, the VAE and the autoencoder, their traces, their marked steps and their
weights. Never imports the UI.

Names load on first use (PEP 562), so `vqvae_tui.model.config` can be imported without torch:
the app shows its first frame before torch has loaded. The function `steps` is imported from
`vqvae_tui.model.steps`: here, `steps` is that module.
"""

from vqvae_tui.lazy import lazy_names

_WHERE = {
    "CodeAtlas": "code_atlas",
    "atlas_of": "code_atlas",
    "empty_canvas_codes": "code_atlas",
    "measure_atlas": "code_atlas",
    "placed": "code_atlas",
    "code_prior": "codes",
    "decode": "codes",
    "sample_codes": "codes",
    "CODE_LABELS": "config",
    "GRID": "config",
    "IMAGE": "config",
    "ModelConfig": "config",
    "STEP_MATRICES": "steps",
    "Source": "steps",
    "Step": "steps",
    "line_of": "steps",
    "matrix_of": "steps",
    "quantizer_source": "steps",
    "CodebookTraining": "trained",
    "codebook_training": "trained",
    "StraightThrough": "tracing",
    "Trace": "tracing",
    "straight_through": "tracing",
    "trace_and_straight_through": "tracing",
    "trace": "tracing",
    "VQVAE": "vqvae",
    "Decoder": "vqvae",
    "Encoder": "vqvae",
    "Losses": "vqvae",
    "Quantization": "vqvae",
    "VectorQuantizer": "vqvae",
    "AETrace": "latent_tracing",
    "GradientPath": "latent_tracing",
    "VAETrace": "latent_tracing",
    "decode_points": "latent_tracing",
    "encode": "latent_tracing",
    "prior_draws": "latent_tracing",
    "trace_ae": "latent_tracing",
    "trace_vae": "latent_tracing",
    "trace_vae_and_gradients": "latent_tracing",
    "KINDS": "config",
    "LATENT": "config",
    "LatentConfig": "config",
    "VAE": "vae",
    "Autoencoder": "vae",
    "Sampling": "vae",
    "VAELosses": "vae",
    "LatentMap": "weights",
    "read_latent_map": "weights",
    "one_pass": "passes",
    "default_path": "weights",
    "load": "weights",
    "read_metadata": "weights",
    "prior_of": "weights",
    "read_prior": "weights",
    "save": "weights",
}
__all__ = sorted(_WHERE)


__getattr__ = lazy_names(__name__, _WHERE)
