"""Inverser un décodeur : chercher h* ∈ argmin_h ‖D(h) − x‖² pour chaque image x.

Toutes les méthodes partent de codes initiaux ``init`` (typiquement E(x), la moyenne de q(h | x))
et renvoient un :class:`Inversion` : codes finaux et erreurs par image ‖D(h) − x‖² (somme sur les
pixels). Les cibles ``targets`` sont des vecteurs (N, n) ou des images (N, 1, 28, 28).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from .validation import require_learning_rate, require_positive_int

Decoder = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class Inversion:
    """Résultat d'une inversion : codes (N, p), erreurs finales par image (N,), durée en secondes."""

    codes: torch.Tensor
    errors: torch.Tensor
    seconds: float


def decoding_errors(decoder: Decoder, codes: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """‖D(h_i) − x_i‖² pour chaque image (somme sur les pixels)."""
    return (decoder(codes) - targets.flatten(1)).pow(2).sum(dim=1)


def _check(codes: torch.Tensor, targets: torch.Tensor, steps: int, lr: float | None = None) -> None:
    if codes.ndim != 2 or len(codes) != len(targets):
        raise ValueError(
            f"Codes initiaux de forme {tuple(codes.shape)} pour {len(targets)} images : "
            "attendu (N, p) avec le même N."
        )
    require_positive_int("steps", steps)
    if lr is not None:
        require_learning_rate(lr)


def invert_batched(decoder: Decoder, targets: torch.Tensor, init: torch.Tensor,
                   steps: int = 100, lr: float = 0.05, chunk_size: int = 1024) -> Inversion:
    """Adam sur tous les codes à la fois : la perte est la somme des erreurs par image.

    Adam agit coordonnée par coordonnée et chaque erreur ne dépend que de son code : ce calcul
    donne exactement les mêmes codes que N optimisations séparées, en une fraction du temps.
    Les images sont traitées par paquets de ``chunk_size`` (même résultat, mémoire bornée et
    meilleure utilisation des caches du processeur).
    """
    _check(init, targets, steps, lr)
    require_positive_int("chunk_size", chunk_size)
    start = time.perf_counter()
    targets = targets.flatten(1)
    codes, errors = [], []
    for chunk_init, chunk_targets in zip(init.split(chunk_size), targets.split(chunk_size)):
        chunk = chunk_init.detach().clone().requires_grad_(True)
        optimizer = torch.optim.Adam([chunk], lr=lr)
        for _ in range(steps):
            optimizer.zero_grad(set_to_none=True)
            decoding_errors(decoder, chunk, chunk_targets).sum().backward()
            optimizer.step()
        with torch.no_grad():
            errors.append(decoding_errors(decoder, chunk, chunk_targets))
        codes.append(chunk.detach())
    return Inversion(torch.cat(codes), torch.cat(errors), time.perf_counter() - start)


def invert_loop(decoder: Decoder, targets: torch.Tensor, init: torch.Tensor,
                steps: int = 100, lr: float = 0.05) -> Inversion:
    """Une optimisation Adam par image, les images l'une après l'autre (même résultat que
    :func:`invert_batched`, en beaucoup plus lent : l'illustration du TP 6)."""
    _check(init, targets, steps, lr)
    start = time.perf_counter()
    results = [invert_batched(decoder, targets[i : i + 1], init[i : i + 1], steps, lr)
               for i in range(len(targets))]
    codes = torch.cat([r.codes for r in results])
    errors = torch.cat([r.errors for r in results])
    return Inversion(codes, errors, time.perf_counter() - start)


def invert_lbfgs(decoder: Decoder, targets: torch.Tensor, init: torch.Tensor,
                 steps: int = 20, history: int = 10) -> Inversion:
    """L-BFGS (recherche linéaire de Wolfe forte) sur la somme des erreurs de tout le lot.

    Contrairement à Adam, L-BFGS n'est pas séparable : ses paires de courbure et son pas mêlent
    les images. ``steps`` est le nombre maximal d'itérations.
    """
    _check(init, targets, steps)
    start = time.perf_counter()
    targets = targets.flatten(1)
    codes = init.detach().clone().requires_grad_(True)
    optimizer = torch.optim.LBFGS([codes], lr=1, max_iter=steps, history_size=history,
                                  line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad(set_to_none=True)
        loss = decoding_errors(decoder, codes, targets).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        errors = decoding_errors(decoder, codes, targets)
    return Inversion(codes.detach(), errors, time.perf_counter() - start)


def fixed_point(encoder: Decoder, decoder: Decoder, targets: torch.Tensor, init: torch.Tensor,
                steps: int = 50) -> tuple[Inversion, torch.Tensor]:
    """Itération h ← T_x(h) = h + E(x) − E(D(h)) ; renvoie le résultat et, pour chaque itération,
    l'erreur moyenne ‖D(h) − x‖² (tenseur de taille steps + 1).

    Un point fixe vérifie E(D(h)) = E(x), ce qui n'est pas la même chose que minimiser
    ‖D(h) − x‖² (voir le chapitre 4).
    """
    _check(init, targets, steps)
    start = time.perf_counter()
    targets = targets.flatten(1)
    codes = init.detach().clone()
    with torch.no_grad():
        target_codes = encoder(targets)
        history = [decoding_errors(decoder, codes, targets).mean()]
        for _ in range(steps):
            codes = codes + target_codes - encoder(decoder(codes))
            history.append(decoding_errors(decoder, codes, targets).mean())
        errors = decoding_errors(decoder, codes, targets)
    return Inversion(codes, errors, time.perf_counter() - start), torch.stack(history)


def contraction_ratios(encoder: Decoder, decoder: Decoder, codes: torch.Tensor,
                       radius: float = 0.1, seed: int = 0) -> torch.Tensor:
    """Estimation locale du facteur de Lipschitz de Id − E∘D : pour chaque code h et une
    perturbation aléatoire v de norme ``radius``, ‖(Id − E∘D)(h + v) − (Id − E∘D)(h)‖ / ‖v‖.
    Des rapports < 1 partout sont nécessaires (pas suffisants) pour que T_x contracte."""
    generator = torch.Generator().manual_seed(seed)
    v = torch.randn(codes.shape, generator=generator).to(codes.device)
    v = radius * v / v.norm(dim=1, keepdim=True)

    def residual(h):
        return h - encoder(decoder(h))

    with torch.no_grad():
        return (residual(codes + v) - residual(codes)).norm(dim=1) / radius


def relative_change(initial_errors: torch.Tensor, final_errors: torch.Tensor) -> torch.Tensor:
    """Variation relative de l'erreur δ = (‖D(ĥ) − x‖² − ‖D(E(x)) − x‖²) / ‖D(E(x)) − x‖² par image,
    à partir des deux erreurs : négative quand l'inversion améliore la reconstruction."""
    if initial_errors.shape != final_errors.shape:
        raise ValueError(
            f"Formes incompatibles : {tuple(initial_errors.shape)} et {tuple(final_errors.shape)}."
        )
    return (final_errors - initial_errors) / initial_errors.clamp_min(1e-12)
