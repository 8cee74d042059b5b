"""Traces of the VAE and the plain autoencoder: one forward pass with every intermediate, as numpy,
and the gradient path through the VAE's sampling, measured with autograd.

ε is drawn by a generator seeded with `noise` (the app's "new ε" key draws the next seed), so the
same drawing and seed give the same numbers. A `cursor` (a point of the latent plane chosen on
the map) is decoded in the same pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from vqvae_tui.model.config import IMAGE, LATENT
from vqvae_tui.model.tracing import one_image
from vqvae_tui.model.vae import VAE, Autoencoder, reconstruction_loss


@dataclass(frozen=True, eq=False)  # arrays: two traces are equal only if identical
class VAETrace:
    image: np.ndarray  # (28, 28) input pixels in [0, 1]
    mean: np.ndarray  # (2,) μ
    log_variance: np.ndarray  # (2,) log σ²
    sigma: np.ndarray  # (2,) σ = exp(½ log σ²)
    epsilon: np.ndarray  # (2,) ε ~ N(0, I)
    z: np.ndarray  # (2,) μ + σ·ε
    reconstruction: np.ndarray  # (28, 28) the decoder's output for z
    reconstruction_loss: float  # binary cross-entropy of the reconstruction, summed (nats)
    mse: float  # per-pixel mean squared error of the reconstruction
    kl: np.ndarray  # (2,) KL(N(μ, σ²) ‖ N(0, 1)) of each dimension (nats)
    noise: int  # the seed ε was drawn with
    cursor: np.ndarray | None  # (2,) a point chosen on the map, or None
    cursor_reconstruction: np.ndarray | None  # (28, 28) the decoder's output for it


@dataclass(frozen=True, eq=False)
class AETrace:
    image: np.ndarray  # (28, 28)
    z: np.ndarray  # (2,) the encoder's output
    reconstruction: np.ndarray  # (28, 28)
    reconstruction_loss: float  # binary cross-entropy, summed (nats)
    mse: float


GRAPH_NODES = (  # the computational graph of VAE.forward, in the order of the forward pass
    "x", "encoder", "mean", "log_variance", "half", "exp", "sigma", "epsilon", "times", "plus",
    "z", "decoder", "x_hat",
)  # fmt: skip
GRADIENTS = ("mean", "log_variance", "sigma", "z")  # the tensors whose ∂L/∂ is kept


@dataclass(frozen=True, eq=False)  # arrays: two paths are equal only if identical
class GradientPath:
    """Where the reconstruction loss's gradient goes back through the sampling, for one image:
    read from the graph autograd built for the pass, and computed by autograd."""

    reached: dict[str, bool]  # each of GRAPH_NODES: does the backward pass from L reach it?
    backward: dict[str, str]  # node → the autograd function that carries its gradient back
    gradients: dict[str, np.ndarray]  # ∂L/∂(each of GRADIENTS), (2,) each
    encoder_gradient_norm: float  # ‖∂L/∂θ‖ over the encoder's parameters
    decoder_gradient_norm: float  # … over the decoder's
    mean_difference: float  # max |∂L/∂μ − ∂L/∂z|: z = μ + σ·ε passes ∂L/∂z to μ unchanged
    sigma_difference: float  # max |∂L/∂σ − ε·∂L/∂z|: … and to σ times ε


def generator_of(noise: int) -> torch.Generator:
    return torch.Generator().manual_seed(int(noise))


def checked_point(point, caller: str) -> torch.Tensor:
    """One point of the latent plane as a (1, 2) tensor."""
    values = np.asarray(point, dtype=np.float32)
    if values.shape != (LATENT,) or not np.isfinite(values).all():
        raise ValueError(f"{caller} takes a point of {LATENT} finite numbers, not {point!r}")
    return torch.from_numpy(values).reshape(1, LATENT)


def vae_pass(model: VAE, image: np.ndarray, noise: int, cursor, caller: str):
    """The tensors of one pass: the model's own forward, its losses, and the decoder's
    picture of the cursor (alone: a batch of one gives exactly what the decoder gives that
    point), or None."""
    pixels, x = one_image(image, caller)
    point = checked_point(cursor, caller) if cursor is not None else None
    x_hat, sampling = model(x, generator_of(noise))
    losses = model.losses(x, x_hat, sampling)
    with torch.no_grad():
        decoded = None if point is None else model.decoder(point)
    return pixels, x, x_hat, sampling, losses, decoded


def as_vae_trace(pixels, x, x_hat, sampling, losses, decoded, noise, cursor) -> VAETrace:
    def array(tensor: torch.Tensor) -> np.ndarray:
        return tensor.detach().numpy()

    return VAETrace(
        image=pixels,
        mean=array(sampling.mean[0]),
        log_variance=array(sampling.log_variance[0]),
        sigma=array(sampling.sigma[0]),
        epsilon=array(sampling.epsilon[0]),
        z=array(sampling.z[0]),
        reconstruction=array(x_hat[0, 0]),
        reconstruction_loss=losses.reconstruction.item(),
        mse=((x_hat - x) ** 2).mean().item(),
        kl=array(losses.kl),
        noise=int(noise),
        cursor=None if cursor is None else np.asarray(cursor, dtype=np.float32),
        cursor_reconstruction=None if decoded is None else array(decoded[0, 0]),
    )


@torch.inference_mode()
def trace_vae(model: VAE, image: np.ndarray, noise: int = 0, cursor=None) -> VAETrace:
    """Run one 28×28 image in [0, 1] through the VAE with ε drawn from seed `noise`, keep every
    step, and decode `cursor` (a point of the plane) too."""
    return as_vae_trace(*vae_pass(model, image, noise, cursor, "trace_vae"), noise, cursor)


def backward_graph(loss: torch.Tensor) -> set:
    """Every node of the graph autograd built for this very pass, from the loss back to its
    leaves: what the backward pass reaches."""
    seen, todo = set(), [loss.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        todo.extend(parent for parent, _ in node.next_functions)
    return seen


def reaches(graph: set, tensor: torch.Tensor) -> bool:
    """Whether the backward pass reaches a tensor: its function, or for a leaf its
    accumulator, is in the graph."""
    if tensor.grad_fn is not None:
        return tensor.grad_fn in graph
    return any(getattr(node, "variable", None) is tensor for node in graph)


def functions_of(x_hat: torch.Tensor, s) -> dict:
    """The autograd function of each operation node of VAE.forward's graph."""
    plus = s.z.grad_fn  # z = mean + sigma * epsilon
    times = next(f for f, _ in plus.next_functions if f not in (None, s.mean.grad_fn))
    exp = s.sigma.grad_fn  # sigma = exp(0.5 * log_variance)
    half = next(f for f, _ in exp.next_functions if f is not None)
    return {
        "mean": s.mean.grad_fn, "log_variance": s.log_variance.grad_fn, "half": half,
        "exp": exp, "sigma": exp, "times": times, "plus": plus, "z": plus,
        "x_hat": x_hat.grad_fn,
    }  # fmt: skip


def trace_vae_and_gradients(
    model: VAE, image: np.ndarray, noise: int = 0, cursor=None
) -> tuple[VAETrace, GradientPath]:
    """The trace and the gradient path of one image from the same forward pass: where the
    reconstruction loss's gradient reaches, and its values, by autograd. The parameters get no
    gradient (`.grad` stays None)."""
    training = model.training
    if training:
        model.eval()
    try:
        with torch.enable_grad():
            pixels, x, x_hat, s, losses, decoded = vae_pass(
                model, image, noise, cursor, "trace_vae_and_gradients"
            )
            loss = losses.reconstruction
            graph = backward_graph(loss)
            functions = functions_of(x_hat, s)
            encoder, decoder = list(model.encoder.parameters()), list(model.decoder.parameters())
            reached = {name: function in graph for name, function in functions.items()}
            reached |= {
                "x": reaches(graph, x),
                "epsilon": reaches(graph, s.epsilon),
                "encoder": all(reaches(graph, p) for p in encoder),
                "decoder": all(reaches(graph, p) for p in decoder),
            }
            values = torch.autograd.grad(
                loss, [getattr(s, n) for n in GRADIENTS] + encoder + decoder
            )
    finally:
        if training:
            model.train()
    gradients = {name: value[0].numpy() for name, value in zip(GRADIENTS, values)}
    parameters = values[len(GRADIENTS) :]

    def norm(grads) -> float:
        return float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads)))

    epsilon = s.epsilon.detach()[0].numpy()
    traced = as_vae_trace(pixels, x, x_hat, s, losses, decoded, noise, cursor)
    backward = {name: type(f).__name__ for name, f in functions.items() if reached[name]}
    backward |= {name: "AccumulateGrad" for name in ("encoder", "decoder") if reached[name]}
    return traced, GradientPath(
        reached={name: reached[name] for name in GRAPH_NODES},
        backward=backward,
        gradients=gradients,
        encoder_gradient_norm=norm(parameters[: len(encoder)]),
        decoder_gradient_norm=norm(parameters[len(encoder) :]),
        mean_difference=float(np.abs(gradients["mean"] - gradients["z"]).max()),
        sigma_difference=float(np.abs(gradients["sigma"] - epsilon * gradients["z"]).max()),
    )


@torch.inference_mode()
def trace_ae(model: Autoencoder, image: np.ndarray) -> AETrace:
    """Run one 28×28 image in [0, 1] through the plain autoencoder and keep every step."""
    pixels, x = one_image(image, "trace_ae")
    x_hat, z = model(x)
    return AETrace(
        image=pixels,
        z=z[0].numpy(),
        reconstruction=x_hat[0, 0].numpy(),
        reconstruction_loss=float(reconstruction_loss(x_hat, x)),
        mse=float(((x_hat - x) ** 2).mean()),
    )


@torch.inference_mode()
def decode_points(model: VAE | Autoencoder, points) -> np.ndarray:
    """The decoder's pictures (n, 28, 28) of points (n, 2) of the latent plane."""
    values = np.asarray(points, dtype=np.float32)
    if values.ndim != 2 or values.shape[1] != LATENT or not np.isfinite(values).all():
        raise ValueError(f"decode_points takes (n, {LATENT}) finite numbers")
    return model.decoder(torch.from_numpy(values)).reshape(-1, IMAGE, IMAGE).numpy().copy()


@torch.inference_mode()
def encode(model: VAE | Autoencoder, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Where images (n, 28, 28) land on the latent plane (n, 2): the VAE's μ, the
    autoencoder's z."""
    points = []
    for start in range(0, len(images), batch_size):
        x = torch.from_numpy(np.asarray(images[start : start + batch_size], np.float32))
        out = model.encoder(x.unsqueeze(1))
        points.append(out[:, :LATENT] if isinstance(model, VAE) else out)
    return torch.cat(points).numpy() if points else np.zeros((0, LATENT), np.float32)


def prior_draws(rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` points drawn from the prior N(0, I) of the plane."""
    return rng.standard_normal((count, LATENT)).astype(np.float32)
