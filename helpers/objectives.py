"""Fonctions objectif ``(model, x) -> perte`` pour :func:`helpers.train.fit`.

Chacune est construite par une fabrique qui vérifie les hyperparamètres et renvoie un
``functools.partial`` (dont la description sert de clé au cache des modèles).
"""

from __future__ import annotations

from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from .data import add_gaussian_noise, check_noise_level
from .losses import (
    check_probability,
    check_weight,
    contractive_penalty,
    contractive_penalty_sigmoid,
    l1_penalty,
    negative_elbo,
    sparse_kl_penalty,
)


def _reconstruct(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    h = model.encode(x)
    return h, model.decode(h).reshape(x.shape)


def _sparse_kl(model, x, *, rho, beta):
    h, x_hat = _reconstruct(model, x)
    return F.mse_loss(x_hat, x) + beta * sparse_kl_penalty(h, rho)


def _sparse_l1(model, x, *, beta):
    h, x_hat = _reconstruct(model, x)
    return F.mse_loss(x_hat, x) + beta * l1_penalty(h)


def _contractive(model, x, *, beta):
    h, x_hat = _reconstruct(model, x)
    return F.mse_loss(x_hat, x) + beta * contractive_penalty(model.encode, x)


def _contractive_sigmoid(model, x, *, beta):
    h, x_hat = _reconstruct(model, x)
    return F.mse_loss(x_hat, x) + beta * contractive_penalty_sigmoid(x, model.encoder[0])


def _denoising(model, x, *, sigma, clip):
    return F.mse_loss(model(add_gaussian_noise(x, sigma, clip=clip)), x)


def _vae(model, x, *, beta):
    logits, mu, logvar = model(x)
    return negative_elbo(x.flatten(1), logits, mu, logvar, beta=beta)[0]


def sparse_kl_objective(rho: float, beta: float):
    """MSE + β Σ_j KL(ρ ‖ ρ̂_j) (code à valeurs dans [0, 1], par exemple sigmoïde)."""
    check_probability("rho", rho)
    check_weight("beta", beta)
    return partial(_sparse_kl, rho=rho, beta=beta)


def sparse_l1_objective(beta: float):
    """MSE + β ‖h‖₁ moyen."""
    check_weight("beta", beta)
    return partial(_sparse_l1, beta=beta)


def contractive_objective(beta: float):
    """MSE + β ‖J_f(x)‖_F² moyen (jacobienne de l'encodeur par différentiation automatique)."""
    check_weight("beta", beta)
    return partial(_contractive, beta=beta)


def contractive_sigmoid_objective(beta: float):
    """MSE + β ‖J_f(x)‖_F² en forme close, pour un encodeur à une couche sigmoïde
    (``model.encoder`` = Linear puis Sigmoid) : bien moins coûteux que la jacobienne générale."""
    check_weight("beta", beta)
    return partial(_contractive_sigmoid, beta=beta)


def denoising_objective(sigma: float, clip: bool = True):
    """MSE entre x et la reconstruction de x̃ = x + σ ε (bruit retiré à chaque appel)."""
    check_noise_level(sigma)
    return partial(_denoising, sigma=sigma, clip=clip)


def vae_objective(beta: float = 1.0):
    """−ELBO (décodeur de Bernoulli) en nats par image, KL pondérée par β."""
    check_weight("beta", beta)
    return partial(_vae, beta=beta)
