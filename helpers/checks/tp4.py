"""Vérifications des exercices du TP 4 (auto-encodeurs régularisés et débruitage)."""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from .. import config
from ..data import add_gaussian_noise
from ..losses import bernoulli_kl, contractive_penalty_sigmoid, l1_penalty
from ..models import DenseAutoencoder
from ..train import encode, reconstruct
from .core import WrongAnswer, as_float, as_tensor, close, exercise_check

__all__ = ["check_sparse_kl_penalty", "check_l1_penalty", "check_closed_form_penalty",
           "check_sensitivity", "check_corrupt"]


def _penalty_value(answer, what: str, per_item: dict[int, str]) -> float:
    """La valeur d'une pénalité renvoyée ; ``per_item`` associe à une taille de tenseur le message
    à donner si la fonction renvoie un vecteur de cette taille au lieu d'un nombre."""
    if isinstance(answer, torch.Tensor) and answer.ndim == 1 and answer.numel() in per_item:
        raise WrongAnswer(per_item[answer.numel()])
    return as_float(answer, what)


def _differentiable(answer, what: str) -> None:
    if not isinstance(answer, torch.Tensor) or not answer.requires_grad:
        raise WrongAnswer(f"{what} a la bonne valeur, mais elle n'est pas dérivable : c'est un "
                          "terme de la perte, il doit rester un tenseur torch relié au graphe de "
                          "calcul (pas de .item(), de float() ni de NumPy, pas de "
                          "torch.no_grad()).")


# --- Pénalité de Kullback–Leibler ------------------------------------------------------------


def _kl(p, q):
    """KL(p ‖ q) entre lois de Bernoulli, terme à terme."""
    return p * torch.log(p / q) + (1 - p) * torch.log((1 - p) / (1 - q))


@exercise_check
def check_sparse_kl_penalty(sparse_kl_penalty) -> str:
    """``sparse_kl_penalty(h, rho)`` : Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j activation moyenne de l'unité j."""
    rho, n, p = 0.1, 6, 4
    generator = torch.Generator().manual_seed(0)
    h = (0.05 + 0.9 * torch.rand(n, p, generator=generator, dtype=torch.float64))
    h = h.to(torch.float32).requires_grad_()
    answer = sparse_kl_penalty(h, rho)
    value = _penalty_value(answer, "La pénalité renvoyée", {
        p: f"La fonction renvoie {p} valeurs, une divergence par unité : la pénalité est leur "
           "somme.",
        n: f"La fonction renvoie {n} valeurs, une par exemple : la pénalité est un seul nombre, "
           "calculé à partir des activations moyennes sur le lot.",
    })
    x = h.detach().double()
    rho_hat = x.mean(dim=0)
    expected = bernoulli_kl(rho, rho_hat).sum().item()
    if not close(value, expected):
        mistakes = [
            (_kl(rho_hat, torch.tensor(rho, dtype=torch.float64)).sum(),
             "Vous calculez KL(ρ̂ ‖ ρ) : la divergence n'est pas symétrique, il faut KL(ρ ‖ ρ̂_j), "
             "la cible ρ en premier."),
            (_kl(torch.tensor(rho, dtype=torch.float64), x).sum(dim=1).mean(),
             "Vous faites la moyenne sur le lot des divergences de chaque activation h_ij : la "
             "pénalité porte sur l'activation moyenne ρ̂_j de chaque unité, calculée d'abord."),
            (_kl(torch.tensor(rho, dtype=torch.float64), x).sum(),
             "Vous sommez les divergences de chaque activation h_ij : la pénalité porte sur "
             "l'activation moyenne ρ̂_j de chaque unité, calculée d'abord."),
            (bernoulli_kl(rho, x.mean(dim=1)).sum(),
             "Les activations moyennes sont calculées sur le mauvais axe : ρ̂_j est la moyenne de "
             "l'unité j sur les exemples du lot (première dimension de h)."),
            (bernoulli_kl(rho, rho_hat).mean(),
             "Vous faites la moyenne des divergences des p unités : la pénalité est leur somme."),
            ((rho * torch.log(rho / rho_hat)).sum(),
             "Il manque le second terme de la divergence, (1 − ρ) log((1 − ρ)/(1 − ρ̂)) : celui "
             "de l'événement « l'unité est éteinte »."),
            (bernoulli_kl(rho, rho_hat).sum() / math.log(2),
             "La pénalité est en logarithme de base 2 : utilisez le logarithme népérien "
             "(torch.log)."),
            (bernoulli_kl(rho, rho_hat).sum() / math.log(10),
             "La pénalité est en logarithme décimal : utilisez le logarithme népérien "
             "(torch.log)."),
        ]
        for wrong, message in mistakes:
            if close(value, wrong.item()):
                raise WrongAnswer(message)
        raise WrongAnswer(f"Sur un petit lot connu, votre pénalité vaut {value:.5f}, ce n'est pas "
                          "Σ_j KL(ρ ‖ ρ̂_j). Vérifiez ρ̂_j (moyenne sur le lot), la formule de la "
                          "divergence entre lois de Bernoulli, puis la somme sur les unités.")
    _differentiable(answer, "La pénalité")
    return "Pénalité juste et dérivable sur un petit lot connu."


# --- Pénalité ℓ1 -----------------------------------------------------------------------------


@exercise_check
def check_l1_penalty(l1_penalty_answer) -> str:
    """``l1_penalty(h)`` : ‖h_i‖₁ moyen sur le lot."""
    n, p = 5, 3
    generator = torch.Generator().manual_seed(0)
    # Des coordonnées négatives : la pénalité est définie pour tout code, pas seulement ReLU.
    h = torch.randn(n, p, generator=generator).requires_grad_()
    answer = l1_penalty_answer(h)
    value = _penalty_value(answer, "La pénalité renvoyée", {
        n: f"La fonction renvoie {n} valeurs, une norme par exemple : la pénalité est leur "
           "moyenne sur le lot.",
        p: f"La fonction renvoie {p} valeurs, une par coordonnée du code : la pénalité est un "
           "seul nombre.",
    })
    x = h.detach().double()
    expected = l1_penalty(x).item()
    if not close(value, expected):
        mistakes = [
            (x.abs().sum(),
             "Vous renvoyez la somme des normes sur le lot : la pénalité est leur moyenne sur les "
             "exemples (elle ne doit pas dépendre de la taille du lot)."),
            (x.abs().mean(),
             "Vous faites la moyenne de toutes les coordonnées : il faut sommer les |h_ij| de "
             "chaque code (la norme ℓ1), puis faire la moyenne sur les exemples seulement."),
            (x.abs().sum(dim=0).mean(),
             "La somme et la moyenne sont prises sur les mauvais axes : la norme ℓ1 somme les "
             "coordonnées d'un code (dimension 1), la moyenne porte sur les exemples "
             "(dimension 0)."),
            (x.sum(dim=1).mean(),
             "Il manque les valeurs absolues : ‖h‖₁ = Σ_j |h_j|. Sur un code ReLU cela ne change "
             "rien, mais la pénalité doit être juste pour tout code."),
            (x.sum(dim=1).abs().mean(),
             "La valeur absolue est prise après la somme des coordonnées : ‖h‖₁ = Σ_j |h_j|, la "
             "valeur absolue de chaque coordonnée d'abord."),
            (x.pow(2).sum(dim=1).mean(),
             "Vous calculez le carré de la norme euclidienne (pénalité issue d'une loi a priori "
             "gaussienne) : il faut la norme ℓ1, somme des valeurs absolues."),
            (x.norm(dim=1).mean(),
             "Vous calculez la norme euclidienne ℓ2 : il faut la norme ℓ1, somme des valeurs "
             "absolues."),
        ]
        for wrong, message in mistakes:
            if close(value, wrong.item()):
                raise WrongAnswer(message)
        raise WrongAnswer(f"Sur un petit lot connu, votre pénalité vaut {value:.5f} ; ce n'est pas "
                          "la norme ℓ1 de chaque code moyennée sur le lot.")
    _differentiable(answer, "La pénalité")
    return "Pénalité ℓ1 juste et dérivable sur un petit lot connu."


# --- Pénalité contractive en forme close ------------------------------------------------------


def _layer(n: int, p: int, seed: int) -> nn.Linear:
    with torch.random.fork_rng(devices=[]):  # sans toucher au générateur global du notebook
        torch.manual_seed(seed)
        layer = nn.Linear(n, p).to(config.device())
    with torch.no_grad():
        layer.weight.mul_(3.0)  # des unités loin de la saturation comme près d'elle
    return layer


def _closed_form_mistakes(x: torch.Tensor, layer: nn.Linear) -> list[tuple[float, str]]:
    # Calculs de référence sur le CPU en double précision (MPS ne connaît pas float64).
    weight, bias = layer.weight.detach().cpu().double(), layer.bias.detach().cpu().double()
    x = x.detach().cpu().reshape(len(x), -1).double()
    a = x @ weight.T + bias
    h, no_bias = torch.sigmoid(a), torch.sigmoid(x @ weight.T)
    rows, columns = weight.pow(2).sum(dim=1), weight.pow(2).sum(dim=0)
    slope2 = (h * (1 - h)).pow(2)
    return [
        (((h * (1 - h)) * rows).sum(dim=1).mean(),
         "Le facteur h_j(1 − h_j) doit être élevé au carré : c'est la dérivée de la sigmoïde, et "
         "chaque coefficient de la jacobienne est mis au carré."),
        ((slope2 * columns).sum(dim=1).mean() if len(columns) == len(rows) else None,
         "Vous utilisez les normes des colonnes de W : il faut celles des lignes W_j,:, une par "
         "unité j du code (W a la forme p × n)."),
        ((slope2 * rows).sum(dim=1).sum(),
         "Vous sommez sur le lot : la pénalité est la moyenne de ‖J_f(x_i)‖²_F sur les exemples."),
        ((slope2 * rows).mean(),
         "Vous faites aussi la moyenne sur les unités du code : ‖J_f(x)‖²_F est une somme sur "
         "les unités j ; seule l'étape sur les exemples du lot est une moyenne."),
        (((a * (1 - a)).pow(2) * rows).sum(dim=1).mean(),
         "Vous utilisez la pré-activation W x + b au lieu de l'activation h = σ(W x + b)."),
        ((slope2.sum(dim=1) * weight.pow(2).sum()).mean(),
         "Chaque terme (h_j(1 − h_j))² doit être multiplié par la norme de la ligne j de W, pas "
         "par la norme de toute la matrice."),
        (((no_bias * (1 - no_bias)).pow(2) * rows).sum(dim=1).mean(),
         "Le biais b est oublié : les activations sont h = σ(W x + b)."),
    ]


@exercise_check
def check_closed_form_penalty(closed_form_penalty) -> str:
    """``closed_form_penalty(x, layer)`` : ‖J_f(x)‖²_F moyen pour f(x) = σ(W x + b)."""
    device = config.device()
    generator = torch.Generator().manual_seed(0)
    cases = [  # une couche carrée (lignes et colonnes de même taille), puis des images à aplatir
        (_layer(6, 6, 0), torch.rand(4, 6, generator=generator).to(device)),
        (_layer(12, 5, 1), torch.rand(4, 1, 3, 4, generator=generator).to(device)),
    ]
    for index, (layer, x) in enumerate(cases):
        try:
            answer = closed_form_penalty(x, layer)
        except RuntimeError:
            if x.ndim == 2:
                raise
            raise WrongAnswer("Sur un lot d'images de forme (N, 1, H, W), la fonction échoue : "
                              "aplatissez chaque image en un vecteur de taille n avant de "
                              "l'envoyer dans la couche.") from None
        value = _penalty_value(answer, "La pénalité renvoyée", {
            len(x): f"La fonction renvoie {len(x)} valeurs, une par exemple : la pénalité est "
                    "leur moyenne sur le lot.",
            layer.out_features: f"La fonction renvoie {layer.out_features} valeurs, une par unité "
                                "du code : ‖J_f(x)‖²_F est leur somme, moyennée ensuite sur le "
                                "lot.",
        })
        with torch.no_grad():
            reference = copy.deepcopy(layer).cpu().double()
            expected = contractive_penalty_sigmoid(x.cpu().double(), reference).item()
        if not close(value, expected):
            for wrong, message in _closed_form_mistakes(x, layer):
                if wrong is not None and close(value, wrong.item()):
                    raise WrongAnswer(message)
            shape = "de vecteurs (N, n)" if x.ndim == 2 else "d'images (N, 1, H, W)"
            raise WrongAnswer(f"Sur un petit lot {shape}, votre pénalité vaut {value:.5f} ; ce "
                              "n'est pas la moyenne sur le lot de Σ_j (h_j(1 − h_j))² ‖W_j,:‖².")
        if index == 0:
            _differentiable(answer, "La pénalité")
    return "Forme close juste (vecteurs et images) et dérivable."


# --- Sensibilité du code ---------------------------------------------------------------------


def _perturbations(images, radius, seed, per_image=True, normalise=True):
    noise = torch.randn(images.shape, generator=torch.Generator().manual_seed(seed))
    if not normalise:
        return radius * noise
    if per_image:
        return radius * noise / noise.flatten(1).norm(dim=1)[:, None, None, None]
    return radius * noise / noise.norm()


@exercise_check
def check_sensitivity(sensitivity) -> str:
    """``sensitivity(model, images, radius, seed)`` : moyenne de ‖f(x + δ) − f(x)‖ / radius."""
    with torch.random.fork_rng(devices=[]):  # sans toucher au générateur global du notebook
        torch.manual_seed(0)
        model = DenseAutoencoder(3, hidden=(8,), code_activation="sigmoid", input_dim=12)
    model = model.to(config.device())
    with torch.no_grad():
        for weight in model.parameters():
            weight.mul_(3.0)  # un code assez sensible pour distinguer les variantes
    images = torch.rand(5, 1, 3, 4, generator=torch.Generator().manual_seed(1))
    radius, seed = 0.25, 3
    value = as_float(sensitivity(model, images, radius, seed), "La sensibilité renvoyée")

    def measure(delta, on=encode, divide=True, dim=1):
        change = on(model, images + delta) - on(model, images)
        norms = change.flatten(1).norm(dim=1) if dim == 1 else change.norm(dim=0)
        return (norms / (radius if divide else 1.0)).mean().item()

    delta = _perturbations(images, radius, seed)
    expected = measure(delta)
    if close(value, expected):
        return "Sensibilité juste sur un petit modèle connu."
    mistakes = [
        (measure(delta, divide=False),
         "La valeur est la variation moyenne du code, sans la division par radius, la norme de "
         "la perturbation."),
        (measure(_perturbations(images, radius, seed, per_image=False)),
         "Les perturbations sont normalisées toutes ensemble : chaque δ_i doit avoir la norme "
         "radius, normalisez image par image."),
        (measure(_perturbations(images, radius, seed, normalise=False)),
         "Les perturbations ne sont pas normalisées : δ_i = radius · ε_i / ‖ε_i‖ a exactement la "
         "norme radius, alors que radius · ε_i est bien plus grand."),
        (measure(delta, dim=0),
         "La norme du changement de code est prise sur le mauvais axe : elle se calcule pour "
         "chaque image, sur les p coordonnées de son code (dimension 1)."),
        (measure(delta, on=reconstruct),
         "Vous mesurez la sensibilité de la reconstruction model(x) : il s'agit de celle du code "
         "f(x), donné par encode(model, x)."),
    ]
    for wrong, message in mistakes:
        if close(value, wrong):
            raise WrongAnswer(message)
    raise WrongAnswer(f"Sur un petit modèle connu, votre sensibilité vaut {value:.5f}, pas la "
                      "valeur attendue. Vérifiez le tirage de ε (torch.randn(images.shape, "
                      "generator=torch.Generator().manual_seed(seed))), la normalisation de δ_i "
                      "image par image, puis la moyenne de ‖f(x_i + δ_i) − f(x_i)‖ / radius.")


# --- Corruption par un bruit gaussien ---------------------------------------------------------


@exercise_check
def check_corrupt(corrupt) -> str:
    """``corrupt(images, sigma, clip, generator)`` : x + σ ε, ramené dans [0, 1] si ``clip``."""
    images = torch.rand(3, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    sigma, seed = 0.5, 7

    def run(clip):
        noisy = corrupt(images.clone(), sigma, clip=clip,
                        generator=torch.Generator().manual_seed(seed))
        return as_tensor(noisy, "L'image bruitée", tuple(images.shape)).cpu()

    noise = torch.randn(images.shape, generator=torch.Generator().manual_seed(seed)).double()
    x = images.double()
    unclipped = run(False)
    if not torch.equal(unclipped, run(False)):
        raise WrongAnswer("Deux appels avec le même générateur donnent des bruits différents : "
                          "tirez ε avec torch.randn(images.shape, generator=generator).")
    if not close(unclipped, x + sigma * noise):
        mistakes = [
            (x + sigma**2 * noise,
             "Le bruit est multiplié par σ² : σ est l'écart type du bruit, c'est par σ qu'il faut "
             "multiplier ε."),
            (x + math.sqrt(sigma) * noise,
             "Le bruit est multiplié par √σ : σ est l'écart type du bruit, c'est par σ qu'il faut "
             "multiplier ε."),
            (x + noise, "Le bruit n'est pas multiplié par σ."),
            (sigma * noise, "La fonction renvoie le bruit σ ε seul : il faut l'image bruitée "
                            "x + σ ε."),
            (x * (1 + sigma * noise), "Le bruit est multiplicatif : il doit s'ajouter à l'image, "
                                      "x̃ = x + σ ε."),
            ((x + sigma * noise).clamp(0, 1),
             "Avec clip=False, l'image bruitée ne doit pas être ramenée dans [0, 1]."),
        ]
        for wrong, message in mistakes:
            if close(unclipped, wrong):
                raise WrongAnswer(message)
        raise WrongAnswer("Avec clip=False, le résultat n'est pas x + σ ε pour "
                          "ε = torch.randn(images.shape, generator=generator). Tirez-vous bien ε "
                          "avec ce générateur et de la forme des images ?")
    clipped = run(True)
    if not close(clipped, add_gaussian_noise(images, sigma, clip=True,
                                             generator=torch.Generator().manual_seed(seed))):
        if clipped.min() < 0 or clipped.max() > 1:
            raise WrongAnswer("Avec clip=True, l'image bruitée doit être ramenée dans [0, 1] "
                              "(certains pixels sortent de cet intervalle).")
        raise WrongAnswer("Avec clip=True, le résultat n'est pas x + σ ε ramené dans [0, 1] : "
                          "c'est l'image bruitée qu'il faut tronquer, pas le bruit ni l'image "
                          "d'origine.")
    return "Corruption juste, avec et sans clipping."
