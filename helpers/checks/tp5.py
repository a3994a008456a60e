"""Vérifications des exercices du TP 5 (auto-encodeurs variationnels)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import norm

from .. import config
from ..losses import gaussian_kl_standard
from .core import WrongAnswer, as_float, as_tensor, close, exercise_check

__all__ = ["check_reparameterize", "check_negative_elbo", "check_latent_grid",
           "check_assemble_mosaic"]


def _forked_rng(device: torch.device):
    """Un état aléatoire prêté le temps d'une vérification, pour ne pas perturber le notebook."""
    if device.type == "cpu":
        return torch.random.fork_rng(devices=[])
    return torch.random.fork_rng(device_type=device.type)


def _matches(values: torch.Tensor, target: torch.Tensor, rtol: float = 0.05) -> bool:
    """Écarts-types empiriques égaux à ``target`` à ``rtol`` près (et à 0,01 près pour les nuls)."""
    return bool(torch.all((values - target).abs() <= rtol * target.abs() + 0.01))


@exercise_check
def check_reparameterize(reparameterize) -> str:
    """``reparameterize(mu, logvar)`` : tirage h = μ + σ ⊙ ε dérivable par rapport à μ et log σ²."""
    device = config.device()
    n = 20_000
    mean = torch.tensor([1.0, -2.0, 0.0, 3.0])
    sigma = torch.tensor([0.5, 2.0, 1.0, 0.2])  # colonnes aux écarts-types tous différents
    mu = mean.repeat(n, 1).to(device).requires_grad_()
    logvar = (2 * sigma.log()).repeat(n, 1).to(device).requires_grad_()
    with _forked_rng(device):
        torch.manual_seed(0)
        h = reparameterize(mu, logvar)
    as_tensor(h, "Le tirage renvoyé", shape=tuple(mu.shape))
    sample = h.detach().double().cpu()
    if torch.equal(sample, mean.double().repeat(n, 1)):
        raise WrongAnswer("La fonction renvoie μ lui-même : il manque le bruit, le terme σ ⊙ ε.")
    std, centre = sample.std(dim=0), sample.mean(dim=0)
    if torch.all(std < 1e-6):
        raise WrongAnswer("Toutes les lignes du lot reçoivent le même tirage : le bruit ε doit avoir "
                          "la forme de mu, avec un tirage indépendant par image.")
    if not torch.allclose(centre, mean.double(), atol=0.05 * float(sigma.max())):
        if torch.allclose(centre, torch.zeros(4, dtype=torch.float64), atol=0.1):
            raise WrongAnswer("Les tirages sont centrés sur 0 au lieu de μ : avez-vous oublié "
                              "d'ajouter mu ?")
        raise WrongAnswer("Sur 20 000 tirages, les moyennes empiriques ne sont pas μ.")
    log_variance = (2 * sigma.log()).double()
    sigma = sigma.double()
    if not _matches(std, sigma):
        if _matches(std, log_variance.abs()):
            raise WrongAnswer("Les écarts-types empiriques valent |log σ²| : logvar est le logarithme "
                              "de la variance, pas l'écart-type. Il faut d'abord en déduire σ.")
        if _matches(std, sigma.pow(2)):
            raise WrongAnswer("Les écarts-types empiriques valent σ² : exp(logvar) est la variance, "
                              "pas l'écart-type (σ = exp(½ log σ²)).")
        if _matches(std, 1 / sigma):
            raise WrongAnswer("Les écarts-types empiriques valent 1/σ : erreur de signe dans "
                              "l'exposant qui donne σ à partir de log σ².")
        raise WrongAnswer("Sur 20 000 tirages, les écarts-types empiriques ne sont pas "
                          "σ = exp(½ log σ²).")
    noise = (sample - mean.double()) / sigma
    correlation = torch.corrcoef(noise.T) - torch.eye(4, dtype=torch.float64)
    if correlation.abs().max() > 0.1:
        raise WrongAnswer("Les coordonnées d'une même image reçoivent le même bruit : il faut un ε "
                          "indépendant par coordonnée, de la même forme que mu.")
    if h.grad_fn is None:
        raise WrongAnswer("Le tirage n'est pas relié à mu et logvar dans le graphe de calcul : "
                          "le gradient ne peut pas le traverser (évitez .detach(), torch.no_grad() "
                          "et les conversions en NumPy).")
    grad_mu, grad_logvar = torch.autograd.grad(h.sum(), (mu, logvar), allow_unused=True)
    if (grad_mu is None or grad_logvar is None or not torch.allclose(grad_mu, torch.ones_like(mu))
            or not torch.allclose(grad_logvar, 0.5 * (h - mu).detach(), atol=1e-4)):
        raise WrongAnswer("Les gradients ne sont pas ceux de h = μ + σ ⊙ ε : le tirage doit être une "
                          "fonction dérivable de mu et logvar, le hasard venant seulement d'un "
                          "bruit ε ~ N(0, I) tiré à part (torch.normal(mu, sigma), par exemple, ne "
                          "transmet aucun gradient).")
    return "Moyennes, écarts-types, indépendance et gradients justes sur 20 000 tirages."


def _value(term, what: str, batch: int) -> float:
    if isinstance(term, torch.Tensor) and term.numel() == batch and batch > 1:
        raise WrongAnswer(f"{what} est un vecteur d'une valeur par image : renvoyez sa moyenne sur "
                          "le lot.")
    return as_float(term, what)


@exercise_check
def check_negative_elbo(negative_elbo) -> str:
    """``negative_elbo(x, logits, mu, logvar)`` : (total, reconstruction, KL) moyens sur le lot."""
    device = config.device()
    generator = torch.Generator().manual_seed(0)
    batch, pixels, latent = 5, 784, 3
    x = torch.rand(batch, pixels, generator=generator).to(device)
    logits = (2 * torch.randn(batch, pixels, generator=generator)).to(device).requires_grad_()
    mu = torch.randn(batch, latent, generator=generator).to(device).requires_grad_()
    logvar = (0.7 * torch.randn(batch, latent, generator=generator)).to(device).requires_grad_()
    answer = negative_elbo(x, logits, mu, logvar)
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise WrongAnswer("La fonction doit renvoyer un triplet (total, reconstruction, KL).")
    total, reconstruction, kl = (_value(term, what, batch) for term, what in
                                 zip(answer, ("Le total", "Le terme de reconstruction", "La KL")))

    with torch.no_grad():
        bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
        expected_rec = bce.sum(dim=1).mean().item()
        expected_kl = gaussian_kl_standard(mu, logvar).mean().item()
        swapped = F.binary_cross_entropy_with_logits(x, logits, reduction="none").sum(dim=1).mean()
        twice = F.binary_cross_entropy_with_logits(torch.sigmoid(logits), x, reduction="none")
        squared = [(torch.sigmoid(logits) - x).pow(2), (logits - x).pow(2)]
        log_sigma_kl = 0.5 * (mu.pow(2) + (2 * logvar).exp() - 1 - 2 * logvar).sum(dim=1).mean()
    if close(reconstruction, expected_kl) and close(kl, expected_rec):
        raise WrongAnswer("Les deux termes sont échangés : l'ordre attendu est (total, "
                          "reconstruction, KL).")

    if close(reconstruction, expected_rec / pixels):
        raise WrongAnswer("Le terme de reconstruction est 784 fois trop petit : c'est une moyenne sur "
                          "les pixels. Sommez sur les pixels, puis moyennez sur les images.")
    if close(reconstruction, expected_rec * batch):
        raise WrongAnswer("Le terme de reconstruction est sommé sur les images du lot : il faut la "
                          "moyenne sur les images (nats par image).")
    if close(reconstruction, swapped):
        raise WrongAnswer("Les arguments de l'entropie croisée sont inversés : les logits viennent "
                          "en premier, les pixels cibles x en second.")
    if close(reconstruction, twice.sum(dim=1).mean()) or close(reconstruction, twice.mean()):
        raise WrongAnswer("La sigmoïde est appliquée deux fois : "
                          "F.binary_cross_entropy_with_logits attend les logits eux-mêmes.")
    if any(close(reconstruction, s.sum(dim=1).mean()) or close(reconstruction, s.mean())
           for s in squared):
        raise WrongAnswer("Le terme de reconstruction est une erreur quadratique : avec un décodeur "
                          "de Bernoulli, −log p(x | h) est l'entropie croisée binaire.")
    if not close(reconstruction, expected_rec):
        raise WrongAnswer(f"Le terme de reconstruction vaut {reconstruction:.4g} ; ce n'est pas "
                          "l'entropie croisée binaire sommée sur les pixels et moyennée sur les "
                          "images.")

    if close(kl, -expected_kl):
        raise WrongAnswer("La KL a le mauvais signe : une divergence de Kullback–Leibler est "
                          "positive ou nulle.")
    if close(kl, 2 * expected_kl):
        raise WrongAnswer("La KL est deux fois trop grande : il manque le facteur ½.")
    if close(kl, expected_kl / latent):
        raise WrongAnswer("La KL est moyennée sur les coordonnées latentes : il faut la sommer sur "
                          "les coordonnées, puis la moyenner sur les images.")
    if close(kl, expected_kl * batch):
        raise WrongAnswer("La KL est sommée sur les images du lot : il faut la moyenne sur les "
                          "images.")
    if close(kl, log_sigma_kl):
        raise WrongAnswer("La KL traite logvar comme log σ : c'est log σ², donc σ² = exp(logvar).")
    if not close(kl, expected_kl):
        raise WrongAnswer(f"La KL vaut {kl:.4g} ; ce n'est pas ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²) "
                          "moyenné sur les images.")

    if close(total, reconstruction - kl):
        raise WrongAnswer("Le total vaut reconstruction − KL : −ELBO est la somme des deux termes.")
    if not close(total, reconstruction + kl):
        raise WrongAnswer("Les deux termes sont justes, mais le total n'est pas leur somme.")
    if not (isinstance(answer[0], torch.Tensor) and answer[0].requires_grad):
        raise WrongAnswer("Les valeurs sont justes, mais le total n'est pas un tenseur dérivable : "
                          "une perte doit garder son graphe de calcul (pas de .item(), de .detach() "
                          "ni de NumPy).")
    return "Les trois termes sont justes et le total reste dérivable."


def _expected_grid(n: int, low: float, high: float) -> torch.Tensor:
    q = torch.tensor(norm.ppf(np.linspace(low, high, n)), dtype=torch.float64)
    return torch.stack(torch.meshgrid(q, q.flip(0), indexing="xy"), dim=-1)


@exercise_check
def check_latent_grid(latent_grid) -> str:
    """``latent_grid(n, low, high)`` : grille (n, n, 2) des quantiles de N(0, 1) pour la carte."""
    for n, low, high in ((4, 0.1, 0.9), (5, 0.03, 0.97)):
        answer = as_tensor(latent_grid(n, low, high), f"latent_grid({n}, {low}, {high})",
                           shape=(n, n, 2))
        expected = _expected_grid(n, low, high)
        if close(answer, expected, rtol=1e-5, atol=1e-5):
            continue
        if not torch.isfinite(answer).all():
            raise WrongAnswer("La grille contient des valeurs infinies : Φ⁻¹(0) et Φ⁻¹(1) valent "
                              "∓∞, les probabilités u doivent aller de low à high.")
        if close(torch.sort(answer.flatten()).values, torch.sort(expected.flatten()).values,
                 rtol=1e-5, atol=1e-5):  # les bonnes valeurs, mal rangées
            first, second = answer[..., 0], answer[..., 1]
            if (not torch.allclose(first, first[:1].expand_as(first), atol=1e-6)
                    or not torch.allclose(second, second[:, :1].expand_as(second), atol=1e-6)):
                raise WrongAnswer("Les axes sont échangés : la première coordonnée ne doit dépendre "
                                  "que de la colonne j (grid[i, j, 0]), la seconde que de la ligne "
                                  "i (grid[i, j, 1]).")
            if first[0, 0] > first[0, -1]:
                raise WrongAnswer("La première coordonnée doit croître de gauche à droite.")
            if second[0, 0] < second[-1, 0]:
                raise WrongAnswer("La carte est à l'envers : la seconde coordonnée doit décroître "
                                  "de haut en bas, comme l'axe des ordonnées d'un graphique.")
        u = torch.tensor(np.linspace(low, high, n), dtype=torch.float64)
        if close(torch.sort(answer.flatten()).values, torch.sort(torch.cat([u, u]).repeat(n)).values,
                 rtol=1e-5, atol=1e-5):
            raise WrongAnswer("Les coordonnées sont les probabilités u elles-mêmes : il faut les "
                              "quantiles Φ⁻¹(u) de la loi normale (norm.ppf).")
        steps = torch.unique(answer.flatten()).diff()
        if len(steps) > 1 and torch.allclose(steps, steps[0].expand_as(steps), atol=1e-4):
            raise WrongAnswer("Les points sont régulièrement espacés : ils doivent être placés aux "
                              "quantiles Φ⁻¹(u), plus serrés au centre qu'aux bords.")
        raise WrongAnswer(f"Pour n = {n}, low = {low}, high = {high}, la grille n'est pas celle "
                          "des quantiles Φ⁻¹(u) décrite dans la docstring.")
    return "Grille des quantiles juste, axes dans le bon sens."


@exercise_check
def check_assemble_mosaic(assemble_mosaic) -> str:
    """``assemble_mosaic(images)`` : images (R, C, H, W) assemblées en une image (R·H, C·W)."""
    rows, cols, height, width = 2, 3, 4, 5  # toutes les dimensions différentes
    images = torch.arange(rows * cols * height * width, dtype=torch.float32)
    images = images.reshape(rows, cols, height, width)
    answer = assemble_mosaic(images.clone())
    if not isinstance(answer, torch.Tensor):
        raise WrongAnswer(f"La mosaïque doit être un tenseur torch, pas un objet "
                          f"{type(answer).__name__}.")
    expected = images.permute(0, 2, 1, 3).reshape(rows * height, cols * width)
    mistakes = [
        (images.reshape(rows * height, cols * width),
         "Les petites images sont découpées en bandes : un simple reshape ne suffit pas, il faut "
         "d'abord réordonner les axes pour que les lignes de pixels d'une même rangée d'images se "
         "suivent."),
        (images.permute(1, 2, 0, 3).reshape(cols * height, rows * width),
         "Rangées et colonnes de la mosaïque sont échangées : l'image images[i, j] doit être dans "
         "la rangée i et la colonne j."),
        (images.permute(0, 3, 1, 2).reshape(rows * width, cols * height),
         "Chaque petite image est transposée : gardez l'ordre (hauteur, largeur) des pixels."),
    ]
    for wrong, message in mistakes:
        if close(answer, wrong):
            raise WrongAnswer(message)
    as_tensor(answer, "La mosaïque", shape=(rows * height, cols * width))
    if not close(answer, expected):
        raise WrongAnswer("Sur un petit exemple (2 × 3 images de 4 × 5 pixels), la mosaïque ne place "
                          "pas images[i, j] dans la case de la rangée i et de la colonne j.")
    return "Mosaïque juste sur un petit exemple non carré."
