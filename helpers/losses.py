"""Pénalités et pertes du cours : parcimonie, contraction, VAE, et mesure de qualité (PSNR).

Conventions : les lots sont sur la première dimension ; les pénalités sont des moyennes sur le lot
de quantités par exemple (sauf la pénalité de parcimonie, qui porte sur l'activation moyenne du
lot) ; les log-vraisemblances sont en nats par image.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .validation import require_nonnegative, require_probability, require_same_shape

EPS = 1e-6


# --- Auto-encodeurs parcimonieux -------------------------------------------------------------


def bernoulli_kl(rho: float, rho_hat: torch.Tensor) -> torch.Tensor:
    """KL(ρ ‖ ρ̂) entre lois de Bernoulli, terme à terme ; ρ̂ est borné dans [ε, 1 − ε].

    Arguments :

    - ``rho`` : probabilité cible ρ, strictement comprise entre 0 et 1 ;
    - ``rho_hat`` : tenseur de probabilités ρ̂, de forme quelconque (ε = ``EPS`` = 10⁻⁶).

    Renvoie : un tenseur de la forme de ``rho_hat``, en nats.

    Lève : ``ValueError`` si ``rho`` n'est pas dans ]0, 1[.
    """
    require_probability("rho", rho)
    rho_hat = rho_hat.clamp(EPS, 1 - EPS)
    return rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))


def mean_activation(h: torch.Tensor) -> torch.Tensor:
    """Activation moyenne ρ̂_j de chaque unité j du code sur un lot.

    Arguments :

    - ``h`` : codes de forme (N, p), N ≥ 1, à valeurs dans [0, 1] (code sigmoïde).

    Renvoie : un tenseur de forme (p,).

    Lève : ``ValueError`` si ``h`` n'est pas de forme (N, p) avec N ≥ 1, ou sort de [0, 1].
    """
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
    """Ω(h) = Σ_j KL(ρ ‖ ρ̂_j), où ρ̂_j est l'activation moyenne de l'unité j sur le lot.

    Arguments :

    - ``h`` : codes de forme (N, p) à valeurs dans [0, 1] ;
    - ``rho`` : activation moyenne visée ρ, dans ]0, 1[.

    Renvoie : un tenseur scalaire (forme ()), dérivable par rapport à ``h``.

    Lève : ``ValueError`` (voir :func:`mean_activation` et :func:`bernoulli_kl`).
    """
    return bernoulli_kl(rho, mean_activation(h)).sum()


def l1_penalty(h: torch.Tensor) -> torch.Tensor:
    """Ω(h) = ‖h‖₁ moyenné sur le lot (pénalité issue d'une loi a priori de Laplace).

    Arguments :

    - ``h`` : codes de forme (N, p), de signe quelconque.

    Renvoie : un tenseur scalaire, la moyenne sur les N exemples de la norme ‖h‖₁ de leur code.

    Lève : ``ValueError`` si ``h`` n'est pas de forme (N, p).
    """
    if h.ndim != 2:
        raise ValueError(f"Codes de forme {tuple(h.shape)} : attendu (N, p).")
    return h.abs().sum(dim=1).mean()


# --- Auto-encodeurs contractifs --------------------------------------------------------------


def contractive_penalty_sigmoid(x: torch.Tensor, layer: nn.Linear) -> torch.Tensor:
    """‖J_f(x)‖_F² moyen pour f(x) = sig(Wx + b), en forme close (Rifai et al., 2011).

    J_f(x) = diag(h ⊙ (1 − h)) W, donc ‖J_f(x)‖_F² = Σ_j (h_j (1 − h_j))² Σ_i W_ji².

    Arguments :

    - ``x`` : lot de forme (N, n) ou images (N, 1, 28, 28), sur le périphérique de ``layer`` ;
    - ``layer`` : la couche ``nn.Linear`` (W de forme (p, n), b) de l'encodeur, par exemple
      ``model.encoder[0]``.

    Renvoie : un tenseur scalaire, moyenne sur le lot, dérivable par rapport à W et b.

    Lève : ``ValueError`` si les exemples n'ont pas ``layer.in_features`` coordonnées.

    Exemple : ::

        penalty = contractive_penalty_sigmoid(x_test.to(device), model.encoder[0]).item()
    """
    x = x.reshape(len(x), -1)
    if x.shape[1] != layer.in_features:
        raise ValueError(
            f"Entrée de forme {tuple(x.shape)} : attendu (N, {layer.in_features})."
        )
    h = torch.sigmoid(layer(x))
    row_norms = layer.weight.pow(2).sum(dim=1)  # Σ_i W_ji², une valeur par unité j
    return ((h * (1 - h)).pow(2) * row_norms).sum(dim=1).mean()


def contractive_penalty(encoder: Callable[[torch.Tensor], torch.Tensor],
                        x: torch.Tensor) -> torch.Tensor:
    """‖J_f(x)‖_F² moyen pour un encodeur quelconque, par différentiation automatique.

    Coût : une jacobienne (p × n) par exemple ; à réserver aux petits lots ou aux vérifications.
    Le résultat reste dérivable par rapport aux paramètres de l'encodeur.

    Arguments :

    - ``encoder`` : fonction qui envoie un lot de vecteurs (1, n) sur des codes (1, p), par
      exemple ``model.encode`` d'un :class:`~helpers.models.DenseAutoencoder` ; elle est appliquée
      à chaque exemple séparément (``torch.func.vmap``) ;
    - ``x`` : lot de forme (N, n) ou images (N, 1, 28, 28), sur le périphérique de l'encodeur.

    Renvoie : un tenseur scalaire, la moyenne sur le lot de ‖J_f(x)‖_F².

    Exemple : ::

        penalty = contractive_penalty(model.encode, batch)
    """
    flat = x.reshape(len(x), -1)

    def single(v: torch.Tensor) -> torch.Tensor:
        return encoder(v.unsqueeze(0)).squeeze(0)

    jacobians = torch.func.vmap(torch.func.jacrev(single))(flat)
    return jacobians.pow(2).sum(dim=(1, 2)).mean()


# --- Auto-encodeurs variationnels ------------------------------------------------------------


def gaussian_kl_standard(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²), une valeur par exemple.

    C'est le terme KL(q_φ(h | x) ‖ p₀) de l'ELBO, avec la loi a priori p₀ = N(0, I_p).

    Arguments :

    - ``mu``, ``logvar`` : μ et log σ², tenseurs de forme (N, p).

    Renvoie : un tenseur de forme (N,), en nats.

    Lève : ``ValueError`` si les deux formes diffèrent.
    """
    require_same_shape(mu, logvar, "mu et logvar")
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)


def reparameterize(
    mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Tirage h = μ + σ ⊙ ε avec ε ~ N(0, I) : dérivable par rapport à μ et à log σ².

    Arguments :

    - ``mu``, ``logvar`` : μ et log σ² (σ = exp(½ log σ²)), tenseurs de forme (N, p) ;
    - ``generator`` : générateur ``torch.Generator`` sur le CPU pour un tirage reproductible ; ε
      est alors tiré sur le CPU puis envoyé sur le périphérique de ``mu`` (``None`` : ε est tiré
      directement sur ce périphérique avec le générateur global).

    Renvoie : un tenseur h de forme (N, p), sur le périphérique de ``mu``.

    Lève : ``ValueError`` si les deux formes diffèrent.
    """
    require_same_shape(mu, logvar, "mu et logvar")
    if generator is None:
        eps = torch.randn_like(mu)
    else:  # générateur sur le CPU : tirage sur le CPU puis transfert (GPU compris)
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype).to(mu.device)
    return mu + torch.exp(0.5 * logvar) * eps


def bernoulli_nll(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """−log p_θ(x | h) pour un décodeur de Bernoulli de logits ``logits``, une valeur par image.

    Arguments :

    - ``logits`` : logits des pixels donnés par le décodeur, par exemple de forme (N, 784) ;
    - ``x`` : images de même forme, pixels dans [0, 1].

    Renvoie : un tenseur de forme (N,), en nats (somme sur les pixels).

    Lève : ``ValueError`` si les formes diffèrent ou si ``x`` sort de [0, 1].
    """
    require_same_shape(logits, x, "logits et x")
    if x.min() < 0 or x.max() > 1:
        raise ValueError("Le décodeur de Bernoulli demande des pixels dans [0, 1].")
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(dim=1)


def gaussian_nll(mean: torch.Tensor, x: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """−log N(x ; mean, σ² I) en nats, une valeur par image (décodeur gaussien d'écart type σ_D).

    Arguments :

    - ``mean`` : moyenne g(h) donnée par le décodeur, par exemple de forme (N, 784) ;
    - ``x`` : images de même forme ;
    - ``sigma`` : écart type σ_D > 0.

    Renvoie : un tenseur de forme (N,), en nats, constante ½ n log(2πσ²) comprise.

    Lève : ``ValueError`` si les formes diffèrent ou si ``sigma`` n'est pas strictement positif.
    """
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
    pour un tirage h ~ q_φ(h | x) ; le total vaut reconstruction + β · KL.

    Arguments :

    - ``x`` : images aplaties, de forme (N, n), pixels dans [0, 1] ;
    - ``decoder_output`` : tenseur de la forme de ``x`` ;
    - ``mu``, ``logvar`` : μ et log σ² de q_φ(h | x), de forme (N, p) ;
    - ``likelihood`` : ``"bernoulli"`` ou ``"gaussian"`` ;
    - ``beta`` : poids β ≥ 0 du terme KL (β = 1 : l'ELBO ; autre valeur : β-VAE) ;
    - ``sigma`` : écart type σ_D du décodeur gaussien (ignoré pour ``"bernoulli"``).

    Renvoie : un triplet de tenseurs scalaires ``(total, reconstruction, kl)``, moyennes sur le
    lot ; ``kl`` n'est pas multiplié par β.

    Lève : ``ValueError`` pour une vraisemblance inconnue, un ``beta`` négatif, des formes ou des
    tailles de lot incompatibles, des pixels hors de [0, 1] (Bernoulli).

    Exemple : ::

        total, reconstruction, kl = negative_elbo(x.flatten(1), logits, mu, logvar)
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
    """PSNR par image, en dB : 10 log10(range² / MSE), une valeur par image du lot.

    Arguments :

    - ``x``, ``y`` : deux lots de même forme, (N, 1, 28, 28) ou (N, 784) par exemple ;
    - ``data_range`` : l'écart entre les valeurs extrêmes des pixels (1 pour [0, 1]).

    Renvoie : un tenseur de forme (N,), en dB ; la MSE est bornée inférieurement par 10⁻¹² (deux
    images identiques donnent 120 dB pour ``data_range=1``).

    Lève : ``ValueError`` si les formes diffèrent.

    Exemple : ::

        psnr(x_test, reconstruct(model, x_test)).mean().item()
    """
    require_same_shape(x, y, "x et y")
    mse = (x - y).pow(2).flatten(1).mean(dim=1)
    return 10 * torch.log10(data_range**2 / mse.clamp_min(1e-12))


SSIM_WINDOW = 7  # fenêtre par défaut de scikit-image


def mean_ssim(x: torch.Tensor, y: torch.Tensor, data_range: float = 1.0) -> float:
    """SSIM moyen entre deux lots d'images (N, 1, H, W) ou (N, H, W), calculé par lots.

    C'est la moyenne des ``skimage.metrics.structural_similarity(u, v, data_range=data_range)``
    image par image, avec les réglages par défaut de scikit-image (fenêtre uniforme 7 × 7,
    covariances empiriques, bords de 3 pixels exclus), mais en un seul calcul sur tout le lot
    (moyennes locales par ``avg_pool2d``, en float64) plutôt qu'une boucle Python sur les images :
    même valeur, des dizaines de fois plus vite sur 10 000 images.

    Arguments :

    - ``x``, ``y`` : deux lots d'images de même forme (tenseurs, sur n'importe quel périphérique),
      de côté au moins 7 ;
    - ``data_range`` : l'écart entre les valeurs extrêmes des pixels (1 pour [0, 1]).

    Renvoie : un ``float`` Python, la moyenne des SSIM image par image (1 pour des images
    identiques).

    Lève : ``ValueError`` si les formes diffèrent ou ne sont pas celles d'un lot d'images.
    """
    require_same_shape(x, y, "x et y")
    if x.ndim not in (3, 4) or (x.ndim == 4 and x.shape[1] != 1) or min(x.shape[-2:]) < SSIM_WINDOW:
        raise ValueError(f"Images de forme {tuple(x.shape)} : attendu (N, 1, H, W) ou (N, H, W), "
                         f"de côté au moins {SSIM_WINDOW} ; un lot de vecteurs (N, 784) se remet en "
                         "images par x.view(-1, 1, 28, 28).")
    a = x.detach().reshape(-1, 1, *x.shape[-2:]).to("cpu", torch.float64)
    b = y.detach().reshape(-1, 1, *y.shape[-2:]).to("cpu", torch.float64)
    per_image = torch.cat([_ssim_per_image(u, v, data_range)
                           for u, v in zip(a.split(4096), b.split(4096))])
    return per_image.mean().item()


def _ssim_per_image(a: torch.Tensor, b: torch.Tensor, data_range: float) -> torch.Tensor:
    """SSIM de chaque image du lot (N, 1, H, W), comme scikit-image : moyenne de la carte SSIM
    sur les fenêtres entièrement dans l'image."""
    def local_mean(t):
        return F.avg_pool2d(t, SSIM_WINDOW, stride=1)

    mean_a, mean_b = local_mean(a), local_mean(b)
    sample = SSIM_WINDOW**2 / (SSIM_WINDOW**2 - 1)  # covariances empiriques (n − 1)
    var_a = sample * (local_mean(a * a) - mean_a**2)
    var_b = sample * (local_mean(b * b) - mean_b**2)
    cov = sample * (local_mean(a * b) - mean_a * mean_b)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    ssim = ((2 * mean_a * mean_b + c1) * (2 * cov + c2)
            / ((mean_a**2 + mean_b**2 + c1) * (var_a + var_b + c2)))
    return ssim.mean(dim=(1, 2, 3))
