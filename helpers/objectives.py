"""Fonctions objectif ``(model, x) -> perte`` pour :func:`helpers.train.fit`.

Chacune est un petit objet figé qui porte ses hyperparamètres, vérifiés à la création ; son
``repr`` (par exemple ``SparseKLObjective(rho=0.05, beta=0.001)``) décrit exactement la perte,
ce qui en fait une clé sûre pour le cache des modèles (:func:`helpers.checkpoints.fit_cached`).

Un objectif s'appelle comme une fonction : ``objective(model, x)`` renvoie un tenseur scalaire
dérivable, moyenne sur le lot ``x`` d'images (N, 1, 28, 28) ou (N, n) déjà placé sur le
périphérique du modèle. « MSE » y désigne l'erreur quadratique moyenne par pixel entre x et sa
reconstruction. Sauf :class:`DenoisingObjective`, :class:`MaskingObjective`,
:class:`SuperResolutionObjective` et :class:`VAEObjective`, qui appellent ``model``, les objectifs
passent par ``model.encode`` et ``model.decode`` (ceux d'un
:class:`~helpers.models.DenseAutoencoder`, par exemple). Un hyperparamètre invalide lève
``ValueError`` dès la création.

Exemple : ::

    fit_cached("tp4-l1", model, x_train, epochs=EPOCHS, loss=SparseL1Objective(beta))
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .data import add_gaussian_noise, downsample, hide_squares
from .losses import (
    contractive_penalty,
    contractive_penalty_sigmoid,
    l1_penalty,
    negative_elbo,
    sparse_kl_penalty,
)
from .validation import require_nonnegative, require_positive_int, require_probability


def _code_and_reconstruction(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    h = model.encode(x)
    return h, model.decode(h).reshape(x.shape)


@dataclass(frozen=True)
class SparseKLObjective:
    """MSE + β Σ_j KL(ρ ‖ ρ̂_j) (code à valeurs dans [0, 1], par exemple sigmoïde).

    La pénalité est celle de :func:`helpers.losses.sparse_kl_penalty`, sur les codes du lot.

    Attributs :

    - ``rho`` : activation moyenne visée ρ, strictement comprise entre 0 et 1 ;
    - ``beta`` : poids β ≥ 0 de la pénalité.

    Un code qui sort de [0, 1] lève ``ValueError`` à l'appel.
    """

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
    """MSE + β ‖h‖₁ moyen (pénalité de parcimonie :func:`helpers.losses.l1_penalty`).

    Attributs :

    - ``beta`` : poids β ≥ 0 de la pénalité.
    """

    beta: float

    def __post_init__(self):
        require_nonnegative("Le poids beta", self.beta)

    def __call__(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        h, x_hat = _code_and_reconstruction(model, x)
        return F.mse_loss(x_hat, x) + self.beta * l1_penalty(h)


@dataclass(frozen=True)
class ContractiveObjective:
    """MSE + β ‖J_f(x)‖_F² moyen (jacobienne de l'encodeur par différentiation automatique).

    La pénalité est celle de :func:`helpers.losses.contractive_penalty`, coûteuse : une jacobienne
    (p × n) par exemple.

    Attributs :

    - ``beta`` : poids β ≥ 0 de la pénalité.
    """

    beta: float

    def __post_init__(self):
        require_nonnegative("Le poids beta", self.beta)

    def __call__(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        _, x_hat = _code_and_reconstruction(model, x)
        return F.mse_loss(x_hat, x) + self.beta * contractive_penalty(model.encode, x)


@dataclass(frozen=True)
class ContractiveSigmoidObjective:
    """MSE + β ‖J_f(x)‖_F² en forme close, pour un encodeur à une seule couche sigmoïde.

    ``model.encoder`` doit être Linear puis Sigmoid ; bien moins coûteux que la jacobienne
    générale.

    La pénalité, moyenne sur le lot, est celle de
    :func:`helpers.losses.contractive_penalty_sigmoid`.

    Attributs :

    - ``beta`` : poids β ≥ 0 de la pénalité.

    Un autre encodeur lève ``ValueError`` à l'appel ; celui qui convient est celui de
    ``DenseAutoencoder(p, hidden=(), code_activation="sigmoid")``.
    """

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
    """MSE entre x et la reconstruction de l'image bruitée x̃ = x + σ ε (auto-encodeur débruiteur).

    Un bruit neuf est tiré à chaque appel, par :func:`helpers.data.add_gaussian_noise` avec le
    générateur global de PyTorch ; x̃ est ramené dans [0, 1] si ``clip``.

    Attributs :

    - ``sigma`` : écart type σ ≥ 0 du bruit ;
    - ``clip`` : ramène x̃ dans [0, 1] (par défaut ``True``).
    """

    sigma: float
    clip: bool = True

    def __post_init__(self):
        require_nonnegative("L'écart-type du bruit sigma", self.sigma)

    def __call__(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(model(add_gaussian_noise(x, self.sigma, clip=self.clip)), x)


@dataclass(frozen=True)
class MaskingObjective:
    """MSE entre x et la reconstruction de l'image dont un carré est caché (débruitage par masquage).

    À chaque appel, :func:`helpers.data.hide_squares` cache un carré neuf de chaque image, avec le
    générateur global de PyTorch ; la perte compare la sortie à l'image entière.

    Attributs :

    - ``size`` : côté du carré caché, de 1 à 20 pixels ;
    - ``fill`` : valeur des pixels cachés (gris moyen par défaut).
    """

    size: int = 10
    fill: float = 0.5

    def __post_init__(self):
        require_positive_int("size", self.size)
        if self.size > 20:
            raise ValueError(f"Carré de côté {self.size} : au plus 20 pixels.")

    def __call__(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        masked, _ = hide_squares(x.reshape(len(x), 1, 28, 28), self.size, self.fill)
        return F.mse_loss(model(masked).reshape(x.shape), x)


@dataclass(frozen=True)
class SuperResolutionObjective:
    """MSE entre x et ce que le modèle reconstruit de sa version en basse résolution.

    La basse résolution est :func:`helpers.data.downsample` (moyenne de chaque bloc
    ``factor`` × ``factor``) : le modèle, par exemple un
    :class:`~helpers.models.SuperResolutionNet`, s'entraîne sur les seules images en haute
    résolution. ``x`` : images (N, 1, H, W).

    Attributs :

    - ``factor`` : facteur de réduction de la basse résolution.
    """

    factor: int = 2

    def __post_init__(self):
        require_positive_int("factor", self.factor)

    def __call__(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(model(downsample(x, self.factor)), x)


@dataclass(frozen=True)
class VAEObjective:
    """−ELBO (décodeur de Bernoulli) en nats par image, KL pondérée par β.

    Pour un :class:`~helpers.models.VAE` : ``model(x)`` donne (logits, μ, log σ²) pour un tirage
    de h ; la perte est le total de :func:`helpers.losses.negative_elbo`, moyenne sur le lot. Pour
    un VAE conditionnel, entraîné par ``fit(..., targets=étiquettes)``, la perte reçoit aussi les
    étiquettes ``y`` et c'est ``model(x, y)`` : −ELBO conditionnelle, borne de −log p_θ(x | y).

    Attributs :

    - ``beta`` : poids β ≥ 0 du terme KL (par défaut 1 : l'ELBO ; autre valeur : β-VAE).
    """

    beta: float = 1.0

    def __post_init__(self):
        require_nonnegative("Le poids beta", self.beta)

    def __call__(self, model: nn.Module, x: torch.Tensor,
                 y: torch.Tensor | None = None) -> torch.Tensor:
        logits, mu, logvar = model(x, y)
        return negative_elbo(x.flatten(1), logits, mu, logvar, beta=self.beta)[0]

