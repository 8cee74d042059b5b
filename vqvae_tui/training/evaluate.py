"""Evaluation: reconstruction error and codebook use over a set of digits."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from vqvae_tui.data import Digits
from vqvae_tui.model import VQVAE


def perplexity(counts: torch.Tensor) -> float:
    """exp(entropy) of the code-usage distribution: K if all codes are used equally, 1 if one."""
    p = counts / counts.sum()
    p = p[p > 0]
    return float(torch.exp(-(p * p.log()).sum()))


@dataclass(frozen=True)
class Metrics:
    count: int  # digits evaluated
    mse: float  # per-pixel mean squared error, pixels in [0, 1]
    psnr: float  # dB, 10·log10(1 / mse)
    bce: float  # binary cross-entropy summed over the 784 pixels, mean over digits
    codes_used: int  # distinct codes chosen anywhere
    perplexity: float
    per_class_mse: dict  # digit label ("0".."9") → mse

    def to_dict(self) -> dict:
        return {
            "count": self.count,
            "mse": self.mse,
            "psnr": self.psnr,
            "bce": self.bce,
            "codes_used": self.codes_used,
            "perplexity": self.perplexity,
            "per_class_mse": self.per_class_mse,
        }

    def summary(self) -> dict:
        return {"mse": round(self.mse, 6), "codes_used": self.codes_used}


@torch.inference_mode()
def evaluate(model: VQVAE, digits: Digits, batch_size: int = 1000) -> Metrics:
    squared_errors, bces, all_codes = [], [], []
    for start in range(0, len(digits), batch_size):
        x = torch.from_numpy(digits.images[start : start + batch_size]).unsqueeze(1)
        x_hat, _, q = model(x)
        squared_errors.append(((x_hat - x) ** 2).mean(dim=(1, 2, 3)))
        bce = F.binary_cross_entropy(x_hat, x, reduction="none").sum(dim=(1, 2, 3))
        bces.append(bce)
        all_codes.append(q.codes)
    per_image = torch.cat(squared_errors).double().numpy()
    codes = torch.cat(all_codes)
    counts = torch.bincount(codes, minlength=model.config.num_codes).float()
    mse = float(per_image.mean())
    return Metrics(
        count=len(digits),
        mse=mse,
        psnr=10 * math.log10(1 / mse) if mse > 0 else math.inf,
        bce=float(torch.cat(bces).double().mean()),
        codes_used=int((counts > 0).sum()),
        perplexity=perplexity(counts),
        per_class_mse={
            str(label): float(per_image[digits.labels == label].mean())
            for label in np.unique(digits.labels)
        },
    )
