"""Les vérifications du TP 7 : des réponses justes écrites autrement passent, des réponses fausses
écrites comme un étudiant les écrirait sont refusées avec un message juste (ou neutre). Ce que toute
vérification doit faire (solution du cours, ébauche, erreurs typiques déclarées, argument ignoré,
état aléatoire, MPS) est dans ``test_checks.py``."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF
from scipy import stats
from sklearn import metrics
from torch import nn

from helpers import checks, data
from helpers.checks import CHECKS, check_average_blocks, check_masked_mse, check_roc_auc
from helpers.checks.core import STUB_MESSAGE

from checkutils import outcome, passes, pending, rejects

NEUTRAL_BLOCKS = "a la bonne forme, mais pas les bonnes valeurs"
NEUTRAL_AUC = "ce n'est pas la proportion des paires"
NEUTRAL_MSE = "a la bonne forme, mais pas les bonnes valeurs"
TP7 = {"average_blocks": check_average_blocks, "roc_auc": check_roc_auc,
       "masked_mse": check_masked_mse}


def test_the_checks_are_registered():
    assert {name: CHECKS[name] for name in TP7} == TP7
    assert {f"check_{name}" for name in TP7} <= set(checks.__all__)


@pytest.mark.parametrize("name", TP7)
def test_a_stub_is_pending(name):
    def stub(*args):
        raise NotImplementedError(STUB_MESSAGE)

    stub.__name__ = name
    assert pending(TP7[name], stub)
    assert outcome(TP7[name], stub).startswith(f"⏳ {name} n'est pas encore écrite")


# --- average_blocks --------------------------------------------------------------------------


def _corners(images):
    return (images[..., ::2, ::2], images[..., ::2, 1::2], images[..., 1::2, ::2],
            images[..., 1::2, 1::2])


def _numpy_blocks(images):
    pixels = images.numpy()
    return torch.from_numpy(pixels.reshape(len(pixels), 1, 14, 2, 14, 2).mean(axis=(3, 5)))


@pytest.mark.parametrize("answer", [
    lambda images: F.avg_pool2d(images, kernel_size=2, stride=2),
    lambda images: nn.AvgPool2d(2)(images),
    lambda images: F.interpolate(images, scale_factor=0.5, mode="area"),
    lambda images: F.interpolate(images, size=(14, 14), mode="area"),
    lambda images: F.interpolate(images, scale_factor=0.5, mode="bilinear", align_corners=False),
    lambda images: TF.resize(images, [14, 14], antialias=False),
    lambda images: images.reshape(len(images), 1, 14, 2, 14, 2).mean(dim=(3, 5)),
    lambda images: sum(_corners(images)) / 4,
    lambda images: F.conv2d(images, torch.full((1, 1, 2, 2), 0.25), stride=2),
    lambda images: images.unfold(2, 2, 2).unfold(3, 2, 2).mean((-1, -2)),
    _numpy_blocks,
], ids=["avg_pool2d", "AvgPool2d", "area", "area size", "bilinear", "resize no antialias",
        "reshape", "four slices", "conv2d", "unfold", "numpy"])
def test_average_blocks_right_answers_written_differently_pass(answer):
    assert passes(check_average_blocks, answer)


def test_bilinear_with_antialias_is_not_the_block_mean():
    """Le trou possible : sans anticrénelage, l'interpolation bilinéaire d'un facteur 2 est la
    moyenne de chaque bloc ; avec, son filtre est plus large que le bloc (y compris pour
    ``TF.resize``, anticrénelé par défaut)."""
    images = torch.rand(2, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    for resized in (F.interpolate(images, size=(14, 14), mode="bilinear", antialias=True),
                    TF.resize(images, [14, 14])):
        assert (resized - F.avg_pool2d(images, 2)).abs().max() > 0.05


@pytest.mark.parametrize("answer, fragment", [
    (lambda images: F.max_pool2d(images, 2), "le plus grand pixel de chaque bloc"),
    (lambda images: images[..., ::2, ::2], "un seul pixel de chaque bloc 2 × 2"),
    (lambda images: images[:, :, 1::2, ::2], "un seul pixel de chaque bloc 2 × 2"),
    (lambda images: images[:, :, 1::2, 1::2], "un seul pixel de chaque bloc 2 × 2"),
    (lambda images: F.interpolate(images, scale_factor=0.5, mode="nearest"),
     "un seul pixel de chaque bloc 2 × 2"),
    (lambda images: F.interpolate(images, scale_factor=0.5, mode="nearest-exact"),
     "un seul pixel de chaque bloc 2 × 2"),
    (lambda images: sum(_corners(images)), "la somme des quatre pixels"),
    (lambda images: F.avg_pool2d(images, 2, divisor_override=1), "la somme des quatre pixels"),
    (lambda images: images.reshape(len(images), 1, 14, 14, 4).mean(-1),
     "quatre pixels consécutifs d'une même ligne"),
    (lambda images: images.reshape(len(images), 1, 2, 14, 2, 14).mean(dim=(2, 4)),
     "distants de 14 lignes"),
    (lambda images: F.interpolate(images, size=(14, 14), mode="bilinear", antialias=True),
     "un filtre plus large que le bloc"),
    (lambda images: TF.resize(images, [14, 14], antialias=True),
     "un filtre plus large que le bloc"),
    (lambda images: TF.resize(images, [14, 14], interpolation=TF.InterpolationMode.BICUBIC),
     "un filtre plus large que le bloc"),
    (lambda images: F.interpolate(images, scale_factor=0.5, mode="bicubic"),
     "un filtre plus large que le bloc"),
    (lambda images: F.avg_pool2d(images, 2)[:, 0],
     ("Le lot d'images renvoyé est un tableau de forme (4, 14, 14) ; attendu : un tableau de "
      "forme (4, 1, 14, 14).")),
    (lambda images: F.avg_pool2d(images, 2).flatten(1),
     ("Le lot d'images renvoyé est un tableau de forme (4, 196) ; attendu : un tableau de forme "
      "(4, 1, 14, 14).")),
    (lambda images: F.avg_pool2d(images, 4), "(4, 1, 7, 7)"),
    (lambda images: F.avg_pool2d(images, 2) + 0.01, NEUTRAL_BLOCKS),
    (lambda images: F.avg_pool2d(images.transpose(2, 3), 2), NEUTRAL_BLOCKS),
    (lambda images: F.avg_pool2d(images, 3, stride=2, padding=1), NEUTRAL_BLOCKS),
], ids=["max", "one pixel", "offset (1, 0)", "offset (1, 1)", "nearest", "nearest-exact", "sum",
        "divisor 1", "row reshape", "axes reshape", "bilinear antialias", "resize",
        "resize bicubic", "bicubic", "no channel", "flattened", "factor 4", "shifted",
        "transposed", "3 × 3 kernel"])
def test_average_blocks_wrong_answers_are_named(answer, fragment):
    rejects(check_average_blocks, answer, fragment)


def test_average_blocks_delegating_to_the_course_function_is_refused():
    def average_blocks(images):
        return data.downsample(images)

    message = rejects(check_average_blocks, average_blocks, "helpers.data.downsample")
    assert "écrivez le calcul vous-même" in message


# --- roc_auc ---------------------------------------------------------------------------------


def _auc_by_loops(normal_scores, anomaly_scores):
    wins = 0.0
    for a in anomaly_scores.tolist():
        for n in normal_scores.tolist():
            wins += 1.0 if a > n else 0.5 if a == n else 0.0
    return wins / (len(normal_scores) * len(anomaly_scores))


def _auc_numpy(normal_scores, anomaly_scores):
    difference = anomaly_scores.numpy()[:, None] - normal_scores.numpy()[None, :]
    return np.mean((difference > 0) + 0.5 * (difference == 0))


def _auc_by_ranks(normal_scores, anomaly_scores):
    n0, n1 = len(normal_scores), len(anomaly_scores)
    ranks = stats.rankdata(torch.cat([normal_scores, anomaly_scores]).numpy())
    u = ranks[n0:].sum() - n1 * (n1 + 1) / 2
    return u / (n0 * n1)


def _auc_by_sorting(normal_scores, anomaly_scores):
    normal = normal_scores.sort().values
    below = torch.searchsorted(normal, anomaly_scores, side="left")
    at_most = torch.searchsorted(normal, anomaly_scores, side="right")
    return (below + 0.5 * (at_most - below)).sum() / (len(normal) * len(anomaly_scores))


def _wins(normal_scores, anomaly_scores, tie=0.5):
    above = anomaly_scores[:, None] > normal_scores[None, :]
    return above.float() + tie * (anomaly_scores[:, None] == normal_scores[None, :]).float()


@pytest.mark.parametrize("answer", [
    lambda n, a: _wins(n, a).mean(),
    lambda n, a: _wins(n, a).mean().reshape(1),
    lambda n, a: ((torch.sign(a[:, None] - n[None, :]) + 1) / 2).mean().item(),
    _auc_by_loops, _auc_numpy, _auc_by_ranks, _auc_by_sorting,
], ids=["0-d tensor", "1-element tensor", "sign", "loops", "numpy", "ranks", "searchsorted"])
def test_roc_auc_right_answers_written_differently_pass(answer):
    assert passes(check_roc_auc, answer)


def _auc_zip(normal_scores, anomaly_scores):
    pairs = list(zip(normal_scores.tolist(), anomaly_scores.tolist()))
    return sum(1.0 if a > n else 0.5 if a == n else 0.0 for n, a in pairs) / len(pairs)


@pytest.mark.parametrize("answer, fragment", [
    (lambda n, a: (a[:, None] > n[None, :]).float().mean(), "compte pour 0 :"),
    (lambda n, a: (a[:, None] >= n[None, :]).float().mean(), "compte pour 1 :"),
    (lambda n, a: _wins(a, n).mean(), "Les deux groupes sont échangés"),
    (lambda n, a: 100 * _wins(n, a).mean(), "en pourcentage"),
    (lambda n, a: _wins(n, a).sum() / len(a) ** 2, "divisé par N₁²"),
    (lambda n, a: _wins(n, a).sum() / len(n) ** 2, "divisé par N₀²"),
    (lambda n, a: _wins(n, a).sum() / (len(n) + len(a)) ** 2, "divisé par (N₀ + N₁)²"),
    (lambda n, a: _wins(n, a).sum() / (len(n) + len(a)), "divisé par N₀ + N₁"),
    (_auc_zip, "position par position"),
    (lambda n, a: ((a > n.mean()).float() + 0.5 * (a == n.mean()).float()).mean(),
     "au score moyen des images normales"),
    (lambda n, a: _wins(n, a),
     "L'aire renvoyée est un tableau de forme (4, 7) ; attendu : un nombre."),
    (lambda n, a: _wins(n, a, tie=0.25).mean(), NEUTRAL_AUC),
    (lambda n, a: torch.sigmoid(a.mean() - n.mean()), NEUTRAL_AUC),
    (lambda n, a: (a > n.max()).float().mean(), NEUTRAL_AUC),
], ids=["ties 0", "ties 1", "swapped", "percent", "N1 squared", "N0 squared", "total squared",
        "total", "zip", "mean normal", "matrix", "ties 1/4", "sigmoid", "above the maximum"])
def test_roc_auc_wrong_answers_are_named(answer, fragment):
    rejects(check_roc_auc, answer, fragment)


def _labelled(normal_scores, anomaly_scores):
    labels = np.r_[np.zeros(len(normal_scores)), np.ones(len(anomaly_scores))]
    return labels, torch.cat([normal_scores, anomaly_scores]).numpy()


@pytest.mark.parametrize("answer, name", [
    (lambda n, a: metrics.roc_auc_score(*_labelled(n, a)),
     "sklearn.metrics._ranking.roc_auc_score"),
    (lambda n, a: metrics.auc(*metrics.roc_curve(*_labelled(n, a))[:2]),
     "sklearn.metrics._ranking.roc_curve"),
    (lambda n, a: stats.mannwhitneyu(a.numpy(), n.numpy()).statistic / (len(n) * len(a)),
     "scipy.stats._mannwhitneyu.mannwhitneyu"),
], ids=["roc_auc_score", "roc_curve and auc", "mannwhitneyu"])
def test_roc_auc_by_a_library_is_refused(answer, name):
    message = rejects(check_roc_auc, answer, f"Votre fonction appelle {name}")
    assert "écrire le calcul vous-même" in message


def test_roc_auc_is_tried_with_an_area_below_one_half():
    def roc_auc(normal_scores, anomaly_scores):  # l'aire d'un score qui sépare bien les groupes
        return max(0.5, _wins(normal_scores, anomaly_scores).mean().item())

    rejects(check_roc_auc, roc_auc, NEUTRAL_AUC)


# --- masked_mse ------------------------------------------------------------------------------


def _masked_mse(r, x, hole):
    return ((r - x) ** 2 * hole).sum((1, 2, 3)) / hole.sum((1, 2, 3))


def _per_image_indexing(reconstructions, images, hole):
    return torch.stack([F.mse_loss(r[h], x[h]) for r, x, h in zip(reconstructions, images, hole)])


def _masked_numpy(reconstructions, images, hole):
    squared = (reconstructions.numpy() - images.numpy()) ** 2
    mask = hole.numpy()
    return (squared * mask).sum(axis=(1, 2, 3)) / mask.sum(axis=(1, 2, 3))


@pytest.mark.parametrize("answer", [
    _masked_mse,
    _per_image_indexing,
    lambda r, x, hole: torch.stack([((a - b)[h] ** 2).mean() for a, b, h in zip(r, x, hole)]),
    lambda r, x, hole: torch.where(hole, (r - x) ** 2, 0).sum((1, 2, 3)) / hole.sum((1, 2, 3)),
    lambda r, x, hole: ((r - x) ** 2 * hole.float()).flatten(1).sum(1) / hole.flatten(1).sum(1),
    lambda r, x, hole: ((F.mse_loss(r, x, reduction="none") * hole).sum(dim=(1, 2, 3))
                        / hole.sum(dim=(1, 2, 3))),
    _masked_numpy,
    lambda r, x, hole: _masked_mse(x, r, hole),
], ids=["mask product", "F.mse_loss per image", "list comprehension", "where", "float mask",
        "mse_loss none", "numpy", "arguments swapped"])
def test_masked_mse_right_answers_written_differently_pass(answer):
    assert passes(check_masked_mse, answer)


def _hole_mean(r, x, mask, error=torch.square):
    return (error(r - x) * mask).sum(dim=(1, 2, 3)) / mask.sum(dim=(1, 2, 3))


@pytest.mark.parametrize("answer, fragment", [
    (lambda r, x, hole: ((r - x) ** 2).mean(dim=(1, 2, 3)), "tous les pixels de chaque image"),
    (lambda r, x, hole: F.mse_loss(r, x, reduction="none").mean((1, 2, 3)),
     "tous les pixels de chaque image"),
    (lambda r, x, hole: _hole_mean(r, x, ~hole), "pixels visibles"),
    (lambda r, x, hole: ((r - x) ** 2 * hole).sum((1, 2, 3)),
     "la somme des erreurs sur les pixels cachés"),
    (lambda r, x, hole: ((r - x) ** 2 * hole).sum((1, 2, 3)) / 784, "toute l'image (784)"),
    (lambda r, x, hole: ((r - x) ** 2 * hole).sum((1, 2, 3)) / hole.sum(),
     "pixels cachés de tout le lot : la"),
    (lambda r, x, hole: ((r - x)[hole] ** 2).mean(),
     "un seul nombre, la moyenne sur les pixels cachés de tout le lot"),
    (lambda r, x, hole: F.mse_loss(r[hole], x[hole]),
     "un seul nombre, la moyenne sur les pixels cachés de tout le lot"),
    (lambda r, x, hole: _masked_mse(r, x, hole).mean(), "un seul nombre, la moyenne des erreurs"),
    (lambda r, x, hole: _masked_mse(r, x, hole).sqrt(), "racine carrée"),
    (lambda r, x, hole: _hole_mean(r, x, hole, torch.abs), "écarts absolus"),
    (lambda r, x, hole: _hole_mean(r, x, hole)[:, None],
     "L'erreur renvoyée est un tableau de forme (4, 1) ; attendu : un tableau de forme (4,)."),
    (lambda r, x, hole: _hole_mean(r, x, hole, lambda d: d), NEUTRAL_MSE),
    (lambda r, x, hole: torch.where(hole, (r - x) ** 2, 0).amax(dim=(1, 2, 3)), NEUTRAL_MSE),
], ids=["all pixels", "mse_loss all pixels", "visible", "sum", "784", "batch count",
        "one number", "mse_loss one number", "mean of images", "rmse", "mae", "column",
        "no square", "max"])
def test_masked_mse_wrong_answers_are_named(answer, fragment):
    rejects(check_masked_mse, answer, fragment)
