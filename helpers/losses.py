"""Pénalités et pertes du cours : parcimonie, contraction, VAE, et mesure de qualité (PSNR).

Conventions : les lots sont sur la première dimension ; les pénalités sont des moyennes sur le lot
de quantités par exemple (sauf la pénalité de parcimonie, qui porte sur l'activation moyenne du
lot) ; les log-vraisemblances sont en nats par image.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from skimage.metrics import structural_similarity
from torch import nn

from .validation import require_nonnegative, require_probability, require_same_shape

EPS = 1e-6


# --- Auto-encodeurs parcimonieux -------------------------------------------------------------


def bernoulli_kl(rho: float, rho_hat: torch.Tensor) -> torch.Tensor:
    """KL(ρ ‖ ρ̂) entre lois de Bernoulli, terme à terme ; ρ̂ est borné dans [ε, 1 − ε]."""
    require_probability("rho", rho)
    rho_hat = rho_hat.clamp(EPS, 1 - EPS)
    return rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))


def mean_activation(h: torch.Tensor) -> torch.Tensor:
    """Activation moyenne ρ̂_j de chaque unité sur le lot ``h`` de forme (N, p), à valeurs dans [0, 1]."""
    if h.ndim != 2 or len(h) == 0:
        raise ValueError(f"Activations de forme {tuple(h.shape)} : attendu (N, p) avec N ≥ 1.")
    if h.min() < 0 or h.max() > 1:
        raise ValueError(
            "La pénalité KL de parcimonie compare des moyennes de Bernoulli : les activations doivent "
            f"être dans [0, 1] (reçu : min {h.min().item():.3g}, max {h.max().item():.3g}). "
            "Utilisez une sigmoïde sur la couche du code."
        )
    return h.mean(dim=0)


def sparse_kl_penalty(h: torch.Tensor, rho: float) -> torch.Tensor:
    """Ω(h) = Σ_j KL(ρ ‖ ρ̂_j), où ρ̂_j est l'activation moyenne de l'unité j sur le lot."""
    return bernoulli_kl(rho, mean_activation(h)).sum()


def l1_penalty(h: torch.Tensor) -> torch.Tensor:
    """Ω(h) = ‖h‖₁ moyenné sur le lot (pénalité issue d'une loi a priori de Laplace)."""
    if h.ndim != 2:
        raise ValueError(f"Codes de forme {tuple(h.shape)} : attendu (N, p).")
    return h.abs().sum(dim=1).mean()


# --- Auto-encodeurs contractifs --------------------------------------------------------------


def contractive_penalty_sigmoid(x: torch.Tensor, layer: nn.Linear) -> torch.Tensor:
    """‖J_f(x)‖_F² moyen pour f(x) = σ(Wx + b), en forme close (Rifai et al., 2011).

    J_f(x) = diag(h ⊙ (1 − h)) W, donc ‖J_f(x)‖_F² = Σ_j (h_j (1 − h_j))² Σ_i W_ji².
    """
    x = x.reshape(len(x), -1)
    if x.shape[1] != layer.in_features:
        raise ValueError(
            f"Entrée de forme {tuple(x.shape)} : attendu (N, {layer.in_features})."
        )
    h = torch.sigmoid(layer(x))
    row_norms = layer.weight.pow(2).sum(dim=1)  # Σ_i W_ji², une valeur par unité j
    return ((h * (1 - h)).pow(2) * row_norms).sum(dim=1).mean()


def contractive_penalty(encoder: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """‖J_f(x)‖_F² moyen pour un encodeur quelconque, par différentiation automatique.

    Coût : une jacobienne (p × n) par exemple ; à réserver aux petits lots ou aux vérifications.
    Le résultat reste dérivable par rapport aux paramètres de l'encodeur.
    """
    flat = x.reshape(len(x), -1)

    def single(v: torch.Tensor) -> torch.Tensor:
        return encoder(v.unsqueeze(0)).squeeze(0)

    jacobians = torch.func.vmap(torch.func.jacrev(single))(flat)
    return jacobians.pow(2).sum(dim=(1, 2)).mean()


# --- Auto-encodeurs variationnels ------------------------------------------------------------


def gaussian_kl_standard(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²), une valeur par exemple."""
    require_same_shape(mu, logvar, "mu et logvar")
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)


def reparameterize(
    mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Tirage h = μ + σ ⊙ ε avec ε ~ N(0, I) : dérivable par rapport à μ et à log σ²."""
    require_same_shape(mu, logvar, "mu et logvar")
    if generator is None:
        eps = torch.randn_like(mu)
    else:  # générateur sur le CPU : tirage sur le CPU puis transfert (GPU compris)
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype).to(mu.device)
    return mu + torch.exp(0.5 * logvar) * eps


def bernoulli_nll(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """−log p(x | h) pour un décodeur de Bernoulli de logits ``logits``, en nats, une valeur par image."""
    require_same_shape(logits, x, "logits et x")
    if x.min() < 0 or x.max() > 1:
        raise ValueError("Le décodeur de Bernoulli demande des pixels dans [0, 1].")
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(dim=1)


def gaussian_nll(mean: torch.Tensor, x: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """−log N(x ; mean, σ² I) en nats, une valeur par image."""
    require_same_shape(mean, x, "mean et x")
    if not sigma > 0:
        raise ValueError(f"L'écart-type sigma doit être strictement positif (reçu : {sigma}).")
    n = x[0].numel()
    squared = (x - mean).pow(2).flatten(1).sum(dim=1)
    return 0.5 * squared / sigma**2 + 0.5 * n * math.log(2 * math.pi * sigma**2)


def negative_elbo(
    x: torch.Tensor,
    decoder_output: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    likelihood: str = "bernoulli",
    beta: float = 1.0,
    sigma: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """−ELBO moyen sur le lot, en nats par image : renvoie (total, reconstruction, KL).

    ``decoder_output`` est le vecteur de logits (Bernoulli) ou la moyenne (gaussienne) du décodeur
    pour un tirage h ~ q(h | x) ; le total vaut reconstruction + β · KL.
    """
    require_nonnegative("Le poids beta", beta)
    if likelihood == "bernoulli":
        reconstruction = bernoulli_nll(decoder_output, x)
    elif likelihood == "gaussian":
        reconstruction = gaussian_nll(decoder_output, x, sigma)
    else:
        raise ValueError(f"Vraisemblance inconnue {likelihood!r} : 'bernoulli' ou 'gaussian'.")
    kl = gaussian_kl_standard(mu, logvar)
    if len(kl) != len(reconstruction):
        raise ValueError(f"Tailles de lot différentes : {len(reconstruction)} images, {len(kl)} codes.")
    return (reconstruction + beta * kl).mean(), reconstruction.mean(), kl.mean()


# --- Qualité de reconstruction ---------------------------------------------------------------


def psnr(x: torch.Tensor, y: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """PSNR par image, en dB : 10 log10(range² / MSE), une valeur par image du lot."""
    require_same_shape(x, y, "x et y")
    mse = (x - y).pow(2).flatten(1).mean(dim=1)
    return 10 * torch.log10(data_range**2 / mse.clamp_min(1e-12))


def mean_ssim(x: torch.Tensor, y: torch.Tensor, data_range: float = 1.0) -> float:
    """SSIM moyen (scikit-image) entre deux lots d'images (N, 1, H, W) ou (N, H, W)."""
    require_same_shape(x, y, "x et y")
    a = x.detach().cpu().reshape(-1, *x.shape[-2:]).numpy().astype(np.float64)
    b = y.detach().cpu().reshape(-1, *y.shape[-2:]).numpy().astype(np.float64)
    return float(np.mean([structural_similarity(u, v, data_range=data_range) for u, v in zip(a, b)]))
