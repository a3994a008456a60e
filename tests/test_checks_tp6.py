"""Les vérifications du TP 6 acceptent la solution du cours et reconnaissent les erreurs typiques."""

import numpy as np
import pytest
from scipy import stats

from helpers.checks import (WrongAnswer, check_chi2_radius_test, check_mcnemar_test,
                            check_recovered_gain)

from checkutils import passes, pending


@pytest.fixture(scope="module")
def tp6(solutions):
    return solutions("tp6_inversion")


def test_reference_solutions_pass(tp6, capsys):
    assert passes(check_mcnemar_test, tp6["mcnemar_test"])
    assert passes(check_chi2_radius_test, tp6["chi2_radius_test"])
    assert passes(check_recovered_gain, tp6["recovered_gain"])
    assert capsys.readouterr().out.count("✅") == 3


def test_a_stub_is_reported_as_pending(capsys):
    def mcnemar_test(labels, predicted_before, predicted_after):
        raise NotImplementedError("À compléter")

    assert pending(check_mcnemar_test, mcnemar_test)
    assert "mcnemar_test n'est pas encore écrite" in capsys.readouterr().out


def _mcnemar(labels, predicted_before, predicted_after, *, by_prediction=False, n_all=False,
             side="two-sided", percent=False):
    """Le test apparié avec, au choix, l'une des erreurs typiques des étudiants."""
    before, after = predicted_before == labels, predicted_after == labels
    only_after = int((after & ~before).sum())
    if by_prediction:
        discordant = int((predicted_before != predicted_after).sum())
    else:
        discordant = only_after + int((before & ~after).sum())
    trials = len(labels) if n_all else discordant
    p_value = stats.binomtest(only_after, trials, 0.5, alternative=side).pvalue
    scale = 100 if percent else 1
    return (scale * before.float().mean().item(), scale * after.float().mean().item(), discordant,
            p_value)


@pytest.mark.parametrize("mistake, message", [
    ({"by_prediction": True}, "deux prédictions fausses"),
    ({"n_all": True}, "porte sur toutes les images"),
    ({"side": "greater"}, "unilatéral"),
    ({"percent": True}, "en pourcentage"),
])
def test_mcnemar_test_mistakes(mistake, message):
    with pytest.raises(WrongAnswer, match=message):
        check_mcnemar_test(lambda *args: _mcnemar(*args, **mistake))


def test_mcnemar_test_other_mistakes():
    with pytest.raises(WrongAnswer, match="quadruplet"):
        check_mcnemar_test(lambda *args: _mcnemar(*args)[:2])
    with pytest.raises(WrongAnswer, match="échangés"):
        check_mcnemar_test(lambda labels, b, a: _mcnemar(labels, a, b))


def _ks(values, reference):
    result = stats.kstest(values, reference.cdf)
    return result.statistic, result.pvalue


@pytest.mark.parametrize("wrong, message", [
    (lambda codes: _ks(codes.pow(2).sum(dim=1).sqrt().numpy(), stats.chi2(df=codes.shape[1])),
     "testez le rayon"),
    (lambda codes: _ks(codes.pow(2).sum(dim=1).numpy(), stats.chi2(df=2)), "degrés de liberté"),
    (lambda codes: _ks(codes.pow(2).mean(dim=1).numpy(), stats.chi2(df=codes.shape[1])),
     "pas leur moyenne"),
    (lambda codes: _ks(codes.pow(2).sum(dim=0).numpy(), stats.chi2(df=codes.shape[1])),
     "mauvais axe"),
    (lambda codes: (lambda r: _ks(r, stats.norm(r.mean(), r.std())))(
        np.linalg.norm(codes.numpy(), axis=1)), "comme le mémoire"),
    (lambda codes: stats.kstest(codes.pow(2).sum(dim=1).numpy(),
                                stats.chi2(df=codes.shape[1]).cdf).statistic, "le couple"),
    (lambda codes: _ks(codes.pow(2).sum(dim=1).numpy(), stats.chi2(df=codes.shape[1]))[0] * 2
     * np.ones(2), "n'est pas\\s+celle du test"),
])
def test_chi2_radius_test_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_chi2_radius_test(wrong)


def test_chi2_radius_test_accepts_a_kstest_result():
    assert passes(check_chi2_radius_test, 
        lambda codes: stats.kstest(codes.pow(2).sum(dim=1).numpy(), stats.chi2(df=codes.shape[1]).cdf))


@pytest.mark.parametrize("wrong, message", [
    (lambda i, c, o: 100 * (i.mean() - c.mean()) / (i.mean() - o.mean()), "en pourcentage"),
    (lambda i, c, o: (c.mean() - i.mean()) / (i.mean() - o.mean()), "signe est inversé"),
    (lambda i, c, o: (c.mean() - o.mean()) / (i.mean() - o.mean()), "manque encore"),
    (lambda i, c, o: ((i - c) / (i - o)).mean(), "moyennez des rapports"),
    (lambda i, c, o: (i.mean() - c.mean()) / i.mean(), "rapporté à l'erreur de départ"),
    (lambda i, c, o: (i - c) / (i - o), "doit être un nombre"),
])
def test_recovered_gain_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_recovered_gain(wrong)
