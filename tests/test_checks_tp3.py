"""Les vérifications du TP 3 acceptent la solution du cours et reconnaissent les erreurs typiques."""

import math

import numpy as np
import pytest
from sklearn.decomposition import PCA

from helpers.checks import (WrongAnswer, check_conv_output_size, check_conv_params,
                            check_conv_transpose_output_size, check_dead_units,
                            check_dense_params, check_pca_test_mse, check_zero_fraction)

from checkutils import passes, pending


@pytest.fixture(scope="module")
def tp3(solutions):
    return solutions("tp3_denses_convolutionnels")


def test_reference_solutions_pass(tp3, capsys):
    assert passes(check_dense_params, tp3["dense_params"])
    assert passes(check_conv_params, tp3["conv_params"])
    assert passes(check_conv_output_size, tp3["conv_output_size"])
    assert passes(check_conv_transpose_output_size, tp3["conv_transpose_output_size"])
    assert passes(check_pca_test_mse, tp3["pca_test_mse"])
    assert passes(check_zero_fraction, tp3["zero_fraction"])
    assert passes(check_dead_units, tp3["dead_units"])
    assert capsys.readouterr().out.count("✅") == 7


def test_stubs_are_reported_as_pending(capsys):
    def dense_params(*sizes):
        raise NotImplementedError("À compléter")

    def dead_units(codes):
        raise NotImplementedError("À compléter")

    assert pending(check_dense_params, dense_params)
    assert pending(check_dead_units, dead_units)
    out = capsys.readouterr().out
    assert "dense_params n'est pas encore écrite" in out
    assert "dead_units n'est pas encore écrite" in out


def _pairs(sizes):
    return zip(sizes[:-1], sizes[1:])


def test_dense_params_with_a_loop_passes():
    def dense_params(*sizes):
        total = 0
        for i in range(len(sizes) - 1):
            total += (sizes[i] + 1) * sizes[i + 1]
        return total

    assert passes(check_dense_params, dense_params)


@pytest.mark.parametrize("wrong, message", [
    (lambda *s: sum(a * b for a, b in _pairs(s)), "pas les biais"),
    (lambda *s: sum(a * b + a for a, b in _pairs(s)), "b, et non a"),
    (lambda *s: s[0] * s[1] + s[1], "Seule la première couche"),
    (lambda sizes: sum(a * b + b for a, b in _pairs(sizes)), "respectez la signature"),
    (lambda *s: sum((a + 1) * (b + 1) for a, b in _pairs(s)), "Comptez ab \\+ b"),
])
def test_dense_params_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_dense_params(wrong)


@pytest.mark.parametrize("wrong, message", [
    (lambda c_in, c_out, k: c_out * c_in * k * k, "oubliez les biais"),
    (lambda c_in, c_out, k: c_out * (c_in * k + 1), "k² poids"),
    (lambda c_in, c_out, k: c_in * c_out * k * k + c_in, "par canal d'entrée"),
    (lambda c_in, c_out, k: c_out * (c_in + 1) * k * k, "un seul biais"),
    (lambda c_in, c_out, k: c_in * (c_out * k * k + 1) + 1, "autre nombre de paramètres"),
])
def test_conv_params_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_conv_params(wrong)


def test_conv_output_size_with_math_floor_passes():
    def conv_output_size(size, kernel, stride=1, padding=0):
        return math.floor((size + 2 * padding - kernel) / stride) + 1

    assert passes(check_conv_output_size, conv_output_size)


@pytest.mark.parametrize("wrong, message", [
    (lambda h, k, s=1, p=0: (h + 2 * p - k) / s + 1, "partie entière"),
    (lambda h, k, s=1, p=0: (h + 2 * p - k) // s, "Il manque le « \\+ 1 »"),
    (lambda h, k, s=1, p=0: (h + p - k) // s + 1, "compte deux fois"),
    (lambda h, k, s=1, p=0: (h - k) // s + 1, "marge \\(padding\\) est oubliée"),
    (lambda h, k, s=1, p=0: math.ceil((h + 2 * p - k) / s) + 1, "arrondi vers le haut"),
    (lambda h, k, s, p: (h + 2 * p - k) // s + 1, "respectez la signature"),
])
def test_conv_output_size_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_conv_output_size(wrong)


@pytest.mark.parametrize("wrong, message", [
    (lambda h, k, s=1, p=0, op=0: h * s - 2 * p + k + op, "size − 1, et non size"),
    (lambda h, k, s=1, p=0, op=0: (h - 1) * s - 2 * p + k, "output_padding est oublié"),
    (lambda h, k, s=1, p=0, op=0: (h - 1) * s - p + k + op, "compte deux fois"),
    (lambda h, k, s=1, p=0, op=0: (h + 2 * p - k) // s + 1 + op, "convolution ordinaire"),
    (lambda h, k, s=1, p=0, op=0: 2 * h, "Reprenez la formule"),
])
def test_conv_transpose_output_size_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_conv_transpose_output_size(wrong)


def _pca_mse(train, test, k, *, fit_on="train", evaluate_on="test", per_image=False,
             centre=True):
    """L'erreur de l'ACP avec, au choix, l'une des erreurs typiques des étudiants."""
    data = {"train": train.flatten(1).numpy(), "test": test.flatten(1).numpy()}
    fit, target = data[fit_on], data[evaluate_on]
    if centre:
        pca = PCA(n_components=k).fit(fit)
        reconstruction = pca.inverse_transform(pca.transform(target))
    else:
        axes = np.linalg.svd(fit, full_matrices=False)[2][:k].T
        reconstruction = target @ axes @ axes.T
    squared = (reconstruction - target) ** 2
    return float(squared.sum(axis=1).mean() if per_image else squared.mean())


def test_pca_test_mse_variant_without_random_state_passes():
    assert passes(check_pca_test_mse, _pca_mse)


@pytest.mark.parametrize("mistake, message", [
    ({"per_image": True}, "erreur par image"),
    ({"fit_on": "test"}, "ajustée sur les images de test"),
    ({"evaluate_on": "train"}, "images d'entraînement"),
    ({"centre": False}, "pas centrées"),
])
def test_pca_test_mse_mistakes(mistake, message):
    def wrong(train, test, k):
        return _pca_mse(train, test, k, **mistake)

    with pytest.raises(WrongAnswer, match=message):
        check_pca_test_mse(wrong)


def test_pca_test_mse_wrong_number_of_components():
    with pytest.raises(WrongAnswer, match="n'est pas k"):
        check_pca_test_mse(lambda train, test, k: _pca_mse(train, test, k + 1))


@pytest.mark.parametrize("wrong, message", [
    (lambda codes: 100 * (codes == 0).float().mean(), "en pourcentage"),
    (lambda codes: (codes == 0).sum(), "nombre de coordonnées nulles"),
    (lambda codes: (codes != 0).float().mean(), "non nulles"),
    (lambda codes: (codes == 0).float().mean(dim=0), "doit être un nombre"),
    (lambda codes: (codes == 0).float().mean(dim=1).max(), "part des coordonnées nulles"),
])
def test_zero_fraction_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_zero_fraction(wrong)


def test_dead_units_with_max_passes():
    assert passes(check_dead_units, lambda codes: (codes.max(dim=0).values == 0).sum())


@pytest.mark.parametrize("wrong, message", [
    (lambda codes: (codes == 0).all(dim=1).sum(), "axe des images"),
    (lambda codes: (codes == 0).any(dim=0).sum(), "au moins une image"),
    (lambda codes: (codes > 0).any(dim=0).sum(), "s'activent au moins une fois"),
    (lambda codes: (codes == 0).all(dim=0).float().mean(), "proportion d'unités mortes"),
    (lambda codes: (codes == 0).all(dim=0), "doit être un nombre"),
    (lambda codes: 0, "colonnes de codes nulles"),
])
def test_dead_units_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_dead_units(wrong)
