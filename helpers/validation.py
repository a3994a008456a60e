"""Validation des arguments : une ``ValueError`` en français, qui dit quoi corriger, plutôt qu'un
calcul absurde ou une erreur obscure plus loin.

Chaque fonction ne renvoie rien si l'argument convient et lève ``ValueError`` sinon ; ``name``
est le nom de l'argument tel que le message d'erreur l'affiche.
"""

from __future__ import annotations

import math

import torch

PIXEL_LIMIT = 10.0  # au-delà, une entrée est sans doute à l'échelle [0, 255]


def require_positive_int(name: str, value) -> None:
    """Vérifie que ``value`` est un entier strictement positif (un booléen est refusé).

    Lève : ``ValueError`` sinon.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} doit être un entier strictement positif (reçu : {value!r}).")


def require_nonnegative(name: str, value) -> None:
    """Vérifie un poids de pénalité (β…) ou un écart-type de bruit (σ) : un réel positif ou nul.

    Lève : ``ValueError`` si ``value`` n'est pas un ``int`` ou un ``float`` fini et ≥ 0.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} doit être un réel positif ou nul (reçu : {value!r}).")


def require_probability(name: str, value) -> None:
    """Vérifie une probabilité cible (ρ) : un réel strictement compris entre 0 et 1.

    Lève : ``ValueError`` sinon.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < value < 1.0:
        raise ValueError(f"{name} doit être strictement compris entre 0 et 1 (reçu : {value!r}).")


def require_learning_rate(lr) -> None:
    """Vérifie un taux d'apprentissage (ou un pas) ``lr`` : un réel fini strictement positif.

    Lève : ``ValueError`` sinon.
    """
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not (math.isfinite(lr) and lr > 0):
        raise ValueError(
            f"Le taux d'apprentissage lr doit être un réel strictement positif (reçu : {lr!r})."
        )


def require_same_shape(a: torch.Tensor, b: torch.Tensor, names: str) -> None:
    """Vérifie que les tenseurs ``a`` et ``b`` ont la même forme.

    ``names`` les désigne dans le message d'erreur (par exemple ``"x et y"``).

    Lève : ``ValueError`` si les formes diffèrent.
    """
    if a.shape != b.shape:
        raise ValueError(f"Formes incompatibles pour {names} : {tuple(a.shape)} et {tuple(b.shape)}.")


def require_float(x: torch.Tensor) -> None:
    """Vérifie que ``x`` contient des flottants : refuse les entrées entières (images ``uint8``…).

    Lève : ``ValueError`` pour un tenseur d'entiers (ou de booléens).
    """
    if not x.is_floating_point():
        raise ValueError(
            f"Entrée de type {x.dtype} : convertissez les images en flottants dans [0, 1] "
            "(par exemple x.float() / 255)."
        )


def require_pixels(x: torch.Tensor) -> None:
    """Vérifie que ``x`` contient des pixels flottants dans [0, 1], pas à l'échelle [0, 255].

    Des valeurs un peu hors de [0, 1] restent admises (images centrées, bruit non ramené dans
    [0, 1]) ; au-delà de ``PIXEL_LIMIT`` (10), ce sont presque sûrement des pixels dans [0, 255].

    Lève : ``ValueError`` pour des entiers ou si le maximum dépasse ``PIXEL_LIMIT``.
    """
    require_float(x)
    if x.numel() and x.max() > PIXEL_LIMIT:
        raise ValueError(
            f"Entrée de valeur maximale {x.max().item():g} : les pixels doivent être dans [0, 1] "
            "et non dans [0, 255]. Divisez les images par 255 (x / 255)."
        )
