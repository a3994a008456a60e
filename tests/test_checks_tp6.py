"""Les vérifications du TP 6 : des réponses justes écrites autrement passent, des réponses fausses
écrites comme un étudiant les écrirait sont refusées avec un message juste (ou neutre), et les
trous de l'issue 13 sont fermés. Ce que tout check doit faire est dans ``test_checks.py``."""

import numpy as np
import pytest
import torch
from scipy import stats

from helpers.checks import (WrongAnswer, check_chi2_radius_test, check_mcnemar_test,
                            check_recovered_gain)

from checkutils import passes


def _rejects(check, answer, fragment: str) -> str:
    with pytest.raises(WrongAnswer) as error:
        check(answer)
    assert fragment in str(error.value), str(error.value)
    return str(error.value)


# --- mcnemar_test ----------------------------------------------------------------------------


def _counts(labels, before, after):
    right_before, right_after = before == labels, after == labels
    return (right_before, right_after, int((right_after & ~right_before).sum()),
            int((right_before & ~right_after).sum()))


def _mcnemar(labels, before, after, *, p_value=lambda b, c: stats.binomtest(b, b + c).pvalue):
    right_before, right_after, b, c = _counts(labels, before, after)
    return (right_before.float().mean().item(), right_after.float().mean().item(), b + c,
            p_value(b, c))


def _mcnemar_numpy(labels, before, after):
    labels, before, after = labels.numpy(), before.numpy(), after.numpy()
    b = np.sum((after == labels) & (before != labels))
    c = np.sum((before == labels) & (after != labels))
    return np.mean(before == labels), np.mean(after == labels), b + c, stats.binomtest(c, b + c).pvalue


def _mcnemar_tensors(labels, before, after):
    right_before, right_after = before == labels, after == labels
    n_discordant = (right_before ^ right_after).sum()
    k = (right_after & ~right_before).sum()
    return (right_before.double().mean(), right_after.double().mean(), n_discordant,
            stats.binomtest(int(k), int(n_discordant), p=0.5, alternative="two-sided").pvalue)


@pytest.mark.parametrize("answer", [
    _mcnemar, _mcnemar_numpy, _mcnemar_tensors,
    lambda *args: list(_mcnemar(*args)),
], ids=["floats", "numpy, k counted the other way", "tensors and xor", "list"])
def test_mcnemar_test_right_answers_written_differently_pass(answer):
    assert passes(check_mcnemar_test, answer)


def _by_prediction(labels, before, after):
    right_before, right_after, b, _ = _counts(labels, before, after)
    n_discordant = int((before != after).sum())
    return (right_before.float().mean().item(), right_after.float().mean().item(), n_discordant,
            stats.binomtest(b, n_discordant).pvalue)


@pytest.mark.parametrize("answer, fragment", [
    (_by_prediction, "deux prédictions fausses (mais différentes)"),
    (lambda *a: _mcnemar(*a, p_value=lambda b, c: stats.binomtest(b, 40).pvalue),
     "porte sur toutes les images"),
    (lambda *a: _mcnemar(*a, p_value=lambda b, c: stats.binomtest(b, b + c, alternative="greater")
                         .pvalue), "unilatéral"),
    (lambda *a: _mcnemar(*a, p_value=lambda b, c: stats.chi2.sf((b - c) ** 2 / (b + c), 1)),
     "approximation du test de McNemar par une loi χ²"),
    (lambda *a: _mcnemar(*a, p_value=lambda b, c: stats.chi2.sf((abs(b - c) - 1) ** 2 / (b + c), 1)),
     "approximation du test de McNemar par une loi χ²"),
    (lambda *a: tuple(100 * v if i < 2 else v for i, v in enumerate(_mcnemar(*a))),
     "en pourcentage"),
    (lambda labels, before, after: _mcnemar(labels, after, before), "taux d'accord sont échangés"),
    (lambda *a: _mcnemar(*a, p_value=lambda b, c: stats.binomtest(b, b + c)),
     "L'élément 4 de la valeur renvoyée doit être un nombre, pas un objet BinomTestResult"),
    (lambda *a: _mcnemar(*a)[:3], "doit avoir 4 éléments, pas 3"),
    (lambda *a: _mcnemar(*a, p_value=lambda b, c: stats.binomtest(b, b + c, p=0.4).pvalue),
     "Taux d'accord et n_d justes, mais la valeur p"),
    (lambda labels, before, after: _mcnemar(labels, before, labels),
     "ces valeurs ne sont pas justes : le taux d'accord après, le nombre n_d"),
], ids=["discordant predictions", "all images", "one-sided", "chi2", "chi2 corrected", "percent",
        "swapped", "result object", "three values", "p = 0.4", "labels as predictions"])
def test_mcnemar_test_wrong_answers_are_named(answer, fragment):
    _rejects(check_mcnemar_test, answer, fragment)


# --- chi2_radius_test ------------------------------------------------------------------------


def _ks(sample, dof):
    result = stats.kstest(sample, stats.chi2(df=dof).cdf)
    return result.statistic, result.pvalue


@pytest.mark.parametrize("answer", [
    lambda codes: stats.kstest(codes.pow(2).sum(dim=1).numpy(), stats.chi2(df=codes.shape[1]).cdf),
    lambda codes: tuple(stats.kstest(codes.pow(2).sum(1).numpy(), "chi2", args=(codes.shape[1],))),
    lambda codes: _ks(np.linalg.norm(codes.numpy(), axis=1) ** 2, codes.shape[1]),
    lambda codes: tuple(torch.tensor(v) for v in _ks(codes.pow(2).sum(1).numpy(), codes.size(1))),
], ids=["KstestResult", "scipy name", "numpy norm squared", "tensors"])
def test_chi2_radius_test_right_answers_written_differently_pass(answer):
    assert passes(check_chi2_radius_test, answer)


@pytest.mark.parametrize("answer", [
    lambda codes: _ks(codes.pow(2).sum(dim=1).numpy(), len(codes)),
    lambda codes: _ks(codes.pow(2).sum(dim=1).numpy(), codes.shape[0]),
], ids=["len(codes)", "codes.shape[0]"])
def test_hole_chi2_with_df_the_number_of_codes_is_named_not_misdiagnosed(answer):
    """Issue 13 : ``chi2(df=len(codes))`` s'entendait dire qu'il sommait sur le mauvais axe."""
    message = _rejects(check_chi2_radius_test, answer,
                       "Le nombre de degrés de liberté est le nombre N de codes")
    assert "mauvais axe" not in message


@pytest.mark.parametrize("answer, fragment", [
    (lambda codes: _ks(codes.pow(2).sum(dim=1).sqrt().numpy(), codes.shape[1]), "testez le rayon"),
    (lambda codes: _ks(codes.pow(2).sum(dim=1).numpy(), 2), "fixé à 2"),
    (lambda codes: _ks(codes.pow(2).mean(dim=1).numpy(), codes.shape[1]), "pas leur moyenne"),
    (lambda codes: _ks(codes.pow(2).sum(dim=0).numpy(), codes.shape[1]), "mauvais axe"),
    (lambda codes: (lambda r: _ks_normal(r))(np.linalg.norm(codes.numpy(), axis=1)),
     "l'erreur classique"),
    (lambda codes: _ks(codes.pow(2).sum(dim=1).numpy(), codes.shape[1])[::-1], "dans le désordre"),
    (lambda codes: _ks(codes.pow(2).sum(dim=1).numpy(), codes.shape[1])[0],
     "doit être une suite de 2 éléments, pas un nombre"),
    (lambda codes: tuple(stats.kstest(codes.pow(2).sum(dim=1).numpy(),
                                      stats.chi2(df=codes.shape[1]).cdf, method="asymp")),
     "La statistique D est juste, mais pas la valeur p"),
    (lambda codes: _ks(codes.pow(2).sum(dim=1).sqrt().numpy(), len(codes)),
     "n'est pas celle du test de Kolmogorov–Smirnov"),
    (lambda codes: _ks(codes.pow(2).sum(dim=1).numpy(), 3),
     "n'est pas celle du test de Kolmogorov–Smirnov"),
], ids=["radius", "df = 2", "mean", "axis 0", "fitted normal", "swapped", "statistic only",
        "asymptotic p", "radius and df = N", "df = 3"])
def test_chi2_radius_test_wrong_answers_are_named(answer, fragment):
    _rejects(check_chi2_radius_test, answer, fragment)


def _ks_normal(sample):
    result = stats.kstest(sample, stats.norm(sample.mean(), sample.std()).cdf)
    return result.statistic, result.pvalue


# --- recovered_gain --------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    lambda i, c, o: ((i.mean() - c.mean()) / (i.mean() - o.mean())).item(),
    lambda i, c, o: (i.mean() - c.mean()) / (i.mean() - o.mean()),
    lambda i, c, o: float((i.sum() - c.sum()) / (i.sum() - o.sum())),
    lambda i, c, o: (lambda a, b, d: (a - b) / (a - d))(*(np.mean(e.cpu().numpy()) for e in (i, c, o))),
    lambda i, c, o: ((i - c).mean() / (i - o).mean()).reshape(1),
], ids=["float", "0-d tensor", "sums", "numpy", "1-element tensor"])
def test_recovered_gain_right_answers_written_differently_pass(answer):
    assert passes(check_recovered_gain, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda i, c, o: 100 * ((i.mean() - c.mean()) / (i.mean() - o.mean())).item(), "pourcentage"),
    (lambda i, c, o: (c.mean() - i.mean()) / (i.mean() - o.mean()), "signe est inversé"),
    (lambda i, c, o: (c.mean() - o.mean()) / (i.mean() - o.mean()), "qui manque encore"),
    (lambda i, c, o: (i.mean() - o.mean()) / (i.mean() - c.mean()), "rapport est inversé"),
    (lambda i, c, o: ((i - c) / (i - o)).mean(), "moyennez des rapports image par image"),
    (lambda i, c, o: (i.mean() - c.mean()) / i.mean(), "rapporté à l'erreur de départ"),
    (lambda i, c, o: (i - c) / (i - o), "La valeur renvoyée est un tableau de forme (4,)"),
    (lambda i, c, o: ((i.median() - c.median()) / (i.median() - o.median())).item(),
     "n'est pas (ē_init − ē_corr) / (ē_init − ē_opt)"),
], ids=["percent", "sign", "missing part", "inverted", "mean of ratios", "relative to initial",
        "vector", "medians"])
def test_recovered_gain_wrong_answers_are_named(answer, fragment):
    _rejects(check_recovered_gain, answer, fragment)
