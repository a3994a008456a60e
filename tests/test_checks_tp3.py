"""Les vérifications du TP 3 : des réponses justes écrites autrement passent, des réponses fausses
écrites comme un étudiant les écrirait sont refusées avec un message juste (ou neutre), et les
trous de l'issue 13 sont fermés. Ce que tout check doit faire est dans ``test_checks.py``."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA
from torch import nn

from helpers.checks import (WrongAnswer, check_all, check_conv_output_size, check_conv_params,
                            check_conv_transpose_output_size, check_dead_units,
                            check_dense_params, check_pca_test_mse, check_zero_fraction)

from checkutils import passes, rejects


def _pairs(sizes):
    return zip(sizes[:-1], sizes[1:])


# --- Nombres de paramètres -------------------------------------------------------------------


def _dense_loop(*sizes):
    total = 0
    for i in range(len(sizes) - 1):
        total += (sizes[i] + 1) * sizes[i + 1]
    return total


@pytest.mark.parametrize("answer", [
    _dense_loop,
    lambda *sizes: sum(p.numel() for a, b in _pairs(sizes) for p in nn.Linear(a, b).parameters()),
    lambda *sizes: np.int64(np.dot(np.array(sizes[:-1]) + 1, np.array(sizes[1:]))),
], ids=["loop", "nn.Linear", "numpy"])
def test_dense_params_right_answers_written_differently_pass(answer):
    assert passes(check_dense_params, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda *s: sum(a * b for a, b in _pairs(s)), "pas les biais"),
    (lambda *s: sum(a * b + a for a, b in _pairs(s)), "b, et non a"),
    (lambda *s: s[0] * s[1] + s[1], "Seule la première couche"),
    (lambda sizes: sum(a * b + b for a, b in _pairs(sizes)), "ne correspond pas à la signature"),
    (lambda *s: sum((a + 1) * (b + 1) for a, b in _pairs(s)), "Comptez ab + b"),
], ids=["no bias", "bias a", "first layer", "one argument", "neutral"])
def test_dense_params_wrong_answers_are_named(answer, fragment):
    rejects(check_dense_params, answer, fragment)


@pytest.mark.parametrize("answer", [
    lambda c_in, c_out, k: c_in * c_out * k ** 2 + c_out,
    lambda c_in, c_out, k: sum(p.numel() for p in nn.Conv2d(c_in, c_out, k).parameters()),
    lambda c_in, c_out, k: sum(p.numel() for p in nn.ConvTranspose2d(c_in, c_out, k).parameters()),
], ids=["formula", "nn.Conv2d", "nn.ConvTranspose2d"])
def test_conv_params_right_answers_written_differently_pass(answer):
    assert passes(check_conv_params, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda c_in, c_out, k: c_out * c_in * k * k, "oubliez les biais"),
    (lambda c_in, c_out, k: c_out * (c_in * k + 1), "k² poids"),
    (lambda c_in, c_out, k: c_in * c_out * k * k + c_in, "par canal d'entrée"),
    (lambda c_in, c_out, k: c_out * (c_in + 1) * k * k, "un seul biais"),
    (lambda c_in, c_out, k: c_in * (c_out * k * k + 1) + 1, "autre nombre de paramètres"),
], ids=["no bias", "k not k²", "bias per input", "bias per tap", "neutral"])
def test_conv_params_wrong_answers_are_named(answer, fragment):
    rejects(check_conv_params, answer, fragment)


# --- Formes des sorties ----------------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    lambda size, kernel, stride=1, padding=0: math.floor((size + 2 * padding - kernel) / stride)
    + 1,
    lambda size, kernel, stride=1, padding=0: int((size + 2 * padding - kernel) / stride + 1),
    lambda size, kernel, stride=1, padding=0: nn.Conv2d(1, 1, kernel, stride, padding)(
        torch.zeros(1, 1, size, size)).shape[-1],
    lambda size, kernel, stride=1, padding=0: float((size + 2 * padding - kernel) // stride + 1),
], ids=["math.floor", "int", "real layer", "float"])
def test_conv_output_size_right_answers_written_differently_pass(answer):
    assert passes(check_conv_output_size, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda h, k, s=1, p=0: (h + 2 * p - k) / s + 1, "n'est pas toujours un entier"),
    (lambda h, k, s=1, p=0: (h + 2 * p - k) / s, "qui n'est pas un entier"),
    (lambda h, k, s=1, p=0: (h + 2 * p - k) // s, "Il manque le « + 1 »"),
    (lambda h, k, s=1, p=0: (h + p - k) // s + 1, "compte deux fois"),
    (lambda h, k, s=1, p=0: (h - k) // s + 1, "marge (padding) est oubliée"),
    (lambda h, k, s=1, p=0: math.ceil((h + 2 * p - k) / s) + 1, "arrondi vers le haut"),
    (lambda h, k, s=1, p=0: round((h + 2 * p - k) / s) + 1,
     "conv_output_size(28, 3, 2, 1) renvoie 15 ; la couche donne un autre côté"),
    (lambda h, k, s, p: (h + 2 * p - k) // s + 1, "ne correspond pas à la signature"),
], ids=["true division", "no + 1, not an integer", "no + 1", "padding once", "no padding",
        "ceil", "round, neutral", "no defaults"])
def test_conv_output_size_wrong_answers_are_named(answer, fragment):
    rejects(check_conv_output_size, answer, fragment)


@pytest.mark.parametrize("answer", [
    lambda size, kernel, stride=1, padding=0, output_padding=0: (
        stride * (size - 1) + kernel - 2 * padding + output_padding),
    lambda size, kernel, stride=1, padding=0, output_padding=0: nn.ConvTranspose2d(
        1, 1, kernel, stride, padding, output_padding)(torch.zeros(1, 1, size, size)).shape[-1],
], ids=["formula", "real layer"])
def test_conv_transpose_output_size_right_answers_written_differently_pass(answer):
    assert passes(check_conv_transpose_output_size, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda h, k, s=1, p=0, op=0: h * s - 2 * p + k + op, "size − 1, et non size"),
    (lambda h, k, s=1, p=0, op=0: (h - 1) * s - 2 * p + k, "output_padding est oublié"),
    (lambda h, k, s=1, p=0, op=0: (h - 1) * s - p + k + op, "compte deux fois"),
    (lambda h, k, s=1, p=0, op=0: (h - 1) * s + 2 * p + k + op, "elle est retirée"),
    (lambda h, k, s=1, p=0, op=0: (h + 2 * p - k) // s + 1 + op, "convolution ordinaire"),
    (lambda h, k, s=1, p=0, op=0: 2 * h, "Reprenez la formule"),
], ids=["size", "no output_padding", "padding once", "padding added", "ordinary", "neutral"])
def test_conv_transpose_output_size_wrong_answers_are_named(answer, fragment):
    rejects(check_conv_transpose_output_size, answer, fragment)


# --- ACP et codes ----------------------------------------------------------------------------


def _pca_sklearn(train, test, k, *, fit_on="train", measured_on="test", per_image=False):
    data = {"train": train.flatten(1).numpy(), "test": test.flatten(1).numpy()}
    pca = PCA(n_components=k).fit(data[fit_on])
    target = data[measured_on]
    squared = (pca.inverse_transform(pca.transform(target)) - target) ** 2
    return float(squared.sum(axis=1).mean() if per_image else squared.mean())


def _pca_torch(train, test, k):
    mean = train.flatten(1).mean(dim=0)
    axes = torch.linalg.svd(train.flatten(1) - mean, full_matrices=False).Vh[:k].T
    reconstruction = mean + (test.flatten(1) - mean) @ axes @ axes.T
    return F.mse_loss(reconstruction, test.flatten(1))


@pytest.mark.parametrize("answer", [_pca_sklearn, _pca_torch], ids=["sklearn", "torch svd"])
def test_pca_test_mse_right_answers_written_differently_pass(answer):
    assert passes(check_pca_test_mse, answer)


def _uncentred(train, test, k):
    axes = np.linalg.svd(train.flatten(1).numpy(), full_matrices=False)[2][:k].T
    target = test.flatten(1).numpy()
    return float(((target @ axes @ axes.T - target) ** 2).mean())


def _fit_on_everything(train, test, k):
    pca = PCA(n_components=k).fit(torch.cat([train, test]).flatten(1).numpy())
    target = test.flatten(1).numpy()
    return float(((pca.inverse_transform(pca.transform(target)) - target) ** 2).mean())


@pytest.mark.parametrize("answer, fragment", [
    (lambda *a: _pca_sklearn(*a, per_image=True), "erreur par image"),
    (lambda train, test, k: F.mse_loss(torch.from_numpy(PCA(k).fit(train.flatten(1).numpy())
                                       .inverse_transform(PCA(k).fit(train.flatten(1).numpy())
                                                          .transform(test.flatten(1).numpy()))),
                                       test.flatten(1), reduction="sum") / len(test),
     "erreur par image"),
    (lambda *a: _pca_sklearn(*a, fit_on="test"), "ajustée sur les images de test"),
    (lambda *a: _pca_sklearn(*a, measured_on="train"), "images d'entraînement"),
    (_uncentred, "pas centrées"),
    (lambda train, test, k: _pca_sklearn(train, test, k + 1), "n'est pas k"),
    (lambda train, test, k: _pca_sklearn(train, test, 3), "Avec k = 2, votre erreur"),
    (_fit_on_everything, "n'est pas l'erreur quadratique moyenne par pixel"),
], ids=["per image", "mse sum", "fit on test", "measured on train", "uncentred", "k + 1",
        "hard-coded k", "fit on both"])
def test_pca_test_mse_wrong_answers_are_named(answer, fragment):
    rejects(check_pca_test_mse, answer, fragment)


@pytest.mark.parametrize("answer", [
    lambda codes: 1 - codes.count_nonzero() / codes.numel(),
    lambda codes: (codes <= 0).float().mean(),
    lambda codes: float(np.mean(codes.numpy() == 0)),
], ids=["count_nonzero", "float32 tensor", "numpy"])
def test_zero_fraction_right_answers_written_differently_pass(answer):
    assert passes(check_zero_fraction, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda codes: 100 * (codes == 0).float().mean(), "en pourcentage"),
    (lambda codes: int((codes == 0).sum()), "nombre de coordonnées nulles"),
    (lambda codes: (codes == 0).sum().item() / codes.shape[0], "nombre d'images"),
    (lambda codes: (codes > 0).float().mean(), "non nulles"),
    (lambda codes: (codes.sum(dim=0) == 0).float().mean(), "proportion des unités nulles"),
    (lambda codes: (codes == 0).float().mean(dim=0), "un tableau de forme"),
    (lambda codes: (codes == 0).float().mean(dim=1).max(), "part des coordonnées nulles"),
], ids=["percent", "count", "per image", "non-zero", "dead units", "vector", "neutral"])
def test_zero_fraction_wrong_answers_are_named(answer, fragment):
    rejects(check_zero_fraction, answer, fragment)


@pytest.mark.parametrize("answer", [
    lambda codes: (codes.max(dim=0).values == 0).sum(),
    lambda codes: (codes.sum(dim=0) == 0).sum().item(),
    lambda codes: int(np.sum(~codes.numpy().any(axis=0))),
    lambda codes: codes.shape[1] - int((codes > 0).any(dim=0).sum()),
], ids=["max", "sum", "numpy", "complement"])
def test_dead_units_right_answers_written_differently_pass(answer):
    assert passes(check_dead_units, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda codes: (codes == 0).all(dim=1).sum(), "axe des images"),
    (lambda codes: (codes.max(dim=1).values == 0).sum(), "axe des images"),
    (lambda codes: (codes == 0).any(dim=0).sum(), "au moins une image"),
    (lambda codes: (codes > 0).any(dim=0).sum(), "s'activent au moins une fois"),
    (lambda codes: (codes == 0).all(dim=0).float().mean(), "proportion d'unités mortes"),
    (lambda codes: int((codes == 0).sum()), "coordonnées nulles une à une"),
    (lambda codes: (codes == 0).all(dim=0), "un tableau de forme"),
    (lambda codes: 0, "colonnes de codes nulles"),
], ids=["rows", "rows by max", "any", "alive", "proportion", "zeros", "vector", "neutral"])
def test_dead_units_wrong_answers_are_named(answer, fragment):
    rejects(check_dead_units, answer, fragment)


# --- Trou de l'issue 13 : seul le premier échec était affiché --------------------------------


def test_exercise_1_check_cell_reports_both_functions(capsys, solutions):
    def dense_params(*sizes):
        return sum(a * b for a, b in _pairs(sizes))

    with pytest.raises(WrongAnswer, match="À corriger : dense_params"):
        check_all(dense_params, solutions("tp3_denses_convolutionnels")["conv_params"])
    out = capsys.readouterr().out
    assert "❌ Vous comptez les poids mais pas les biais" in out
    assert "✅ Nombre de paramètres juste pour plusieurs convolutions." in out


def test_exercise_2_check_cell_reports_both_failures(capsys):
    def conv_output_size(size, kernel, stride=1, padding=0):
        return (size + 2 * padding - kernel) // stride

    def conv_transpose_output_size(size, kernel, stride=1, padding=0, output_padding=0):
        return (size - 1) * stride - 2 * padding + kernel

    with pytest.raises(WrongAnswer,
                       match="À corriger : conv_output_size, conv_transpose_output_size"):
        check_all(conv_output_size, conv_transpose_output_size)
    out = capsys.readouterr().out
    assert "❌ Il manque le « + 1 »" in out
    assert "❌ output_padding est oublié" in out


def test_exercise_3_check_cell_reports_every_function(capsys, solutions):
    course = solutions("tp3_denses_convolutionnels")

    def zero_fraction(codes):
        return (codes != 0).float().mean()

    with pytest.raises(WrongAnswer, match=r"À corriger : zero_fraction \("):
        check_all(course["pca_test_mse"], zero_fraction, course["dead_units"])
    verdicts = capsys.readouterr().out.splitlines()
    assert [line[0] for line in verdicts] == ["✅", "❌", "✅"]
