"""Vérifications des exercices du TP 5 (auto-encodeurs variationnels)."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from scipy import stats
from torch.distributions import Bernoulli, Normal, kl_divergence

from .. import config, losses
from .core import Mistake, WrongAnswer, exercise_check, expect, fresh, same, seeded

__all__ = ["check_reparameterize", "check_negative_elbo", "check_latent_grid",
           "check_assemble_mosaic"]


# --- Tirage reparamétré ----------------------------------------------------------------------

_KS_LEVEL = 1e-6  # un tirage juste échoue au test de Kolmogorov–Smirnov une fois sur un million
_Z = 6.0  # tolérance des moments empiriques, en erreurs-types
# Écarts-types qu'une réponse fausse peut donner à la place de σ (voir _scale_index).
_SCALES = (lambda sigma: sigma, lambda sigma: sigma**2, lambda sigma: 2 * sigma.log().abs(),
           lambda sigma: 1 / sigma)


def _draw_case(seed: int, rows: int, cols: int) -> tuple:
    """``(seed, mu, logvar)`` de forme (rows, cols) sur le périphérique du cours, feuilles qui
    demandent un gradient. Chaque colonne a son μ_j et son σ_j, les mêmes sur toutes les lignes
    (rows tirages de la même loi) : σ_j loin de 1 (dans [0,22 ; 0,61] ou [1,65 ; 4,5]), pour que
    σ, σ², |log σ²| et 1/σ diffèrent nettement, et |μ_j| entre ½ σ_j et 2 σ_j."""
    generator = torch.Generator().manual_seed(seed)

    def signs() -> torch.Tensor:
        return 2 * torch.randint(0, 2, (cols,), generator=generator) - 1

    log_sigma = signs() * (0.5 + torch.rand(cols, generator=generator))
    mu = signs() * (0.5 + 1.5 * torch.rand(cols, generator=generator)) * log_sigma.exp()
    device = config.device()
    return (seed, mu.repeat(rows, 1).to(device).requires_grad_(),
            (2 * log_sigma).repeat(rows, 1).to(device).requires_grad_())


def _reference_draw(mu, logvar):
    """La référence : le tirage reparamétré de torch.distributions."""
    return Normal(mu, torch.exp(0.5 * logvar)).rsample()


def _draw(mu, logvar, *, scale=lambda logvar: torch.exp(0.5 * logvar), noise=torch.randn,
          noise_shape=lambda mu: mu.shape, centred=True, detach=False, direct=False):
    """Variantes fautives : écart-type, loi et forme du bruit, μ oublié, graphe coupé, tirage
    direct par torch.normal."""
    std = scale(logvar)
    if direct:
        return torch.normal(mu, std)
    eps = noise(noise_shape(mu), device=mu.device, dtype=mu.dtype)
    h = (mu if centred else 0) + std * eps
    return h.detach() if detach else h


def _scale_index(spread: torch.Tensor, sigma: torch.Tensor, rows: int) -> float:
    """L'indice dans ``_SCALES`` de l'écart-type c(σ_j) que suivent les écarts-types empiriques de
    toutes les colonnes, −1 si les tirages ne varient pas d'une ligne à l'autre, ``len(_SCALES)``
    si aucun ne convient."""
    if bool((spread <= 1e-6 * sigma).all()):
        return -1.0
    tolerance = _Z / math.sqrt(2 * rows)  # erreur-type relative d'un écart-type empirique
    for index, scale in enumerate(_SCALES):
        target = scale(sigma)
        if bool(((spread - target).abs() <= tolerance * target).all()):
            return float(index)
    return float(len(_SCALES))


def _uncorrelated(correlations: torch.Tensor, samples: int) -> bool:
    """Faux si l'une des corrélations empiriques (sur ``samples`` paires) dépasse ce que permet
    le hasard, ou n'est pas définie (tirages constants)."""
    return bool((correlations.abs() < _Z / math.sqrt(samples)).all())


def _law(deviation: torch.Tensor, sigma: torch.Tensor) -> tuple:
    """Ce que disent N tirages (lignes de ``deviation`` = h − μ) de leur loi : centrés sur μ,
    écart-type (voir ``_scale_index``), loi normale de (h − μ)/σ (Kolmogorov–Smirnov), lignes
    indépendantes, coordonnées indépendantes."""
    rows, cols = deviation.shape
    spread = deviation.std(dim=0)
    centred = bool((deviation.mean(dim=0).abs() <= _Z * spread / math.sqrt(rows)).all())
    z = deviation / sigma
    normal = bool(stats.kstest(z.flatten().numpy(), "norm").pvalue > _KS_LEVEL)
    z = z - z.mean(dim=0)
    lagged = torch.corrcoef(torch.stack([z[:-1].flatten(), z[1:].flatten()]))[0, 1]
    across = torch.corrcoef(z.T).reshape(cols, cols)[~torch.eye(cols, dtype=torch.bool)]
    return (centred, _scale_index(spread, sigma, rows), normal,
            _uncorrelated(lagged, (rows - 1) * cols), _uncorrelated(across, rows))


def _draw_statistics(function, case) -> tuple:
    """Ce qu'on observe d'un tirage (sous une graine fixée par cas, mais comparé seulement par
    ses statistiques : une réponse juste peut tirer ε autrement) : valeurs finies, loi (voir
    ``_law``), tirage dérivable, gradients de h.sum() par rapport à μ (1) et à log σ²
    (½ (h − μ))."""
    seed, mu, logvar = fresh(case)
    with seeded(seed):
        h = function(mu, logvar)
    if not isinstance(h, torch.Tensor):
        raise WrongAnswer(f"Le tirage doit être un tenseur torch, pas un objet {type(h).__name__}.")
    if h.shape != mu.shape:
        raise WrongAnswer(f"Le tirage a la forme {tuple(h.shape)} ; il doit avoir celle de mu, "
                          f"{tuple(mu.shape)}.")
    deviation = h.detach().cpu().double() - mu.detach().cpu().double()
    finite = bool(torch.isfinite(deviation).all())
    sigma = torch.exp(0.5 * logvar.detach().cpu().double()[0])
    law = _law(deviation, sigma) if finite else (False, float(len(_SCALES)), False, False, False)
    gradients = (False, False)
    if h.requires_grad:
        grads = torch.autograd.grad(h.sum(), (mu, logvar), allow_unused=True)
        grad_mu, grad_logvar = (torch.zeros(leaf.shape, dtype=torch.float64) if grad is None
                                else grad.cpu().double() for grad, leaf in zip(grads, (mu, logvar)))
        gradients = (bool(torch.allclose(grad_mu, torch.ones_like(grad_mu))),
                     bool(torch.allclose(grad_logvar, 0.5 * deviation, rtol=1e-3, atol=1e-4)))
    return (finite, *law, h.requires_grad, *gradients)


_DETACHED = ("Le tirage n'est pas relié à mu et logvar dans le graphe de calcul : le gradient ne "
             "peut pas le traverser (évitez .detach(), torch.no_grad() et les conversions en "
             "NumPy).")


def _draw_message(case, got, want) -> str:
    """Le message neutre : la première propriété que le tirage n'a pas (toutes sont mesurées)."""
    rows, cols = case[1].shape
    where = f"Sur {rows} tirages de chacune des {cols} coordonnées"
    finite, centred, scale, normal, rows_independent, coordinates_independent, differentiable = (
        float(value) for value in got[:7])
    if not finite:
        return "Le tirage contient des valeurs infinies ou NaN : σ ⊙ ε doit rester fini."
    if not centred:
        return f"{where}, les moyennes empiriques ne sont pas μ."
    if scale != 0:
        return f"{where}, les écarts-types empiriques ne sont pas σ = exp(½ log σ²)."
    if not normal:
        return (f"{where}, moyennes et écarts-types sont justes, mais le test de "
                "Kolmogorov–Smirnov rejette la loi normale pour (h − μ)/σ : le bruit ε doit "
                "suivre la loi N(0, I), pas seulement en avoir la moyenne et la variance.")
    if not rows_independent:
        return ("Les tirages de lignes voisines sont corrélés : il faut un bruit indépendant par "
                "image.")
    if not coordinates_independent:
        return ("Les coordonnées d'une même image ont des bruits corrélés : il faut un ε "
                "indépendant par coordonnée.")
    if not differentiable:
        return _DETACHED
    return ("Le tirage a la bonne loi, mais ses gradients ne sont pas ceux de h = μ + σ ⊙ ε "
            "(1 par rapport à μ, ½ σ ⊙ ε par rapport à log σ²).")


@exercise_check(forbidden=[losses.reparameterize])
def check_reparameterize(reparameterize) -> str:
    """``reparameterize(mu, logvar)`` : tirage h = μ + σ ⊙ ε dérivable par rapport à μ et
    log σ² ; ``mu`` et ``logvar`` sont sur ``device``, comme les sorties de l'encodeur."""
    mistakes = [
        Mistake(lambda mu, logvar: _draw(mu, logvar, scale=lambda logvar: logvar),
                "Les écarts-types empiriques valent |log σ²| : logvar est le logarithme de la "
                "variance, pas l'écart-type. Il faut d'abord en déduire σ."),
        Mistake(lambda mu, logvar: _draw(mu, logvar, scale=torch.exp),
                "Les écarts-types empiriques valent σ² : exp(logvar) est la variance, pas "
                "l'écart-type (σ = exp(½ log σ²))."),
        Mistake(lambda mu, logvar: _draw(mu, logvar, scale=lambda logvar: torch.exp(-0.5 * logvar)),
                "Les écarts-types empiriques valent 1/σ : erreur de signe dans l'exposant qui "
                "donne σ à partir de log σ²."),
        Mistake(lambda mu, logvar: _draw(mu, logvar, centred=False),
                "Les tirages sont centrés sur 0 au lieu de μ : avez-vous oublié d'ajouter mu ?"),
        Mistake(lambda mu, logvar: mu,
                "La fonction renvoie μ lui-même : il manque le bruit, le terme σ ⊙ ε."),
        Mistake(lambda mu, logvar: _draw(mu, logvar, noise_shape=lambda mu: mu.shape[1:]),
                "Toutes les lignes du lot reçoivent le même tirage : le bruit ε doit avoir la "
                "forme de mu, avec un tirage indépendant par image."),
        Mistake(lambda mu, logvar: _draw(mu, logvar, noise_shape=lambda mu: (len(mu), 1)),
                "Les coordonnées d'une même image reçoivent le même bruit : il faut un ε "
                "indépendant par coordonnée, de la même forme que mu."),
        Mistake(lambda mu, logvar: _draw(mu, logvar, noise=torch.rand),
                "Le bruit suit la loi uniforme sur [0, 1] (torch.rand_like ?) : ε doit suivre la "
                "loi normale N(0, I)."),
        Mistake(lambda mu, logvar: _draw(mu, logvar, direct=True),
                "Le tirage a la bonne loi, mais ses gradients par rapport à mu et logvar sont "
                "nuls : torch.normal(mu, sigma) tire directement dans la loi et ne transmet aucun "
                "gradient. Le hasard doit venir d'un bruit ε ~ N(0, I) tiré à part."),
        Mistake(lambda mu, logvar: _draw(mu, logvar, detach=True), _DETACHED),
    ]
    # D'abord des paramètres de même forme (chaque argument change d'un cas à l'autre), puis des
    # formes variées : une colonne, dix, vingt-cinq.
    for cases in ([_draw_case(seed, 5000, 4) for seed in (1, 2, 3)],
                  [_draw_case(4, 20_000, 1), _draw_case(5, 2000, 10), _draw_case(6, 1000, 25)]):
        expect(reparameterize, _reference_draw, cases, run=_draw_statistics, mistakes=mistakes,
               otherwise=_draw_message)
    return ("Moyennes, écarts-types, loi normale (Kolmogorov–Smirnov), indépendance et gradients "
            "justes, sur six jeux de paramètres de formes variées.")


# --- −ELBO -----------------------------------------------------------------------------------


def _elbo_case(seed: int, images: int, pixels: int, latent: int) -> tuple:
    """``(x, logits, mu, logvar)`` sur le périphérique du cours, comme dans le modèle : pixels
    dans [0, 1] (la moitié nuls, comme le fond des chiffres), logits, mu et logvar dérivables."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(images, pixels, generator=generator)
    x = x * (torch.rand(images, pixels, generator=generator) < 0.5)
    logits = 2 * torch.randn(images, pixels, generator=generator)
    mu = torch.randn(images, latent, generator=generator)
    logvar = 0.7 * torch.randn(images, latent, generator=generator)
    device = config.device()
    return (x.to(device), *(t.to(device).requires_grad_() for t in (logits, mu, logvar)))


def _reference_elbo(x, logits, mu, logvar):
    """La référence : les lois de torch.distributions (log-vraisemblance de Bernoulli, KL entre
    gaussiennes), moyennées sur les images."""
    reconstruction = -Bernoulli(logits=logits, validate_args=False).log_prob(x).sum(dim=1).mean()
    prior = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    kl = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), prior).sum(dim=1).mean()
    return reconstruction + kl, reconstruction, kl


_PIXEL_LOSSES = {
    "bce": lambda logits, x: F.binary_cross_entropy_with_logits(logits, x, reduction="none"),
    "swapped": lambda logits, x: F.binary_cross_entropy_with_logits(x, logits, reduction="none"),
    "sigmoid twice": lambda logits, x: F.binary_cross_entropy_with_logits(
        torch.sigmoid(logits), x, reduction="none"),
    "squared": lambda logits, x: (torch.sigmoid(logits) - x).pow(2),
}


def _elbo(x, logits, mu, logvar, *, pixel_loss="bce", pixels="sum", images="mean", half=0.5,
          minus_one=1.0, log_sigma=False, coordinates="sum", kl_images="mean", difference=False,
          swap=False, numbers=False):
    """Variantes fautives : perte par pixel, réductions sur les pixels (somme, moyenne, moyenne
    fois 784), les coordonnées et les images, forme close de la KL, total, ordre, nombres."""
    per_pixel = _PIXEL_LOSSES[pixel_loss](logits, x)
    per_image = {"sum": per_pixel.sum(dim=1), "mean": per_pixel.mean(dim=1),
                 "784": 784 * per_pixel.mean(dim=1)}[pixels]
    log_variance = 2 * logvar if log_sigma else logvar
    per_coordinate = half * (mu.pow(2) + log_variance.exp() - minus_one - log_variance)
    kl = per_coordinate.sum(dim=1) if coordinates == "sum" else per_coordinate.mean(dim=1)
    reduce = {"mean": torch.mean, "sum": torch.sum, "none": lambda values: values}
    reconstruction, kl = reduce[images](per_image), reduce[kl_images](kl)
    terms = (reconstruction - kl if difference else reconstruction + kl, reconstruction, kl)
    if swap:
        terms = (terms[0], terms[2], terms[1])
    return tuple(term.item() for term in terms) if numbers else terms


def _elbo_terms(function, case) -> tuple:
    """Le triplet renvoyé, et si le total est un tenseur dérivable."""
    result = function(*fresh(case))
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise WrongAnswer("La fonction doit renvoyer un triplet (total, reconstruction, KL).")
    total = result[0]
    return (*result, isinstance(total, torch.Tensor) and total.requires_grad)


_NOT_DIFFERENTIABLE = ("Les valeurs sont justes, mais le total n'est pas un tenseur dérivable : "
                       "une perte doit garder son graphe de calcul (pas de .item(), de .detach() "
                       "ni de NumPy).")


def _elbo_message(case, got, want) -> str:
    """Le message neutre : les valeurs fausses du triplet, nommées."""
    x, _, mu, _ = case
    names = ("le total", "le terme de reconstruction", "la KL")
    wrong = [name for name, o, e in zip(names, got, want) if not same(o, e)]
    if wrong == ["le total"]:
        return "Les deux termes sont justes, mais le total n'est pas leur somme."
    if not wrong:
        return _NOT_DIFFERENTIABLE
    return (f"Sur un lot de {len(x)} images de {x.shape[1]} pixels, avec des codes de dimension "
            f"{mu.shape[1]}, ces valeurs ne sont pas justes : {', '.join(wrong)}.")


@exercise_check(forbidden=[losses.negative_elbo, losses.gaussian_kl_standard, losses.bernoulli_nll])
def check_negative_elbo(negative_elbo) -> str:
    """``negative_elbo(x, logits, mu, logvar)`` : (total, reconstruction, KL) moyens sur le lot ;
    tous les tenseurs sont sur ``device``, comme les sorties du modèle."""
    mistakes = [
        Mistake(lambda *a: _elbo(*a, pixels="mean"),
                "Le terme de reconstruction est une moyenne sur les pixels, donc trop petit d'un "
                "facteur égal au nombre de pixels (784 pour MNIST) : sommez sur les pixels, puis "
                "moyennez sur les images."),
        Mistake(lambda *a: _elbo(*a, pixels="784"),
                "Le terme de reconstruction suppose des images de 784 pixels : il est faux pour "
                "un autre nombre de pixels. Sommez sur les pixels, quel que soit leur nombre."),
        Mistake(lambda *a: _elbo(*a, images="sum"),
                "Le terme de reconstruction est sommé sur les images du lot : il faut la moyenne "
                "sur les images (nats par image)."),
        Mistake(lambda *a: _elbo(*a, pixel_loss="swapped"),
                "Les arguments de l'entropie croisée sont inversés : les logits viennent en "
                "premier, les pixels cibles x en second."),
        Mistake(lambda *a: _elbo(*a, pixel_loss="sigmoid twice"),
                "La sigmoïde est appliquée deux fois : F.binary_cross_entropy_with_logits attend "
                "les logits eux-mêmes."),
        Mistake(lambda *a: _elbo(*a, pixel_loss="squared"),
                "Le terme de reconstruction est une erreur quadratique : avec un décodeur de "
                "Bernoulli, −log p(x | h) est l'entropie croisée binaire."),
        Mistake(lambda *a: _elbo(*a, pixel_loss="squared", pixels="mean"),
                "Le terme de reconstruction est une erreur quadratique moyenne : avec un décodeur "
                "de Bernoulli, −log p(x | h) est l'entropie croisée binaire, sommée sur les "
                "pixels."),
        Mistake(lambda *a: _elbo(*a, half=-0.5),
                "La KL a le mauvais signe : une divergence de Kullback–Leibler est positive ou "
                "nulle."),
        Mistake(lambda *a: _elbo(*a, half=1.0),
                "La KL est deux fois trop grande : il manque le facteur ½."),
        Mistake(lambda *a: _elbo(*a, minus_one=0.0),
                "Il manque le terme −1 dans la KL : la KL de N(0, I) à elle-même (μ = 0, σ = 1) "
                "doit être nulle."),
        Mistake(lambda *a: _elbo(*a, coordinates="mean"),
                "La KL est moyennée sur les coordonnées latentes : il faut la sommer sur les "
                "coordonnées, puis la moyenner sur les images."),
        Mistake(lambda *a: _elbo(*a, kl_images="sum"),
                "La KL est sommée sur les images du lot : il faut la moyenne sur les images."),
        Mistake(lambda *a: _elbo(*a, log_sigma=True),
                "La KL traite logvar comme log σ : c'est log σ², donc σ² = exp(logvar)."),
        Mistake(lambda *a: _elbo(*a, images="none", kl_images="none"),
                "Les termes sont des vecteurs d'une valeur par image : renvoyez leur moyenne sur "
                "le lot."),
        Mistake(lambda *a: _elbo(*a, difference=True),
                "Le total vaut reconstruction − KL : −ELBO est la somme des deux termes."),
        Mistake(lambda *a: _elbo(*a, swap=True),
                "Les deux termes sont échangés : l'ordre attendu est (total, reconstruction, KL)."),
        Mistake(lambda *a: _elbo(*a, numbers=True), _NOT_DIFFERENTIABLE),
    ]
    # D'abord des lots de même forme (chaque argument change d'un cas à l'autre), puis d'autres
    # nombres d'images, de pixels et de coordonnées latentes.
    for cases in ([_elbo_case(seed, 6, 784, 3) for seed in (0, 1, 2)],
                  [_elbo_case(3, 4, 100, 2), _elbo_case(4, 9, 784, 20), _elbo_case(5, 3, 30, 5)]):
        expect(negative_elbo, _reference_elbo, cases, run=_elbo_terms, mistakes=mistakes,
               otherwise=_elbo_message)
    return ("Les trois termes sont justes sur six lots (nombres d'images, de pixels et de "
            "coordonnées latentes variés), et le total reste dérivable.")


# --- Grille des quantiles --------------------------------------------------------------------


def _reference_grid(n, low, high) -> torch.Tensor:
    """La référence, case par case : grid[i, j] = (q[j], q[n − 1 − i]) avec q = Φ⁻¹(u)."""
    q = stats.norm.ppf(np.linspace(low, high, n))
    grid = np.array([[(q[j], q[n - 1 - i]) for j in range(n)] for i in range(n)])
    return torch.tensor(grid, dtype=torch.float32)


_GRID_POINTS = {
    "quantiles": lambda n, low, high: stats.norm.ppf(np.linspace(low, high, n)),
    "probabilities": lambda n, low, high: np.linspace(low, high, n),
    "regular": lambda n, low, high: np.linspace(-3, 3, n),
    "regular quantiles": lambda n, low, high: np.linspace(stats.norm.ppf(low),
                                                          stats.norm.ppf(high), n),
    "infinite": lambda n, low, high: stats.norm.ppf(np.linspace(0, 1, n)),
}


def _grid(n, low, high, *, points="quantiles", indexing="xy", flip_first=False, flip_second=True,
          swap=False):
    """Variantes fautives : points, sens et ordre des axes."""
    q = torch.tensor(_GRID_POINTS[points](n, low, high), dtype=torch.float32)
    first, second = (q.flip(0) if flip_first else q), (q.flip(0) if flip_second else q)
    grid = torch.stack(torch.meshgrid(first, second, indexing=indexing), dim=-1)
    return grid.flip(-1) if swap else grid


def _float32_grid(function, case) -> torch.Tensor:
    grid = function(*case)
    if not (isinstance(grid, torch.Tensor) and grid.dtype == torch.float32):
        kind = (f"un tenseur de type {grid.dtype}" if isinstance(grid, torch.Tensor)
                else "un tableau NumPy" if isinstance(grid, np.ndarray)
                else f"un objet {type(grid).__name__}")
        raise WrongAnswer(f"La grille doit être un tenseur torch de float32 (le décodeur, qui la "
                          f"reçoit, a des poids float32), pas {kind}.")
    return grid


@exercise_check
def check_latent_grid(latent_grid) -> str:
    """``latent_grid(n, low, high)`` : grille (n, n, 2) des quantiles de N(0, 1) pour la carte."""
    cases = [(4, 0.1, 0.9), (5, 0.03, 0.97), (6, 0.2, 0.95)]
    expect(latent_grid, _reference_grid, cases, run=_float32_grid, what="La grille renvoyée",
           rtol=1e-5, atol=1e-5, mistakes=[
        Mistake(lambda *a: _grid(*a, points="regular"),
                "Les points forment une grille régulière de [−3, 3]² : ils doivent être placés "
                "aux quantiles Φ⁻¹(u) de la loi normale, plus serrés au centre qu'aux bords."),
        Mistake(lambda *a: _grid(*a, points="regular quantiles"),
                "Les points vont de Φ⁻¹(low) à Φ⁻¹(high), mais régulièrement espacés : ce sont "
                "les probabilités u qui sont régulièrement espacées, les points sont leurs "
                "quantiles Φ⁻¹(u)."),
        Mistake(lambda *a: _grid(*a, points="probabilities"),
                "Les coordonnées sont les probabilités u elles-mêmes : il faut les quantiles "
                "Φ⁻¹(u) de la loi normale (norm.ppf)."),
        Mistake(lambda *a: _grid(*a, points="infinite"),
                "La grille contient des valeurs infinies : Φ⁻¹(0) et Φ⁻¹(1) valent ∓∞, les "
                "probabilités u doivent aller de low à high."),
        Mistake(lambda *a: _grid(*a, flip_second=False),
                "La carte est à l'envers : la seconde coordonnée doit décroître de haut en bas, "
                "comme l'axe des ordonnées d'un graphique."),
        Mistake(lambda *a: _grid(*a, flip_first=True),
                "La première coordonnée doit croître de gauche à droite."),
        Mistake(lambda *a: _grid(*a, indexing="ij"),
                "Les axes sont échangés : la première coordonnée ne doit dépendre que de la "
                "colonne j (grid[i, j, 0]), la seconde que de la ligne i (grid[i, j, 1])."),
        Mistake(lambda *a: _grid(*a, swap=True),
                "Les deux coordonnées sont dans le mauvais ordre : grid[i, j, 0] est l'abscisse, "
                "qui croît le long d'une ligne, grid[i, j, 1] l'ordonnée."),
    ], otherwise=lambda case, got, want: (
        f"Pour n = {case[0]}, low = {case[1]}, high = {case[2]}, la grille n'est pas celle des "
        "quantiles Φ⁻¹(u) décrite dans la docstring."))
    return "Grille des quantiles juste pour trois valeurs de n, low et high, axes dans le bon sens."


# --- Mosaïque --------------------------------------------------------------------------------


def _reference_mosaic(images) -> torch.Tensor:
    """La référence, bloc par bloc : images[i, j] occupe la rangée i et la colonne j."""
    rows, cols, height, width = images.shape
    mosaic = torch.empty(rows * height, cols * width, dtype=images.dtype)
    for i in range(rows):
        for j in range(cols):
            mosaic[i * height:(i + 1) * height, j * width:(j + 1) * width] = images[i, j]
    return mosaic


def _mosaic(images, order):
    """Variantes fautives : les axes (rangée et colonne d'images, ligne et colonne de pixels)
    réordonnés par ``order``, puis fusionnés deux à deux."""
    shape = [images.shape[axis] for axis in order]
    return images.permute(*order).reshape(shape[0] * shape[1], shape[2] * shape[3])


def _images(shape: tuple[int, int, int, int], offset: int) -> tuple[torch.Tensor]:
    """Des pixels tous différents (leur valeur dit d'où ils viennent)."""
    return (offset + torch.arange(math.prod(shape), dtype=torch.float32).reshape(shape),)


@exercise_check
def check_assemble_mosaic(assemble_mosaic) -> str:
    """``assemble_mosaic(images)`` : images (R, C, H, W) assemblées en une image (R·H, C·W)."""
    cases = [_images((2, 3, 4, 5), 0), _images((3, 4, 2, 3), 1000), _images((4, 2, 5, 2), 2000)]
    expect(assemble_mosaic, _reference_mosaic, cases, what="La mosaïque renvoyée", rtol=0,
           atol=0, mistakes=[
        Mistake(lambda images: images.reshape(images.shape[0] * images.shape[2], -1),
                "Les petites images sont découpées en bandes : un simple reshape ne suffit pas, "
                "il faut d'abord réordonner les axes pour que les lignes de pixels d'une même "
                "rangée d'images se suivent."),
        Mistake(lambda images: _mosaic(images, (1, 2, 0, 3)),
                "Rangées et colonnes de la mosaïque sont échangées : l'image images[i, j] doit "
                "être dans la rangée i et la colonne j."),
        Mistake(lambda images: _mosaic(images, (0, 3, 1, 2)),
                "Chaque petite image est transposée : gardez l'ordre (hauteur, largeur) des "
                "pixels."),
        Mistake(lambda images: _mosaic(images, (2, 0, 3, 1)),
                "Les pixels des petites images sont entrelacés : les lignes de pixels d'une même "
                "image doivent se suivre dans la mosaïque, et ses colonnes aussi."),
    ], otherwise=lambda case, got, want: (
        "Sur un petit exemple ({} × {} images de {} × {} pixels), la mosaïque ne place pas "
        "images[i, j] dans la case de la rangée i et de la colonne j.".format(*case[0].shape)))
    return "Mosaïque juste sur trois petits exemples non carrés."
