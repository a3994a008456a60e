"""Vérifications des exercices du TP 7 (applications) : basse résolution, aire sous la courbe ROC
d'un score d'anomalie, erreur sur les pixels cachés. Comme ``x_test``, les lots d'images et les
scores sont sur le CPU."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from scipy import stats
from sklearn import metrics

from ..data import downsample
from .core import Mistake, exercise_check, expect

__all__ = ["check_average_blocks", "check_roc_auc", "check_masked_mse"]


# --- Basse résolution ------------------------------------------------------------------------


def _images(seed: int, n: int) -> torch.Tensor:
    """Un lot (n, 1, 28, 28) de pixels tirés uniformément dans [0, 1], sur le CPU."""
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def _one_pixel(row: int, column: int):
    """L'erreur « un pixel sur deux » : le pixel (row, column) de chaque bloc 2 × 2."""
    return lambda images: images[..., row::2, column::2]


def _resized(mode: str, antialias: bool):
    """L'erreur « redimensionnement » : une interpolation dont le filtre déborde du bloc."""
    return lambda images: F.interpolate(images, size=(14, 14), mode=mode, antialias=antialias)


_ONE_PIXEL = ("Vous gardez un seul pixel de chaque bloc 2 × 2, un pixel sur deux dans chaque "
              "direction (comme images[..., ::2, ::2], ou F.interpolate en mode « nearest ») : "
              "chaque pixel de l'image réduite doit résumer les quatre pixels de son bloc.")
_WIDE_FILTER = ("Vous redimensionnez l'image avec un filtre plus large que le bloc (anticrénelage "
                "« antialias », ou interpolation bicubique) : chaque pixel de l'image réduite "
                "mélange des pixels voisins de son bloc 2 × 2, alors qu'il doit être la moyenne de "
                "ce seul bloc.")


@exercise_check(forbidden=[downsample])
def check_average_blocks(average_blocks) -> str:
    """``average_blocks(images)`` : chaque bloc 2 × 2 d'un lot (N, 1, 28, 28) remplacé par sa
    moyenne, un lot (N, 1, 14, 14)."""
    cases = [(_images(0, 4),), (_images(1, 1),), (_images(2, 3),)]
    expect(average_blocks, lambda images: F.avg_pool2d(images, 2), cases,
           what="Le lot d'images renvoyé", mistakes=[
        Mistake(lambda images: F.max_pool2d(images, 2),
                "Vous gardez le plus grand pixel de chaque bloc 2 × 2 (max pooling) : il faut la "
                "moyenne des quatre pixels du bloc."),
        *(Mistake(_one_pixel(row, column), _ONE_PIXEL) for row in (0, 1) for column in (0, 1)),
        Mistake(lambda images: 4 * F.avg_pool2d(images, 2),
                "Vous renvoyez la somme des quatre pixels de chaque bloc : il faut leur moyenne."),
        Mistake(lambda images: images.reshape(len(images), 1, 14, 14, 4).mean(dim=-1),
                "Vous faites la moyenne de quatre pixels consécutifs d'une même ligne (le reshape "
                "regroupe les pixels dans l'ordre où ils sont rangés) : un bloc est un carré de "
                "2 × 2 pixels, sur deux lignes et deux colonnes voisines."),
        Mistake(lambda images: images.reshape(len(images), 1, 2, 14, 2, 14).mean(dim=(2, 4)),
                "Vous faites la moyenne de pixels distants de 14 lignes ou de 14 colonnes (les "
                "axes du reshape sont dans le désordre) : un bloc est un carré de 2 × 2 pixels "
                "voisins."),
        *(Mistake(_resized(mode, antialias), _WIDE_FILTER)
          for mode, antialias in [("bilinear", True), ("bicubic", True), ("bicubic", False)]),
    ], otherwise="Le lot renvoyé a la bonne forme, mais pas les bonnes valeurs : le pixel (i, j) "
                 "de l'image réduite doit être la moyenne des quatre pixels du bloc des lignes "
                 "2i et 2i + 1 et des colonnes 2j et 2j + 1.")
    return "Moyennes des blocs 2 × 2 justes sur trois lots d'images (de 1 à 4 images)."


# --- Aire sous la courbe ROC -----------------------------------------------------------------


def _scores(seed: int, n_normal: int, n_anomaly: int, shift: float,
            levels: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``(normal_scores, anomaly_scores)`` sur le CPU : des scores gaussiens, ceux des anomalies
    décalés de ``shift`` ; arrondis à ``levels`` valeurs entières, ils ont des égalités dans
    chaque groupe et entre les deux."""
    generator = torch.Generator().manual_seed(seed)
    normal = torch.randn(n_normal, generator=generator)
    anomaly = torch.randn(n_anomaly, generator=generator) + shift
    if levels is not None:
        normal, anomaly = ((s + 1.5).round().clamp(0, levels - 1) for s in (normal, anomaly))
    return normal, anomaly


def _reference_auc(normal_scores, anomaly_scores) -> float:
    """La référence, sans la formule des paires : l'aire calculée par scikit-learn, les anomalies
    étiquetées 1."""
    labels = np.r_[np.zeros(len(normal_scores)), np.ones(len(anomaly_scores))]
    return metrics.roc_auc_score(labels, torch.cat([normal_scores, anomaly_scores]).numpy())


def _auc(normal, anomaly, *, tie=0.5, pairs="all", total=None):
    """La formule des paires et ses variantes fautives : ``tie`` pour une égalité, toutes les
    paires, ou (``"zip"``) position par position, ou (``"mean"``) chaque anomalie face au score
    normal moyen ; moyenne des paires, ou somme divisée par ``total(N₀, N₁)``."""
    if pairs == "zip":
        k = min(len(normal), len(anomaly))
        anomalies, normals = anomaly[:k], normal[:k]
    elif pairs == "mean":
        anomalies, normals = anomaly, normal.mean()
    else:
        anomalies, normals = anomaly[:, None], normal[None, :]
    wins = (anomalies > normals).double() + tie * (anomalies == normals).double()
    return wins.mean() if total is None else wins.sum() / total(len(normal), len(anomaly))


def _normalised_by(total, name: str) -> Mistake:
    """L'erreur « mauvaise normalisation » : les paires gagnées divisées par ``total(N₀, N₁)``."""
    return Mistake(lambda normal, anomaly: _auc(normal, anomaly, total=total),
                   f"Le nombre de paires gagnées par l'anomalie est divisé par {name} : une "
                   "proportion de paires se rapporte au nombre de toutes les paires (image "
                   "normale, anomalie).")


_TIES = ("Une égalité de scores compte pour {} : une paire (image normale, anomalie) de même "
         "score compte pour ½.")
_LIBRARY = ("Votre fonction appelle {name}, qui calcule justement l'aire sous la courbe ROC (ou "
            "la statistique de Mann–Whitney) : l'exercice demande d'écrire le calcul vous-même, "
            "par la formule des paires.")


@exercise_check(forbidden=dict.fromkeys(
    [metrics.roc_auc_score, metrics.roc_curve, metrics.auc, stats.mannwhitneyu], _LIBRARY))
def check_roc_auc(roc_auc) -> str:
    """``roc_auc(normal_scores, anomaly_scores)`` : la proportion des paires (image normale,
    anomalie) où l'anomalie a le score le plus élevé, égalités comptées ½ ; scores (N₀,) et (N₁,)
    sur le CPU."""
    cases = [_scores(0, 7, 4, 1.0), _scores(1, 12, 5, -0.8),  # la seconde : aire < 0,5
             _scores(2, 3, 9, 0.7, levels=4), _scores(3, 10, 6, 0.5, levels=3)]
    expect(roc_auc, _reference_auc, cases, what="L'aire renvoyée", mistakes=[
        Mistake(lambda normal, anomaly: _auc(normal, anomaly, tie=0), _TIES.format(0)),
        Mistake(lambda normal, anomaly: _auc(normal, anomaly, tie=1), _TIES.format(1)),
        Mistake(lambda normal, anomaly: _auc(anomaly, normal),
                "Les deux groupes sont échangés : vous comptez les paires où l'image normale a le "
                "score le plus élevé, ce qui donne 1 − AUC. Un bon score d'anomalie est plus "
                "élevé pour les anomalies."),
        Mistake(lambda normal, anomaly: 100 * _auc(normal, anomaly),
                "L'aire est en pourcentage : renvoyez une proportion, un nombre dans [0, 1]."),
        _normalised_by(lambda n0, n1: n1**2, "N₁², le carré du nombre d'anomalies"),
        _normalised_by(lambda n0, n1: n0**2, "N₀², le carré du nombre d'images normales"),
        _normalised_by(lambda n0, n1: (n0 + n1) ** 2, "(N₀ + N₁)²"),
        _normalised_by(lambda n0, n1: n0 + n1, "N₀ + N₁, le nombre de scores"),
        Mistake(lambda normal, anomaly: _auc(normal, anomaly, pairs="zip"),
                "Vous comparez les scores position par position (la i-ième anomalie à la i-ième "
                "image normale, comme avec zip) : chaque anomalie doit être comparée à chaque "
                "image normale, toutes les paires."),
        Mistake(lambda normal, anomaly: _auc(normal, anomaly, pairs="mean"),
                "Vous comparez chaque anomalie au score moyen des images normales : chaque "
                "anomalie doit être comparée à chaque image normale, une à une."),
    ], otherwise=lambda case, got, want: (
        f"Avec {len(case[0])} images normales et {len(case[1])} anomalies, votre aire vaut "
        f"{float(got):.4f} : ce n'est pas la proportion des paires (image normale, anomalie) où "
        "l'anomalie a le score le plus élevé, une égalité comptant pour ½."))
    return ("Aire sous la courbe ROC juste sur quatre exemples, avec et sans égalités de scores, "
            "au-dessus et au-dessous de 0,5.")


# --- Erreur sur les pixels cachés ------------------------------------------------------------


def _inpainting(seed: int, holes: list) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(reconstructions, images, hole)`` sur le CPU, une image par élément de ``holes`` : un
    rectangle ``(haut, gauche, hauteur, largeur)`` de pixels cachés, ou la proportion de pixels
    cachés au hasard. La reconstruction s'écarte plus de l'image dans le trou qu'ailleurs."""
    generator = torch.Generator().manual_seed(seed)
    hole = torch.zeros(len(holes), 1, 28, 28, dtype=torch.bool)
    for i, spec in enumerate(holes):
        if isinstance(spec, float):
            hole[i, 0] = torch.rand(28, 28, generator=generator) < spec
        else:
            top, left, height, width = spec
            hole[i, 0, top:top + height, left:left + width] = True
    images = torch.rand(hole.shape, generator=generator)
    spread = torch.where(hole, 0.4, 0.1)
    reconstructions = (images + spread * torch.randn(hole.shape, generator=generator)).clamp(0, 1)
    return reconstructions, images, hole


def _reference_masked_mse(reconstructions, images, hole):
    """La référence, image par image, par indexation booléenne."""
    return torch.stack([((r - x)[h] ** 2).mean()
                        for r, x, h in zip(reconstructions, images, hole)])


def _per_image(values, mask):
    """La somme de ``values`` sur les pixels de ``mask``, et leur nombre, image par image."""
    return (values * mask).sum(dim=(1, 2, 3)), mask.sum(dim=(1, 2, 3))


def _masked(reconstructions, images, hole, *, error=torch.square, where="hole", divide="count",
            then=lambda e: e):
    """La moyenne de ``error(x̂ − x)`` sur le trou de chaque image et ses variantes fautives :
    pixels visibles, somme sans division, ou divisée par 784 ou par le nombre de pixels cachés du
    lot ; ``then`` transforme le résultat (racine, réduction à un nombre)."""
    mask = hole if where == "hole" else ~hole
    total, count = _per_image(error(reconstructions - images), mask)
    denominator = {"count": count, "none": 1, "pixels": hole[0].numel(), "batch": count.sum()}
    return then(total / denominator[divide])


_ONE_NUMBER = ("Vous renvoyez un seul nombre, {} : il faut une erreur par image, un tenseur de "
               "forme (N,).")


@exercise_check
def check_masked_mse(masked_mse) -> str:
    """``masked_mse(reconstructions, images, hole)`` : pour chaque image, la moyenne de (x̂ − x)²
    sur ses pixels cachés ; deux lots (N, 1, 28, 28) et un masque booléen de même forme, sur le
    CPU."""
    # Le même nombre d'images à chaque cas, des trous de tailles et de formes différentes.
    cases = [_inpainting(0, [(5, 5, 10, 10), (3, 12, 4, 8), (20, 2, 6, 3), (0, 0, 1, 1)]),
             _inpainting(1, [(8, 8, 12, 12), 0.3, (14, 0, 2, 28), (2, 20, 9, 5)]),
             _inpainting(2, [0.1, (10, 10, 3, 3), 0.6, (0, 14, 28, 14)])]
    expect(masked_mse, _reference_masked_mse, cases, what="L'erreur renvoyée", mistakes=[
        Mistake(lambda r, x, hole: ((r - x) ** 2).mean(dim=(1, 2, 3)),
                "Vous faites la moyenne sur tous les pixels de chaque image : seuls comptent ses "
                "pixels cachés, là où hole est vrai."),
        Mistake(lambda r, x, hole: _masked(r, x, hole, where="visible"),
                "Vous faites la moyenne sur les pixels visibles (là où hole est faux) : il faut "
                "celle des pixels cachés, là où hole est vrai."),
        Mistake(lambda r, x, hole: _masked(r, x, hole, divide="none"),
                "Vous renvoyez la somme des erreurs sur les pixels cachés de chaque image : il "
                "faut leur moyenne (les trous n'ont pas tous la même taille)."),
        Mistake(lambda r, x, hole: _masked(r, x, hole, divide="pixels"),
                "Vous divisez la somme des erreurs sur le trou par le nombre de pixels de toute "
                "l'image (784) : la moyenne porte sur les seuls pixels cachés."),
        Mistake(lambda r, x, hole: _masked(r, x, hole, divide="batch"),
                "Vous divisez la somme des erreurs de chaque image par le nombre de pixels cachés "
                "de tout le lot : la moyenne de l'image i porte sur ses propres pixels cachés."),
        Mistake(lambda r, x, hole: ((r - x)[hole] ** 2).mean(),
                _ONE_NUMBER.format("la moyenne sur les pixels cachés de tout le lot")),
        Mistake(lambda r, x, hole: _masked(r, x, hole, then=torch.mean),
                _ONE_NUMBER.format("la moyenne des erreurs des images")),
        Mistake(lambda r, x, hole: _masked(r, x, hole, then=torch.sqrt),
                "Vous prenez la racine carrée de l'erreur moyenne (RMSE) : il faut l'erreur "
                "quadratique moyenne elle-même."),
        Mistake(lambda r, x, hole: _masked(r, x, hole, error=torch.abs),
                "Vous faites la moyenne des écarts absolus |x̂ − x| : il faut celle de leurs "
                "carrés (x̂ − x)²."),
    ], otherwise="L'erreur renvoyée a la bonne forme, mais pas les bonnes valeurs : pour l'image "
                 "i, c'est la moyenne de (x̂ − x)² sur ses seuls pixels cachés, là où hole est "
                 "vrai.")
    return ("Erreur sur les pixels cachés juste sur trois lots, pour des trous de tailles et de "
            "formes différentes.")
