"""Vérifications des exercices du TP 4 (auto-encodeurs régularisés et débruitage).

Chaque pénalité est vérifiée deux fois : sa valeur sur plusieurs lots (plusieurs ρ, plusieurs
couches), puis son gradient, car c'est un terme de la perte. Comme dans le notebook, les couches et
les modèles sont sur ``device`` ; les images de la sensibilité et du bruitage restent sur le CPU,
comme ``x_test``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .. import config
from ..data import add_gaussian_noise
from ..losses import (bernoulli_kl, contractive_penalty, contractive_penalty_sigmoid, l1_penalty,
                      sparse_kl_penalty)
from ..models import DenseAutoencoder
from .core import DELEGATION, Mistake, WrongAnswer, exercise_check, expect, fresh, seeded

__all__ = ["check_sparse_kl_penalty", "check_l1_penalty", "check_closed_form_penalty",
           "check_sensitivity", "check_corrupt"]

# --- Dérivabilité des pénalités --------------------------------------------------------------


def _gradients(value, leaves: list[torch.Tensor]) -> tuple[torch.Tensor, ...]:
    """Le gradient de ``value`` par rapport à chacun des ``leaves`` ; des zéros là où le graphe de
    calcul ne les relie pas (valeur détachée, nombre Python, tableau NumPy)."""
    if isinstance(value, torch.Tensor) and value.requires_grad:
        grads = torch.autograd.grad(value.sum(), leaves, allow_unused=True)
    else:
        grads = (None,) * len(leaves)
    return tuple(torch.zeros_like(leaf) if g is None else g for leaf, g in zip(leaves, grads))


def _expect_differentiable(answer, reference, cases, *, leaves, wrt: str, detach=None) -> None:
    """La pénalité a déjà la bonne valeur : son gradient par rapport aux tenseurs
    ``leaves(arguments)`` doit aussi être le bon. L'erreur typique est la valeur juste détachée du
    graphe : celle de ``detach`` (par défaut la référence), une réponse permise."""
    detach = detach or reference

    def run(function, case):
        arguments = fresh(case)
        return _gradients(function(*arguments), leaves(arguments))

    expect(answer, reference, cases, run=run, mistakes=[
        Mistake(lambda *arguments: detach(*arguments).item(),
                f"La pénalité a la bonne valeur, mais elle n'est pas dérivable par rapport à "
                f"{wrt} : c'est un terme de la perte, elle doit rester un tenseur torch relié au "
                "graphe de calcul (pas de .item(), de float() ni de NumPy, pas de "
                "torch.no_grad())."),
    ], otherwise=f"La pénalité a la bonne valeur, mais pas le bon gradient par rapport à {wrt} : "
                 "tout le calcul doit rester en opérations torch, relié au graphe de calcul.")


# --- Pénalité de Kullback–Leibler ------------------------------------------------------------


def _bernoulli_kl(p, q, *, terms=2):
    """KL(p ‖ q) entre lois de Bernoulli, terme à terme (``terms=1`` : sans le second terme)."""
    first = p * torch.log(p / q)
    return first if terms == 1 else first + (1 - p) * torch.log((1 - p) / (1 - q))


def _sparse_kl(h, rho, *, over=0, reverse=False, terms=2, reduce=torch.sum, base=math.e):
    """La pénalité Σ_j KL(ρ ‖ ρ̂_j) et ses variantes fautives : ρ̂ moyenné sur l'axe ``over``
    (``None`` : chaque activation h_ij), divergence inversée ou privée de son second terme,
    divergences réduites par ``reduce``, logarithme de base ``base``."""
    rho_hat = h if over is None else h.mean(dim=over)
    rho = torch.as_tensor(rho, dtype=h.dtype)
    kl = _bernoulli_kl(rho_hat, rho) if reverse else _bernoulli_kl(rho, rho_hat, terms=terms)
    return reduce(kl) / math.log(base)


def _codes(n: int, p: int, seed: int) -> torch.Tensor:
    """Un lot de n codes de taille p dans ]0,05 ; 0,95[, dérivable, sur le CPU comme
    ``encode(model, x_test)``."""
    generator = torch.Generator().manual_seed(seed)
    return (0.05 + 0.9 * torch.rand(n, p, generator=generator)).requires_grad_()


@exercise_check(forbidden=[sparse_kl_penalty, bernoulli_kl])
def check_sparse_kl_penalty(sparse_kl_penalty) -> str:
    """``sparse_kl_penalty(h, rho)`` : Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j activation moyenne de l'unité j."""
    cases = [(_codes(6, 4, 0), 0.1), (_codes(9, 5, 1), 0.05), (_codes(4, 7, 2), 0.3)]
    expect(sparse_kl_penalty, _sparse_kl, cases, what="La pénalité renvoyée", mistakes=[
        Mistake(lambda h, rho: _sparse_kl(h, rho, reverse=True),
                "Vous calculez KL(ρ̂ ‖ ρ) : la divergence n'est pas symétrique, il faut "
                "KL(ρ ‖ ρ̂_j), la cible ρ en premier."),
        Mistake(lambda h, rho: _sparse_kl(h, rho, over=None, reduce=lambda kl: kl.sum(1).mean()),
                "Vous faites la moyenne sur le lot des divergences de chaque activation h_ij : la "
                "pénalité porte sur l'activation moyenne ρ̂_j de chaque unité, calculée d'abord."),
        Mistake(lambda h, rho: _sparse_kl(h, rho, over=None),
                "Vous sommez les divergences de chaque activation h_ij : la pénalité porte sur "
                "l'activation moyenne ρ̂_j de chaque unité, calculée d'abord."),
        Mistake(lambda h, rho: _sparse_kl(h, rho, over=None, reduce=lambda kl: kl.sum(dim=1)),
                "La fonction renvoie une valeur par exemple (les divergences de ses activations "
                "h_ij) : la pénalité est un seul nombre, calculé à partir des activations moyennes "
                "ρ̂_j sur le lot."),
        Mistake(lambda h, rho: _sparse_kl(h, rho, over=1),
                "Les activations moyennes sont calculées sur le mauvais axe : ρ̂_j est la moyenne "
                "de l'unité j sur les exemples du lot (première dimension de h)."),
        Mistake(lambda h, rho: _sparse_kl(h, rho, over=(0, 1)),
                "Vous prenez une seule activation moyenne, sur tout le lot et toutes les unités : "
                "il en faut une par unité j, ρ̂_j, moyenne sur les exemples (première dimension "
                "de h)."),
        Mistake(lambda h, rho: _sparse_kl(h, rho, reduce=torch.mean),
                "Vous faites la moyenne des divergences des p unités : la pénalité est leur "
                "somme."),
        Mistake(lambda h, rho: _sparse_kl(h, rho, reduce=lambda kl: kl),
                "La fonction renvoie une divergence par unité : la pénalité est leur somme."),
        Mistake(lambda h, rho: _sparse_kl(h, rho, terms=1),
                "Il manque le second terme de la divergence, (1 − ρ) log((1 − ρ)/(1 − ρ̂)) : celui "
                "de l'événement « l'unité est éteinte »."),
        Mistake(lambda h, rho: F.binary_cross_entropy(h.mean(dim=0),
                                                      torch.full((h.shape[1],), float(rho)),
                                                      reduction="sum"),
                "Vous calculez l'entropie croisée entre ρ et ρ̂_j (F.binary_cross_entropy) : elle "
                "dépasse KL(ρ ‖ ρ̂_j) de l'entropie de ρ. La pénalité est la divergence elle-même."),
        Mistake(lambda h, rho: _sparse_kl(h, rho, base=2),
                "La pénalité est en logarithme de base 2 : utilisez le logarithme népérien "
                "(torch.log)."),
        Mistake(lambda h, rho: _sparse_kl(h, rho, base=10),
                "La pénalité est en logarithme décimal : utilisez le logarithme népérien "
                "(torch.log)."),
    ], otherwise=lambda case, got, want: (
        f"Avec rho={case[1]}, sur un lot de codes de forme {tuple(case[0].shape)}, votre pénalité "
        f"vaut {float(got):.5f} : ce n'est pas Σ_j KL(ρ ‖ ρ̂_j). Vérifiez ρ̂_j (moyenne sur le "
        "lot), la formule de la divergence entre lois de Bernoulli, puis la somme sur les "
        "unités."))
    _expect_differentiable(sparse_kl_penalty, _sparse_kl, cases, leaves=lambda args: [args[0]],
                           wrt="h")
    return "Pénalité juste et dérivable sur trois lots, pour trois valeurs de ρ."


# --- Pénalité ℓ1 -----------------------------------------------------------------------------


def _l1(h):
    """La référence : la norme ℓ1 de chaque code, moyennée sur le lot."""
    return torch.linalg.vector_norm(h, ord=1, dim=1).mean()


@exercise_check(forbidden=[l1_penalty])
def check_l1_penalty(l1_penalty) -> str:
    """``l1_penalty(h)`` : ‖h_i‖₁ moyen sur le lot."""
    # Des coordonnées négatives : la pénalité est définie pour tout code, pas seulement ReLU.
    cases = [(torch.randn(n, p, generator=torch.Generator().manual_seed(seed)).requires_grad_(),)
             for n, p, seed in [(5, 3, 0), (8, 4, 1), (3, 6, 2)]]
    expect(l1_penalty, _l1, cases, what="La pénalité renvoyée", mistakes=[
        Mistake(lambda h: h.abs().sum(),
                "Vous renvoyez la somme des normes sur le lot : la pénalité est leur moyenne sur "
                "les exemples (elle ne doit pas dépendre de la taille du lot)."),
        Mistake(lambda h: h.abs().mean(),
                "Vous faites la moyenne de toutes les coordonnées : il faut sommer les |h_ij| de "
                "chaque code (la norme ℓ1), puis faire la moyenne sur les exemples seulement."),
        Mistake(lambda h: h.abs().sum(dim=0).mean(),
                "La somme et la moyenne sont prises sur les mauvais axes : la norme ℓ1 somme les "
                "coordonnées d'un code (dimension 1), la moyenne porte sur les exemples "
                "(dimension 0)."),
        Mistake(lambda h: h.sum(dim=1).mean(),
                "Il manque les valeurs absolues : ‖h‖₁ = Σ_j |h_j|. Sur un code ReLU cela ne "
                "change rien, mais la pénalité doit être juste pour tout code."),
        Mistake(lambda h: h.sum(dim=1).abs().mean(),
                "La valeur absolue est prise après la somme des coordonnées : ‖h‖₁ = Σ_j |h_j|, "
                "la valeur absolue de chaque coordonnée d'abord."),
        Mistake(lambda h: h.pow(2).sum(dim=1).mean(),
                "Vous calculez le carré de la norme euclidienne (pénalité issue d'une loi a priori "
                "gaussienne) : il faut la norme ℓ1, somme des valeurs absolues."),
        Mistake(lambda h: h.norm(dim=1).mean(),
                "Vous calculez la norme euclidienne ℓ2 : il faut la norme ℓ1, somme des valeurs "
                "absolues."),
        Mistake(lambda h: h.abs().sum(dim=1),
                "La fonction renvoie une norme par exemple : la pénalité est leur moyenne sur le "
                "lot, un seul nombre."),
        Mistake(lambda h: h.abs().mean(dim=0),
                "La fonction renvoie une valeur par coordonnée du code : la pénalité est un seul "
                "nombre, la norme ℓ1 de chaque code moyennée sur le lot."),
    ], otherwise=lambda case, got, want: (
        f"Sur un lot de codes de forme {tuple(case[0].shape)}, votre pénalité vaut "
        f"{float(got):.5f} : ce n'est pas la norme ℓ1 de chaque code moyennée sur le lot."))
    _expect_differentiable(l1_penalty, _l1, cases, leaves=lambda args: [args[0]], wrt="h")
    return "Pénalité ℓ1 juste et dérivable sur trois lots de codes."


# --- Pénalité contractive en forme close ------------------------------------------------------

_N_INPUTS = 12  # le même n pour toutes les couches : chaque lot convient à chaque couche

# La différentiation automatique calcule la jacobienne sans la forme close demandée.
_AUTOGRAD = dict.fromkeys(
    [contractive_penalty, torch.func.jacrev, torch.func.jacfwd, torch.autograd.functional.jacobian,
     torch.autograd.grad, torch.autograd.backward],
    "Votre fonction appelle {name}, qui calcule la jacobienne par différentiation automatique : "
    "l'exercice demande la forme close, sans différentiation automatique. Écrivez le calcul "
    "vous-même à partir des activations h et des lignes de W.")


def _jacobian_penalty(x, layer):
    """La référence, sans la forme close : les jacobiennes de f(x) = σ(W x + b), exemple par
    exemple, par différentiation automatique."""
    def encoder(v):
        return torch.sigmoid(layer(v))

    jacobians = torch.func.vmap(torch.func.jacrev(encoder))(x.reshape(len(x), -1))
    return jacobians.pow(2).sum(dim=(1, 2)).mean()


def _closed_form(x, layer, *, power=2, norms=lambda w: w.pow(2).sum(dim=1), activation=True,
                 bias=True, reduce=lambda terms: terms.sum(dim=1).mean()):
    """La forme close et ses variantes fautives : puissance de h_j(1 − h_j), normes tirées de W,
    activation ou pré-activation, biais, réduction du tableau (N, p) des termes."""
    x = x.reshape(len(x), -1)
    a = layer(x) if bias else x @ layer.weight.T
    h = torch.sigmoid(a) if activation else a
    return reduce((h * (1 - h)).pow(power) * norms(layer.weight))


def _layer(p: int, seed: int, scale: float) -> nn.Linear:
    """Une couche n → p sur ``device`` ; ``scale`` met des unités loin de la saturation comme près
    d'elle."""
    with seeded(seed):
        layer = nn.Linear(_N_INPUTS, p)
    with torch.no_grad():
        layer.weight.mul_(scale)
    return layer.to(config.device())


def _batch(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    """Des vecteurs (N, n) ou des images (N, 1, H, W), sur ``device`` comme le lot du notebook."""
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed)).to(config.device())


def _penalty_of(function, case):
    """La pénalité que renvoie ``function`` ; un appel à la différentiation automatique, ou un
    échec sur un lot ou une couche, est expliqué."""
    x, layer = fresh(case)
    try:
        return function(x, layer)
    except NotImplementedError:  # l'ébauche (⏳), un cas particulier de RuntimeError
        raise
    except (RuntimeError, IndexError) as error:
        size = f"nn.Linear({layer.in_features}, {layer.out_features})"
        failure = str(error).strip().splitlines()[0]
        if x.ndim > 2 and _succeeds(function, x.reshape(len(x), -1), layer):
            raise WrongAnswer(f"Sur un lot d'images de forme {tuple(x.shape)} et une couche "
                              f"{size}, votre fonction échoue ({failure}), mais pas sur les mêmes "
                              "images aplaties : aplatissez chaque image en un vecteur de taille n "
                              "avant de l'envoyer dans la couche.") from None
        kind = "de vecteurs" if x.ndim == 2 else "d'images"
        raise WrongAnswer(f"Sur un lot {kind} de forme {tuple(x.shape)} et une couche {size}, "
                          f"votre fonction échoue ({failure}) : elle doit accepter des vecteurs "
                          "(N, n) comme des images (N, 1, H, W), et des couches de tailles "
                          "quelconques.") from None


def _succeeds(function, x, layer) -> bool:
    try:
        function(x, layer)
    except (RuntimeError, IndexError):
        return False
    return True


def _closed_form_message(case, got, want) -> str:
    x, layer = case
    kind = "de vecteurs" if x.ndim == 2 else "d'images"
    return (f"Sur un lot {kind} de forme {tuple(x.shape)} et une couche nn.Linear("
            f"{layer.in_features}, {layer.out_features}), votre pénalité vaut {float(got):.5f} : "
            "ce n'est pas la moyenne sur le lot de Σ_j (h_j(1 − h_j))² ‖W_j,:‖².")


_CLOSED_FORM_MISTAKES = [
    Mistake(lambda x, layer: _closed_form(x, layer, power=1),
            "Le facteur h_j(1 − h_j) doit être élevé au carré : c'est la dérivée de la sigmoïde, "
            "et chaque coefficient de la jacobienne est mis au carré."),
    Mistake(lambda x, layer: _closed_form(x, layer, norms=lambda w: w.norm(dim=1)),
            "Les normes des lignes de W doivent être élevées au carré : ‖W_j,:‖² = Σ_i W_ji²."),
    Mistake(lambda x, layer: _closed_form(x, layer, norms=lambda w: w.pow(2).sum()),
            "Chaque terme (h_j(1 − h_j))² doit être multiplié par ‖W_j,:‖², le carré de la norme "
            "de la ligne j de W, pas par celui de la norme de toute la matrice."),
    Mistake(lambda x, layer: _closed_form(x, layer, activation=False),
            "Vous utilisez la pré-activation W x + b au lieu de l'activation h = σ(W x + b)."),
    Mistake(lambda x, layer: _closed_form(x, layer, bias=False),
            "Le biais b est oublié : les activations sont h = σ(W x + b)."),
    Mistake(lambda x, layer: _closed_form(x, layer, reduce=lambda terms: terms.sum()),
            "Vous sommez sur le lot : la pénalité est la moyenne de ‖J_f(x_i)‖²_F sur les "
            "exemples."),
    Mistake(lambda x, layer: _closed_form(x, layer, reduce=torch.mean),
            "Vous faites aussi la moyenne sur les unités du code : ‖J_f(x)‖²_F est une somme sur "
            "les unités j ; seule l'étape sur les exemples du lot est une moyenne."),
    Mistake(lambda x, layer: _closed_form(x, layer, reduce=lambda terms: terms.sum(dim=1)),
            "La fonction renvoie une valeur par exemple : la pénalité est leur moyenne sur le "
            "lot."),
    Mistake(lambda x, layer: _closed_form(x, layer, reduce=lambda terms: terms.mean(dim=0)),
            "La fonction renvoie une valeur par unité du code : ‖J_f(x)‖²_F est leur somme, "
            "moyennée ensuite sur le lot."),
]


@exercise_check(forbidden={contractive_penalty_sigmoid: DELEGATION, **_AUTOGRAD})
def check_closed_form_penalty(closed_form_penalty) -> str:
    """``closed_form_penalty(x, layer)`` : ‖J_f(x)‖²_F moyen pour f(x) = σ(W x + b), en forme
    close ; la couche et le lot sont sur ``device``, comme dans le notebook."""
    # Des couches carrées d'abord : une réponse qui prend les normes des colonnes de W au lieu de
    # celles des lignes y donne un nombre (et son message) ; sur les autres couches, elle échoue.
    square = [(_batch((4, _N_INPUTS), 0), _layer(_N_INPUTS, 0, 3.0)),
              (_batch((5, 1, 3, 4), 1), _layer(_N_INPUTS, 1, 1.5))]
    other = [(_batch((3, 1, 4, 3), 2), _layer(5, 2, 3.0)),
             (_batch((6, _N_INPUTS), 3), _layer(3, 3, 2.0))]
    expect(closed_form_penalty, _jacobian_penalty, square, run=_penalty_of,
           what="La pénalité renvoyée", otherwise=_closed_form_message, mistakes=[
        Mistake(lambda x, layer: _closed_form(x, layer, norms=lambda w: w.pow(2).sum(dim=0)),
                "Vous utilisez les normes des colonnes de W : il faut celles des lignes W_j,:, une "
                "par unité j du code (W a la forme p × n)."),
        *_CLOSED_FORM_MISTAKES])
    expect(closed_form_penalty, _jacobian_penalty, other, run=_penalty_of,
           what="La pénalité renvoyée", otherwise=_closed_form_message,
           mistakes=_CLOSED_FORM_MISTAKES)
    _expect_differentiable(closed_form_penalty, _jacobian_penalty, square[:1] + other[:1],
                           leaves=lambda args: list(args[1].parameters()),
                           wrt="la couche", detach=_closed_form)
    return ("Forme close juste (vecteurs et images, quatre couches) et dérivable par rapport aux "
            "paramètres de la couche.")


# --- Sensibilité du code ---------------------------------------------------------------------


def _sensitivity(model, images, radius=0.5, seed=0, *, draw="generator", normalise="image",
                 divide=True, axis=1, output="code"):
    """La sensibilité de référence, en float64 sur le CPU, et ses variantes fautives : tirage de ε
    sans le générateur, normalisation de tout le lot ou aucune, pas de division par radius, norme
    sur le mauvais axe, reconstruction au lieu du code."""
    model = model.to("cpu", torch.float64).eval()
    generator = torch.Generator().manual_seed(seed) if draw == "generator" else None
    noise = torch.randn(images.shape, generator=generator).double()
    if normalise == "image":
        noise = noise / noise.flatten(1).norm(dim=1)[:, None, None, None]
    elif normalise == "batch":
        noise = noise / noise.norm()
    x = images.double()
    f = model.encode if output == "code" else model
    with torch.no_grad():
        change = f(x + radius * noise) - f(x)
    norms = change.flatten(1).norm(dim=1) if axis == 1 else change.norm(dim=0)
    return (norms / (radius if divide else 1.0)).mean()


def _autoencoder(code_dim: int, hidden: tuple[int, ...], code_activation: str, scale: float,
                 seed: int) -> DenseAutoencoder:
    """Un petit auto-encodeur (12 pixels) sur ``device`` ; ``scale`` rend le code assez sensible
    pour distinguer les variantes."""
    with seeded(seed):
        model = DenseAutoencoder(code_dim, hidden=hidden, code_activation=code_activation,
                                 input_dim=12)
    with torch.no_grad():
        for weight in model.parameters():
            weight.mul_(scale)
    return model.to(config.device())


def _images(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    """Des images dans [0, 1] sur le CPU, comme ``x_test``."""
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


@exercise_check
def check_sensitivity(sensitivity) -> str:
    """``sensitivity(model, images, radius, seed)`` : moyenne de ‖f(x + δ) − f(x)‖ / radius ; le
    modèle est sur ``device``, les images sur le CPU, comme dans le notebook."""
    cases = [(_autoencoder(3, (8,), "sigmoid", 3.0, 0), _images((5, 1, 3, 4), 1), 0.25, 3),
             (_autoencoder(4, (), "sigmoid", 2.0, 1), _images((7, 1, 3, 4), 2), 0.5, 0),
             (_autoencoder(2, (6,), "tanh", 2.0, 2), _images((4, 1, 3, 4), 3), 1.0, 11)]
    expect(sensitivity, _sensitivity, cases,
           what="La sensibilité renvoyée", mistakes=[
        Mistake(lambda *a: _sensitivity(*a, divide=False),
                "La valeur est la variation moyenne du code, sans la division par radius, la norme "
                "de la perturbation."),
        Mistake(lambda *a: _sensitivity(*a, normalise="batch"),
                "Les perturbations sont normalisées toutes ensemble : chaque δ_i doit avoir la "
                "norme radius, normalisez image par image."),
        Mistake(lambda *a: _sensitivity(*a, normalise=None),
                "Les perturbations ne sont pas normalisées : δ_i = radius · ε_i / ‖ε_i‖ a "
                "exactement la norme radius, alors que radius · ε_i est bien plus grand."),
        Mistake(lambda *a: _sensitivity(*a, axis=0),
                "La norme du changement de code est prise sur le mauvais axe : elle se calcule "
                "pour chaque image, sur les p coordonnées de son code (dimension 1)."),
        Mistake(lambda *a: _sensitivity(*a, output="reconstruction"),
                "Vous mesurez la sensibilité de la reconstruction model(x) : il s'agit de celle du "
                "code f(x), donné par encode(model, x)."),
        Mistake(lambda *a: _sensitivity(*a, draw="global"),
                "Les perturbations sont tirées sans le générateur demandé : ε doit être "
                "torch.randn(images.shape, generator=torch.Generator().manual_seed(seed)), pour "
                "que la mesure soit reproductible."),
    ], otherwise=lambda case, got, want: (
        f"Avec radius={case[2]} et seed={case[3]}, votre sensibilité vaut {float(got):.5f}, "
        "pas la valeur attendue. Vérifiez le tirage de ε (torch.randn(images.shape, "
        "generator=torch.Generator().manual_seed(seed))), la normalisation de δ_i image par "
        "image, puis la moyenne de ‖f(x_i + δ_i) − f(x_i)‖ / radius."))
    return "Sensibilité juste sur trois petits modèles, pour trois rayons et trois graines."


# --- Corruption par un bruit gaussien ---------------------------------------------------------


def _corrupt(images, sigma, clip=True, generator=None, *, draw="generator", scale=lambda s: s,
             combine="add", clipping="argument"):
    """La corruption de référence et ses variantes fautives : tirage de ε (sans le générateur,
    uniforme, le même pour toutes les images), facteur du bruit, bruit ajouté, seul ou
    multiplicatif, troncature (toujours, jamais, du bruit seul)."""
    shape = images.shape[1:] if draw == "shared" else images.shape
    if draw == "global":
        noise = torch.randn(shape)
    else:
        noise = (torch.rand if draw == "uniform" else torch.randn)(shape, generator=generator)
    noise = scale(sigma) * noise
    if clipping == "noise" and clip:
        noise = noise.clamp(0.0, 1.0)
    if combine == "add":
        noisy = images + noise
    elif combine == "multiply":
        noisy = images * (1 + noise)
    else:
        noisy = noise
    if clipping == "always" or (clipping == "argument" and clip):
        noisy = noisy.clamp(0.0, 1.0)
    return noisy


def _noisy_images(function, case):
    """L'image bruitée, la fonction appelée comme dans le notebook (clip et generator nommés)."""
    images, sigma, clip, generator = fresh(case)
    return function(images, sigma, clip=clip, generator=generator)


def _images_after(function, case):
    """Les images reçues, après l'appel : elles doivent être intactes."""
    images, sigma, clip, generator = fresh(case)
    function(images, sigma, clip=clip, generator=generator)
    return images


def _corrupt_message(case, got, want) -> str:
    _, sigma, clip, _ = case
    if clip and (got.min() < 0 or got.max() > 1):
        return ("Avec clip=True, l'image bruitée doit être ramenée dans [0, 1] (certains pixels "
                "sortent de cet intervalle).")
    return (f"Avec sigma={sigma} et clip={clip}, le résultat n'est pas x + σ ε"
            f"{' ramené dans [0, 1]' if clip else ''}, pour ε = torch.randn(images.shape, "
            "generator=generator).")


@exercise_check(forbidden=[add_gaussian_noise])
def check_corrupt(corrupt) -> str:
    """``corrupt(images, sigma, clip, generator)`` : x + σ ε, ramené dans [0, 1] si ``clip`` ; les
    images sont sur le CPU, comme ``x_test``."""
    cases = [(_images((3, 1, 4, 4), 0), 0.5, False, torch.Generator().manual_seed(7)),
             (_images((4, 1, 5, 3), 1), 0.3, True, torch.Generator().manual_seed(3)),
             (_images((2, 1, 28, 28), 2), 1.2, False, torch.Generator().manual_seed(11)),
             (_images((5, 1, 4, 4), 3), 0.8, True, torch.Generator().manual_seed(5))]
    expect(corrupt, _corrupt, cases, run=_noisy_images, what="L'image bruitée renvoyée",
           otherwise=_corrupt_message, mistakes=[
        Mistake(lambda *a, **k: _corrupt(*a, **k, scale=lambda s: s**2),
                "Le bruit est multiplié par σ² : σ est l'écart type du bruit, c'est par σ qu'il "
                "faut multiplier ε."),
        Mistake(lambda *a, **k: _corrupt(*a, **k, scale=math.sqrt),
                "Le bruit est multiplié par √σ : σ est l'écart type du bruit, c'est par σ qu'il "
                "faut multiplier ε."),
        Mistake(lambda *a, **k: _corrupt(*a, **k, scale=lambda s: 1.0),
                "Le bruit n'est pas multiplié par σ."),
        Mistake(lambda *a, **k: _corrupt(*a, **k, scale=lambda s: 0.5),
                "Le bruit a toujours l'écart type 0,5, quel que soit l'argument sigma : "
                "multipliez ε par le sigma reçu en argument."),
        Mistake(lambda *a, **k: _corrupt(*a, **k, combine="noise"),
                "La fonction renvoie le bruit σ ε seul : il faut l'image bruitée x + σ ε."),
        Mistake(lambda *a, **k: _corrupt(*a, **k, combine="multiply"),
                "Le bruit est multiplicatif : il doit s'ajouter à l'image, x̃ = x + σ ε."),
        Mistake(lambda *a, **k: _corrupt(*a, **k, clipping="always"),
                "Avec clip=False, l'image bruitée ne doit pas être ramenée dans [0, 1]."),
        Mistake(lambda *a, **k: _corrupt(*a, **k, clipping="never"),
                "Avec clip=True, l'image bruitée doit être ramenée dans [0, 1] (certains pixels "
                "sortent de cet intervalle)."),
        Mistake(lambda *a, **k: _corrupt(*a, **k, clipping="noise"),
                "Avec clip=True, c'est le bruit σ ε qui est ramené dans [0, 1] : il faut tronquer "
                "l'image bruitée x + σ ε."),
        Mistake(lambda *a, **k: _corrupt(*a, **k, draw="global"),
                "Le bruit est tiré sans le générateur reçu en argument : tirez ε avec "
                "torch.randn(images.shape, generator=generator), pour que le bruit soit "
                "reproductible."),
        Mistake(lambda *a, **k: _corrupt(*a, **k, draw="uniform"),
                "Le bruit est uniforme (torch.rand) : il doit être gaussien (torch.randn)."),
        Mistake(lambda *a, **k: _corrupt(*a, **k, draw="shared"),
                "Toutes les images reçoivent le même bruit : tirez ε de la forme du lot entier, "
                "images.shape."),
    ])
    expect(corrupt, _corrupt, cases, run=_images_after, what="Le tenseur images reçu",
           otherwise="La fonction modifie le tenseur images reçu en argument (opération en place, "
                     "comme += ou add_) : dans le notebook, x_test serait changé. Calculez l'image "
                     "bruitée dans un nouveau tenseur.")
    return "Corruption juste, avec et sans clipping, pour quatre σ, formes et générateurs."
