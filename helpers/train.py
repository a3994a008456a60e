"""Boucle d'entraînement sur des tenseurs en mémoire, avec historique et barre de progression, et
calculs par lots d'un modèle entraîné (perte, codes, reconstructions, classes).

Les images peuvent rester sur le CPU : chaque lot est envoyé sur le périphérique du modèle (celui
de ses paramètres), et les résultats de :func:`encode`, :func:`reconstruct` et :func:`predict`
reviennent sur le CPU. Une perte ``loss`` est une fonction ``loss(model, x)`` (ou
``loss(model, x, y)`` avec des étiquettes) qui renvoie un tenseur scalaire :
:func:`reconstruction_mse`, :func:`classification_loss` ou un objectif de
:mod:`helpers.objectives`.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.std import tqdm

from .config import native_bfloat16
from .validation import require_learning_rate, require_pixels, require_positive_int

Loss = Callable[..., torch.Tensor]


def reconstruction_mse(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Erreur quadratique moyenne par pixel entre ``x`` et sa reconstruction ``model(x)``.

    C'est la perte par défaut de :func:`fit` et :func:`evaluate`.

    Renvoie : un tenseur scalaire, moyenne sur les pixels et les images du lot ``x``.
    """
    return F.mse_loss(model(x), x)


def reconstruction_bce(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Entropie croisée binaire moyenne par pixel entre ``x`` et sa reconstruction ``model(x)``.

    Chaque pixel de ``x`` dans [0, 1] est vu comme la probabilité d'un pixel allumé, et la sortie
    du modèle (sigmoïde, dans [0, 1]) comme sa prédiction : c'est la perte de Hinton et
    Salakhutdinov (2006) pour MNIST. Elle pénalise plus qu'une erreur quadratique les pixels
    presque noirs ou presque blancs mal reconstruits, et accélère l'apprentissage d'une sortie
    sigmoïde.

    Renvoie : un tenseur scalaire, moyenne sur les pixels et les images du lot ``x``, en nats.
    """
    return F.binary_cross_entropy(model(x), x)


def classification_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Entropie croisée entre les logits ``model(x)`` et les étiquettes ``y``.

    Arguments :

    - ``model`` : un classifieur dont la sortie est de forme (N, 10) ;
    - ``x`` : lot d'images ;
    - ``y`` : étiquettes entières (``int64``) de forme (N,).

    Renvoie : un tenseur scalaire, moyenne sur le lot, en nats.

    Exemple : ::

        fit(classifier, train.images, targets=train.labels, loss=classification_loss, epochs=3)
    """
    return F.cross_entropy(model(x), y)


@dataclass
class History:
    """Pertes moyennes par époque (entraînement et, si fourni, test) et durée totale en secondes.

    C'est ce que renvoient :func:`fit` et :func:`helpers.checkpoints.fit_cached`.

    Attributs :

    - ``train_loss`` : liste de ``float``, la perte moyenne sur l'ensemble d'entraînement pendant
      chaque époque (un élément par époque) ;
    - ``test_loss`` : liste de ``float``, la perte sur les images de test après chaque époque
      (vide sans ``test_images``) ;
    - ``seconds`` : durée de l'entraînement en secondes, évaluations de test comprises (celle de
      l'entraînement d'origine pour un modèle rechargé du cache).
    """

    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0


def minibatches(
    n: int, batch_size: int, generator: torch.Generator | None = None
) -> Iterator[torch.Tensor]:
    """Indices de mini-lots d'une permutation aléatoire de ``range(n)``, le dernier parfois court.

    Arguments :

    - ``n`` : nombre d'exemples ;
    - ``batch_size`` : taille des lots ;
    - ``generator`` : générateur ``torch.Generator`` sur le CPU qui tire la permutation (``None`` :
      le générateur global).

    Renvoie : un itérateur de tenseurs ``int64`` à une dimension, de taille ``batch_size`` (sauf
    le dernier) ; chaque indice de 0 à n − 1 apparaît une fois.
    """
    order = torch.randperm(n, generator=generator)
    yield from order.split(batch_size)


def fit(
    model: nn.Module,
    images: torch.Tensor,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    loss: Loss = reconstruction_mse,
    test_images: torch.Tensor | None = None,
    targets: torch.Tensor | None = None,
    test_targets: torch.Tensor | None = None,
    on_epoch_end: Callable[[int, nn.Module], None] | None = None,
    seed: int = 0,
    cosine: bool = False,
    warmup: float = 0.0,
    bfloat16: bool = False,
    progress: bool = True,
) -> History:
    """Entraîne ``model`` avec Adam en minimisant ``loss(model, lot)`` ; renvoie l'historique.

    Les données restent en mémoire et sont parcourues par mini-lots dans un ordre aléatoire fixé
    par ``seed`` ; chaque lot est envoyé sur le périphérique du modèle. La perte d'une époque est
    la moyenne sur les images (chaque lot pèse sa taille). Si ``batch_size`` dépasse la taille des
    données, chaque époque fait un seul lot. Avec ``cosine=True``, le taux d'apprentissage décroît
    de ``lr`` à 0 en cosinus au fil des pas ; avec en plus ``warmup`` > 0, il monte d'abord de
    ``lr``/25 à ``lr`` pendant cette fraction des pas (échauffement), puis décroît en cosinus
    jusqu'à ``lr``/250 000 : c'est le programme « one cycle » de PyTorch (``OneCycleLR``), qui
    supporte un ``lr`` plus grand et converge en moins d'époques. Avec ``bfloat16=True``, sur un
    périphérique qui calcule nativement en bfloat16 (:func:`helpers.config.native_bfloat16`), les
    produits matriciels et les convolutions de l'entraînement sont faits en bfloat16 (précision
    mixte, ``torch.autocast``) ; les poids, leurs mises à jour, les évaluations et les pertes
    usuelles (quadratique, entropie croisée) restent en float32. ``on_epoch_end(epoch, model)``
    est appelé après chaque époque (numérotées à partir de 1). Avec des étiquettes ``targets``
    (apprentissage supervisé), la perte est ``loss(model, x, y)`` ; la perte de test demande alors
    ``test_targets``. Des images entières ou à l'échelle [0, 255] sont refusées d'emblée.

    Arguments :

    - ``model`` : le modèle, déjà placé sur son périphérique ; il est modifié sur place ;
    - ``images`` : tenseur (N, 1, 28, 28) ou (N, 784) de flottants dans [0, 1], sur le CPU de
      préférence ;
    - ``epochs`` : nombre d'époques (passages sur toutes les images) ;
    - ``batch_size`` : taille des mini-lots ;
    - ``lr`` : taux d'apprentissage d'Adam ;
    - ``loss`` : la perte d'un lot, :func:`reconstruction_mse` par défaut ;
    - ``test_images`` : images de test, évaluées après chaque époque par :func:`evaluate` avec la
      même perte ;
    - ``targets``, ``test_targets`` : cibles des images (étiquettes (N,) ou tenseurs (N, …)),
      passées à ``loss`` comme troisième argument ;
    - ``on_epoch_end`` : fonction appelée avec ``(epoch, model)`` à la fin de chaque époque ;
    - ``seed`` : graine de l'ordre des mini-lots ; les tirages faits par la perte ou le modèle
      (bruit d'un débruiteur, tirage de h d'un VAE, dropout) suivent le générateur global ;
    - ``cosine`` : taux d'apprentissage décroissant en cosinus, de ``lr`` à 0 ;
    - ``warmup`` : fraction des pas, dans [0, 1[, consacrée à l'échauffement (avec ``cosine=True``) ;
    - ``bfloat16`` : précision mixte bfloat16 pour l'entraînement, si le périphérique la calcule
      nativement (sinon, float32 : l'émulation serait plus lente) ;
    - ``progress`` : affiche la barre de progression.

    Renvoie : un :class:`History` ; le modèle est laissé en mode évaluation (``model.eval()``).

    Lève : ``ValueError`` pour un argument invalide ; ``FloatingPointError`` si la perte d'une
    époque n'est pas finie (l'entraînement a divergé).

    Exemple : ::

        history = fit(model, x_train, epochs=8, test_images=x_test)
    """
    require_positive_int("epochs", epochs)
    require_positive_int("batch_size", batch_size)
    require_learning_rate(lr)
    if not 0 <= warmup < 1 or (warmup and not cosine):
        raise ValueError(f"warmup={warmup!r} : l'échauffement est une fraction des pas dans [0, 1[, "
                         "suivie de la décroissance en cosinus (cosine=True).")
    if len(images) == 0:
        raise ValueError("L'ensemble d'entraînement est vide : impossible d'entraîner le modèle.")
    require_pixels(images)
    if targets is not None and len(targets) != len(images):
        raise ValueError(f"{len(images)} images mais {len(targets)} étiquettes.")
    if test_images is not None and (targets is None) != (test_targets is None):
        raise ValueError("Avec des étiquettes targets, la perte de test demande aussi les "
                         "étiquettes des images de test (test_targets), et inversement.")

    device = next(model.parameters()).device
    # Adam « fusionné » (un seul noyau pour tous les paramètres) : un cinquième plus rapide sur le
    # CPU pour le VAE du TP 5 ; ailleurs (MPS…), l'implémentation par défaut.
    optimizer = torch.optim.Adam(model.parameters(), lr=lr,
                                 fused=True if device.type in ("cpu", "cuda") else None)
    steps = epochs * math.ceil(len(images) / batch_size)
    scheduler = _schedule(optimizer, steps, cosine, warmup)
    generator = torch.Generator().manual_seed(seed)
    mixed = (torch.autocast(device.type, dtype=torch.bfloat16)
             if bfloat16 and native_bfloat16(device) else contextlib.nullcontext())
    history = History()
    start = time.perf_counter()
    numbers = range(1, epochs + 1)
    # Réglages d'affichage, exclus du test de mutation (voir pyproject.toml).
    bar = tqdm(numbers, desc="Entraînement", unit="époque",  # pragma: no mutate
               disable=not progress, leave=False, mininterval=1.0)  # pragma: no mutate
    for epoch in bar:
        model.train()
        total = 0.0
        for idx in minibatches(len(images), batch_size, generator):
            optimizer.zero_grad(set_to_none=True)
            with mixed:
                value = _loss_on(loss, model, images, targets, idx, device)
            value.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total += value.item() * len(idx)
        history.train_loss.append(_finite(total / len(images), epoch))
        if test_images is not None:
            history.test_loss.append(evaluate(model, test_images, loss=loss, targets=test_targets))
        bar.set_postfix(perte=f"{history.train_loss[-1]:.4g}")
        if on_epoch_end is not None:
            on_epoch_end(epoch, model)
    history.seconds = time.perf_counter() - start
    model.eval()
    return history


def _schedule(optimizer: torch.optim.Optimizer, steps: int, cosine: bool,
              warmup: float) -> torch.optim.lr_scheduler.LRScheduler | None:
    """Le programme du taux d'apprentissage : aucun, cosinus, ou échauffement puis cosinus."""
    if warmup:
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=optimizer.defaults["lr"], total_steps=steps, pct_start=warmup,
            cycle_momentum=False)
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps) if cosine else None


def _loss_on(loss: Loss, model: nn.Module, images: torch.Tensor, targets: torch.Tensor | None,
             idx: torch.Tensor | slice, device: torch.device) -> torch.Tensor:
    """La perte d'un lot d'indices ``idx``, envoyé sur ``device`` (avec ses étiquettes s'il y en a)."""
    batch = images[idx].to(device)
    if targets is None:
        return loss(model, batch)
    return loss(model, batch, targets[idx].to(device))


def _finite(value: float, epoch: int) -> float:
    if not math.isfinite(value):
        raise FloatingPointError(
            f"La perte vaut {value} à l'époque {epoch} : l'entraînement a divergé. "
            "Réduisez le taux d'apprentissage lr ou vérifiez que les données sont dans [0, 1]."
        )
    return value


def _batched(function: Callable[[torch.Tensor], torch.Tensor], model: nn.Module,
             images: torch.Tensor, batch_size: int) -> torch.Tensor:
    """``function(lot)`` sur chaque lot d'images, envoyé sur le périphérique du modèle en mode
    évaluation ; les résultats sont réunis sur le CPU."""
    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        return torch.cat([_as_tensor(function(batch.to(device))).cpu()
                          for batch in images.split(batch_size)])


def _as_tensor(result) -> torch.Tensor:
    if not isinstance(result, torch.Tensor):
        raise TypeError(f"Le modèle renvoie un {type(result).__name__} et non un tenseur : pour un "
                        "VAE, le code moyen est vae.encode(x)[0] et les logits vae(x)[0].")
    return result


def evaluate(model: nn.Module, images: torch.Tensor, *, loss: Loss = reconstruction_mse,
             targets: torch.Tensor | None = None, batch_size: int = 1000) -> float:
    """Perte moyenne de ``model`` sur ``images``, calculée par lots et sans gradient.

    C'est une moyenne sur les images (chaque lot pèse sa taille), avec leurs étiquettes
    ``targets`` pour une perte supervisée. Les lots de ``batch_size`` images sont envoyés sur le
    périphérique du modèle, qui est mis en mode évaluation.

    Arguments :

    - ``images`` : tenseur (N, 1, 28, 28) ou (N, 784), N ≥ 1 ;
    - ``loss`` : la perte d'un lot, :func:`reconstruction_mse` par défaut (l'erreur quadratique
      moyenne par pixel) ;
    - ``targets`` : étiquettes ou cibles des images, pour une perte ``loss(model, x, y)``.

    Renvoie : un ``float``.

    Lève : ``ValueError`` si ``images`` est vide.

    Exemple : ::

        mse = evaluate(model, x_test)
    """
    if len(images) == 0:
        raise ValueError("Impossible d'évaluer sur un ensemble vide.")
    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        total = sum(_loss_on(loss, model, images, targets, idx, device).item() * len(idx)
                    for idx in torch.arange(len(images)).split(batch_size))
    return total / len(images)


def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Classes prédites (argmax des logits) pour toutes les images, sur le CPU.

    Le modèle est mis en mode évaluation ; le calcul se fait sans gradient, par lots.

    Renvoie : un tenseur ``int64`` de forme (N,).

    Exemple : ::

        accuracy = (predict(classifier, test.images) == test.labels).float().mean().item()
    """
    return _batched(lambda batch: model(batch).argmax(dim=1), model, images, batch_size)


def encode(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Codes ``model.encode(x)`` de toutes les images, calculés par lots, sur le CPU.

    Le modèle est mis en mode évaluation ; le calcul se fait sans gradient. ``model.encode`` doit
    renvoyer un tenseur : pour un :class:`~helpers.models.VAE`, dont ``encode`` renvoie (μ, log σ²),
    utiliser ``model.encode(x)[0]``.

    Renvoie : un tenseur de forme (N, p).

    Exemple : ::

        codes = encode(model, x_test)
    """
    return _batched(model.encode, model, images, batch_size)


def reconstruct(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Reconstructions ``model(x)`` de toutes les images, calculées par lots, sur le CPU.

    Le modèle est mis en mode évaluation ; le calcul se fait sans gradient. ``model(x)`` doit
    renvoyer un tenseur (ce n'est pas le cas d'un :class:`~helpers.models.VAE`).

    Renvoie : un tenseur de la forme que donne le modèle, celle des images pour un
    :class:`~helpers.models.DenseAutoencoder`, (N, 1, 28, 28) pour un
    :class:`~helpers.models.ConvAutoencoder`.

    Exemple : ::

        x_hat = reconstruct(model, x_test[:10])
    """
    return _batched(model, model, images, batch_size)
