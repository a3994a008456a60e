"""Inverser un décodeur : chercher h* ∈ argmin_h ‖D(h) − x‖² pour chaque image x.

Toutes les méthodes partent de codes initiaux ``init`` (typiquement E(x), la moyenne de
q_φ(h | x)) et renvoient un :class:`Inversion` : codes finaux et erreurs par image ‖D(h) − x‖²
(somme sur les pixels). Les cibles ``targets`` sont des vecteurs (N, n) ou des images
(N, 1, 28, 28).

Conventions communes :

- ``decoder`` : la fonction D, qui envoie des codes (N, p) sur des images aplaties (N, n), par
  exemple ``lambda h: torch.sigmoid(vae.decode(h))`` ;
- ``encoder`` : la fonction E, qui envoie des images aplaties (N, n) sur des codes (N, p), par
  exemple ``lambda x: vae.encode(x)[0]`` ;
- ``init`` : codes initiaux de forme (N, p) ; ``targets``, ``init`` et le modèle sont sur le même
  périphérique ;
- ``steps`` : nombre de pas (ou d'itérations), entier strictement positif.

Des codes ``init`` qui ne sont pas de forme (N, p), avec le N des cibles, ou un ``steps`` (ou
``lr``) invalide lèvent ``ValueError``. Les méthodes par gradient dérivent à travers le décodeur :
mieux vaut geler ses poids au préalable (``vae.requires_grad_(False)``, comme au TP 6), sans quoi
leurs gradients s'accumulent inutilement.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat

import torch
import torch.nn.functional as F

from .validation import require_learning_rate, require_positive_int

Decoder = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class Inversion:
    """Résultat d'une inversion : codes (N, p), erreurs finales par image (N,), durée en secondes.

    Attributs :

    - ``codes`` : codes finaux ĥ, tenseur de forme (N, p) détaché du graphe de calcul ;
    - ``errors`` : erreurs finales ‖D(ĥ) − x‖² (somme sur les pixels), tenseur de forme (N,) ;
    - ``seconds`` : durée du calcul, en secondes.
    """

    codes: torch.Tensor
    errors: torch.Tensor
    seconds: float


def decoding_errors(decoder: Decoder, codes: torch.Tensor, targets: torch.Tensor,
                    visible: torch.Tensor | None = None) -> torch.Tensor:
    """‖D(h_i) − x_i‖² pour chaque image (somme sur les pixels, ou sur les seuls pixels visibles).

    Arguments :

    - ``decoder`` : la fonction D, des codes (N, p) vers des images aplaties (N, n) ;
    - ``codes`` : codes h_i, de forme (N, p) ;
    - ``targets`` : images x_i, de forme (N, n) ou (N, 1, 28, 28) ;
    - ``visible`` : masque de même forme que ``targets`` (booléens, ou 0 et 1) ; l'erreur ne
      porte alors que sur les pixels où il est vrai (``None`` : tous les pixels).

    Renvoie : un tenseur de forme (N,), dérivable par rapport aux codes (sauf sous
    ``torch.no_grad()``).

    Exemple : ::

        initial_errors = inversion.decoding_errors(decoder, init, targets)
    """
    # mse_loss sans réduction : (D(h) − x)² en un seul calcul, et sa dérivée aussi.
    squared = F.mse_loss(decoder(codes), targets.flatten(1), reduction="none")
    if visible is not None:
        squared = squared * visible.flatten(1).to(squared.dtype)
    return squared.sum(dim=1)


def _check(codes: torch.Tensor, targets: torch.Tensor, steps: int, lr: float | None = None,
           visible: torch.Tensor | None = None) -> None:
    if visible is not None and visible.shape != targets.shape:
        raise ValueError(f"Masque visible de forme {tuple(visible.shape)} pour des cibles de forme "
                         f"{tuple(targets.shape)} : il faut la même forme.")
    if codes.ndim != 2 or len(codes) != len(targets):
        raise ValueError(
            f"Codes initiaux de forme {tuple(codes.shape)} pour {len(targets)} images : "
            "attendu (N, p) avec le même N."
        )
    require_positive_int("steps", steps)
    if lr is not None:
        require_learning_rate(lr)


def invert_batched(decoder: Decoder, targets: torch.Tensor, init: torch.Tensor,
                   steps: int = 100, lr: float = 0.05, chunk_size: int = 1024,
                   visible: torch.Tensor | None = None) -> Inversion:
    """Adam sur tous les codes à la fois : la perte est la somme des erreurs par image.

    Adam agit coordonnée par coordonnée et chaque erreur ne dépend que de son code : ce calcul
    donne exactement les mêmes codes que N optimisations séparées (aux erreurs d'arrondi près),
    en une fraction du temps. Les images sont traitées par paquets de ``chunk_size`` (même
    résultat, mémoire bornée et meilleure utilisation des caches du processeur).

    Arguments :

    - ``decoder``, ``targets``, ``init`` : voir l'en-tête du module ;
    - ``steps`` : nombre de pas d'Adam ;
    - ``lr`` : taux d'apprentissage d'Adam ;
    - ``chunk_size`` : nombre d'images par paquet ;
    - ``visible`` : masque de même forme que ``targets`` ; seuls les pixels où il est vrai
      comptent dans l'erreur minimisée et dans les erreurs renvoyées (``None`` : tous). C'est
      l'inpainting par inversion du TP 7 : ajuster le code aux pixels connus, puis lire D(ĥ) sur
      les autres.

    Renvoie : un :class:`Inversion`.

    Exemple : ::

        batched = inversion.invert_batched(decoder, targets, init, steps=150, lr=0.05)
    """
    _check(init, targets, steps, lr, visible)
    require_positive_int("chunk_size", chunk_size)
    start = time.perf_counter()
    targets = targets.flatten(1)
    masks = (repeat(None) if visible is None
             else visible.flatten(1).to(targets.device).split(chunk_size))
    codes, errors = [], []
    for chunk_init, chunk_targets, chunk_weights in zip(init.split(chunk_size),
                                                        targets.split(chunk_size), masks):
        chunk = chunk_init.detach().clone().requires_grad_(True)
        optimizer = torch.optim.Adam([chunk], lr=lr)
        for _ in range(steps):
            optimizer.zero_grad(set_to_none=True)
            decoding_errors(decoder, chunk, chunk_targets, chunk_weights).sum().backward()
            optimizer.step()
        with torch.no_grad():
            errors.append(decoding_errors(decoder, chunk, chunk_targets, chunk_weights))
        codes.append(chunk.detach())
    return Inversion(torch.cat(codes), torch.cat(errors), time.perf_counter() - start)


def invert_loop(decoder: Decoder, targets: torch.Tensor, init: torch.Tensor,
                steps: int = 100, lr: float = 0.05) -> Inversion:
    """Une optimisation Adam par image, les images l'une après l'autre.

    Même résultat que :func:`invert_batched`, en beaucoup plus lent : l'illustration du TP 6.

    Mêmes arguments que :func:`invert_batched`, sans ``chunk_size`` ; renvoie un
    :class:`Inversion`.
    """
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

    Arguments :

    - ``decoder``, ``targets``, ``init`` : voir l'en-tête du module ;
    - ``steps`` : nombre maximal d'itérations (L-BFGS peut s'arrêter avant) ;
    - ``history`` : nombre de paires de courbure gardées en mémoire.

    Renvoie : un :class:`Inversion`.
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
    """Itération de point fixe h ← T_x(h) = h + E(x) − E(D(h)), partant des codes ``init``.

    Un point fixe vérifie E(D(h)) = E(x), ce qui n'est pas la même chose que minimiser
    ‖D(h) − x‖² (voir le chapitre 4).

    Arguments :

    - ``encoder``, ``decoder``, ``targets``, ``init`` : voir l'en-tête du module ;
    - ``steps`` : nombre d'itérations.

    Renvoie : un couple ``(résultat, historique)`` : un :class:`Inversion` et un tenseur de taille
    steps + 1, l'erreur moyenne ‖D(h) − x‖² sur les images avant la première itération puis après
    chacune.

    Exemple : ::

        fixed, fixed_history = inversion.fixed_point(encoder, decoder, targets, init, steps=50)
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
    """Estimation locale du facteur de Lipschitz de Id − E∘D, en chacun des codes ``codes``.

    Pour chaque code h et une perturbation aléatoire v de norme ``radius`` :
    ‖(Id − E∘D)(h + v) − (Id − E∘D)(h)‖ / ‖v‖.
    Des rapports < 1 partout sont nécessaires (pas suffisants) pour que T_x contracte.

    Arguments :

    - ``encoder``, ``decoder`` : voir l'en-tête du module ;
    - ``codes`` : les codes h où estimer le rapport, de forme (N, p) ;
    - ``radius`` : norme des perturbations v ;
    - ``seed`` : graine du tirage des directions de v (générateur propre sur le CPU).

    Renvoie : un tenseur de forme (N,), sur le périphérique de ``codes``.
    """
    generator = torch.Generator().manual_seed(seed)
    v = torch.randn(codes.shape, generator=generator).to(codes.device)
    v = radius * v / v.norm(dim=1, keepdim=True)

    def residual(h):
        return h - encoder(decoder(h))

    with torch.no_grad():
        return (residual(codes + v) - residual(codes)).norm(dim=1) / radius


def relative_change(initial_errors: torch.Tensor, final_errors: torch.Tensor) -> torch.Tensor:
    """Variation relative δ de l'erreur de reconstruction de chaque image, due à l'inversion.

    δ = (‖D(ĥ) − x‖² − ‖D(E(x)) − x‖²) / ‖D(E(x)) − x‖², calculée à partir des deux erreurs :
    négative quand l'inversion améliore la reconstruction.

    Arguments :

    - ``initial_errors`` : erreurs ‖D(E(x)) − x‖², de forme (N,) ;
    - ``final_errors`` : erreurs ‖D(ĥ) − x‖² après inversion, de même forme.

    Renvoie : un tenseur de forme (N,) (dénominateur borné inférieurement par 10⁻¹²).

    Lève : ``ValueError`` si les formes diffèrent.

    Exemple : ::

        delta = inversion.relative_change(initial_errors, batched.errors)
    """
    if initial_errors.shape != final_errors.shape:
        raise ValueError(
            f"Formes incompatibles : {tuple(initial_errors.shape)} et {tuple(final_errors.shape)}."
        )
    return (final_errors - initial_errors) / initial_errors.clamp_min(1e-12)
