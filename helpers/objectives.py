"""Fonctions objectif ``(model, x) -> perte`` pour :func:`helpers.train.fit`.

Chacune est un petit objet figé qui porte ses hyperparamètres, vérifiés à la création ; son
``repr`` (par exemple ``SparseKLObjective(rho=0.05, beta=0.001)``) décrit exactement la perte,
ce qui en fait une clé sûre pour le cache des modèles (:func:`helpers.checkpoints.fit_cached`).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .data import add_gaussian_noise
from .losses import (
    contractive_penalty,
    contractive_penalty_sigmoid,
    l1_penalty,
    negative_elbo,
    sparse_kl_penalty,
)
from .validation import require_nonnegative, require_probability


def _code_and_reconstruction(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    h = model.encode(x)
    return h, model.decode(h).reshape(x.shape)


@dataclass(frozen=True)
class SparseKLObjective:
    """MSE + β Σ_j KL(ρ ‖ ρ̂_j) (code à valeurs dans [0, 1], par exemple sigmoïde)."""

    rho: float
    beta: float

    def __post_init__(self):
        require_probability("rho", self.rho)
        require_nonnegative("Le poids beta", self.beta)

    def __call__(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        h, x_hat = _code_and_reconstruction(model, x)
        return F.mse_loss(x_hat, x) + self.beta * sparse_kl_penalty(h, self.rho)


@dataclass(frozen=True)
class SparseL1Objective:
    """MSE + β ‖h‖₁ moyen."""

    beta: float

    def __post_init__(self):
        require_nonnegative("Le poids beta", self.beta)

    def __call__(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        h, x_hat = _code_and_reconstruction(model, x)
        return F.mse_loss(x_hat, x) + self.beta * l1_penalty(h)


@dataclass(frozen=True)
class ContractiveObjective:
    """MSE + β ‖J_f(x)‖_F² moyen (jacobienne de l'encodeur par différentiation automatique)."""

    beta: float

    def __post_init__(self):
        require_nonnegative("Le poids beta", self.beta)

    def __call__(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        _, x_hat = _code_and_reconstruction(model, x)
        return F.mse_loss(x_hat, x) + self.beta * contractive_penalty(model.encode, x)


@dataclass(frozen=True)
class ContractiveSigmoidObjective:
    """MSE + β ‖J_f(x)‖_F² en forme close, pour un encodeur à une seule couche sigmoïde
    (``model.encoder`` = Linear puis Sigmoid) : bien moins coûteux que la jacobienne générale."""

    beta: float

    def __post_init__(self):
        require_nonnegative("Le poids beta", self.beta)

    def __call__(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        layers = list(getattr(model, "encoder", []))
        if len(layers) != 2 or not isinstance(layers[0], nn.Linear) or \
                not isinstance(layers[1], nn.Sigmoid):
            raise ValueError(
                "La forme close de la pénalité contractive suppose un encodeur à une seule couche "
                f"sigmoïde (Linear puis Sigmoid) ; celui-ci a {len(layers)} couches. Utilisez "
                "ContractiveObjective (jacobienne par différentiation automatique), ou un "
                "auto-encodeur DenseAutoencoder(p, hidden=(), code_activation='sigmoid')."
            )
        _, x_hat = _code_and_reconstruction(model, x)
        return F.mse_loss(x_hat, x) + self.beta * contractive_penalty_sigmoid(x, layers[0])


@dataclass(frozen=True)
class DenoisingObjective:
    """MSE entre x et la reconstruction de x̃ = x + σ ε (un bruit neuf à chaque appel), ramené
    dans [0, 1] si ``clip``."""

    sigma: float
    clip: bool = True

    def __post_init__(self):
        require_nonnegative("L'écart-type du bruit sigma", self.sigma)

    def __call__(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(model(add_gaussian_noise(x, self.sigma, clip=self.clip)), x)


@dataclass(frozen=True)
class VAEObjective:
    """−ELBO (décodeur de Bernoulli) en nats par image, KL pondérée par β."""

    beta: float = 1.0

    def __post_init__(self):
        require_nonnegative("Le poids beta", self.beta)

    def __call__(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        logits, mu, logvar = model(x)
        return negative_elbo(x.flatten(1), logits, mu, logvar, beta=self.beta)[0]

