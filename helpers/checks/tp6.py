"""Vérifications des exercices du TP 6 (inverser le décodeur)."""

from __future__ import annotations

import numpy as np
import torch
from scipy import stats

from .. import config
from .core import Mistake, exercise_check, expect, same

__all__ = ["check_mcnemar_test", "check_chi2_radius_test", "check_recovered_gain"]


# --- Test de McNemar -------------------------------------------------------------------------


def _paired_case(seed: int, counts: tuple[int, int, int, int, int]) -> tuple:
    """``(labels, predicted_before, predicted_after)`` sur le CPU, comme les sorties de
    ``predict`` : ``counts`` images bien classées les deux fois, seulement après, seulement avant,
    mal classées deux fois de la même façon, mal classées deux fois de façons différentes, dans un
    ordre mélangé."""
    generator = torch.Generator().manual_seed(seed)
    n = sum(counts)
    labels = torch.randint(0, 10, (n,), generator=generator)
    shift = torch.randint(1, 9, (n,), generator=generator)
    wrong, other = (labels + shift) % 10, (labels + shift + 1) % 10
    kinds = torch.repeat_interleave(torch.arange(5), torch.tensor(counts))
    kinds = kinds[torch.randperm(n, generator=generator)]
    before = torch.where((kinds == 0) | (kinds == 2), labels, wrong)
    after = torch.where(kinds <= 1, labels, torch.where(kinds == 4, other, wrong))
    return labels, before, after


def _reference_mcnemar(labels, predicted_before, predicted_after) -> tuple:
    """La référence, image par image ; pour B(n, 1/2), symétrique, la valeur p bilatérale exacte
    vaut 2 P(X ≤ min(b, c)), bornée par 1."""
    triples = list(zip(labels.tolist(), predicted_before.tolist(), predicted_after.tolist()))
    only_after = sum(b != y and a == y for y, b, a in triples)
    only_before = sum(b == y and a != y for y, b, a in triples)
    n_discordant = only_after + only_before
    p_value = min(1.0, 2 * stats.binom.cdf(min(only_after, only_before), n_discordant, 0.5))
    return (sum(b == y for y, b, _ in triples) / len(triples),
            sum(a == y for y, _, a in triples) / len(triples), n_discordant, p_value)


def _mcnemar(labels, predicted_before, predicted_after, *, discordant="one right",
             trials="discordant", alternative="two-sided", test="binomial", rates=1.0, swap=False):
    """Variantes fautives : images discordantes, nombre d'essais, test unilatéral ou approché par
    le χ², taux en pourcentage ou en nombre d'images, taux échangés."""
    right_before, right_after = predicted_before == labels, predicted_after == labels
    only_after = int((right_after & ~right_before).sum())
    only_before = int((right_before & ~right_after).sum())
    if discordant == "one right":
        n_discordant = only_after + only_before
    else:
        n_discordant = int((predicted_before != predicted_after).sum())
    if test == "binomial":
        n = len(labels) if trials == "all" else n_discordant
        p_value = stats.binomtest(only_after, n, 0.5, alternative=alternative).pvalue
    else:
        correction = 1 if test == "corrected chi2" else 0
        statistic = (abs(only_after - only_before) - correction) ** 2 / (only_after + only_before)
        p_value = stats.chi2.sf(statistic, df=1)
    scale = len(labels) if rates == "counts" else rates
    agreement = tuple(scale * right.float().mean().item() for right in (right_before, right_after))
    if swap:
        agreement = agreement[::-1]
    return (*agreement, n_discordant, p_value)


def _mcnemar_message(case, got, want) -> str:
    names = ("le taux d'accord avant", "le taux d'accord après", "le nombre n_d d'images "
             "discordantes", "la valeur p")
    wrong = [name for name, o, e in zip(names, got, want) if not same(o, e)]
    if wrong == ["la valeur p"]:
        return ("Taux d'accord et n_d justes, mais la valeur p n'est pas celle du test binomial "
                "exact bilatéral B(n_d, 1/2) sur les images discordantes.")
    return (f"Sur un petit exemple de {len(case[0])} images, ces valeurs ne sont pas justes : "
            f"{', '.join(wrong)}.")


_ONE_SIDED = ("La valeur p est celle d'un test unilatéral : le test doit être bilatéral (l'option "
              "par défaut de binomtest).")
_CHI2 = ("La valeur p est celle de l'approximation du test de McNemar par une loi χ² : l'énoncé "
         "demande le test binomial exact, stats.binomtest.")


@exercise_check
def check_mcnemar_test(mcnemar_test) -> str:
    """``mcnemar_test(labels, predicted_before, predicted_after)`` : taux d'accord et test
    apparié ; les trois tenseurs d'entiers sont sur le CPU, comme les sorties de ``predict``."""
    cases = [_paired_case(0, (20, 9, 3, 3, 5)), _paired_case(1, (12, 4, 10, 8, 6)),
             _paired_case(2, (24, 7, 1, 2, 6))]  # 40 images chaque fois, mélangées autrement
    expect(mcnemar_test, _reference_mcnemar, cases, mistakes=[
        Mistake(lambda *a: _mcnemar(*a, rates=100.0),
                "Les taux d'accord sont en pourcentage : renvoyez des fractions dans [0, 1]."),
        Mistake(lambda *a: _mcnemar(*a, rates="counts"),
                "Les taux d'accord sont des nombres d'images : renvoyez des proportions dans "
                "[0, 1]."),
        Mistake(lambda *a: _mcnemar(*a, swap=True),
                "Les deux taux d'accord sont échangés : le premier est celui de predicted_before."),
        Mistake(lambda *a: _mcnemar(*a, discordant="predictions differ"),
                "Vous comptez comme discordantes les images où les deux prédictions diffèrent ; "
                "or deux prédictions fausses (mais différentes) sont d'accord pour se tromper. "
                "Une image est discordante quand une seule des deux prédictions est juste."),
        Mistake(lambda *a: _mcnemar(*a, trials="all"),
                "Le test binomial porte sur toutes les images : sous l'hypothèse nulle, seules "
                "les n_d images discordantes comptent (n_d essais)."),
        Mistake(lambda *a: _mcnemar(*a, alternative="greater"), _ONE_SIDED),
        Mistake(lambda *a: _mcnemar(*a, alternative="less"), _ONE_SIDED),
        Mistake(lambda *a: _mcnemar(*a, test="chi2"), _CHI2),
        Mistake(lambda *a: _mcnemar(*a, test="corrected chi2"), _CHI2),
    ], otherwise=_mcnemar_message)
    return "Taux d'accord, discordances et valeur p justes sur trois petits exemples connus."


# --- Test du χ² sur les rayons ---------------------------------------------------------------


def _codes(seed: int, n: int, dimension: int, scale: float) -> tuple[torch.Tensor]:
    """Des codes gaussiens centrés d'écart-type ``scale``, tenseur (n, p) sur le CPU."""
    generator = np.random.default_rng(seed)
    return (torch.tensor(scale * generator.standard_normal((n, dimension)), dtype=torch.float32),)


def _reference_radius_test(codes) -> tuple[float, float]:
    """La référence : la statistique D écrite à la main (écart maximal entre la fonction de
    répartition empirique de ‖h‖² et celle de χ²(p)), et sa valeur p exacte (loi kstwo)."""
    squared = np.sort((codes.numpy().astype(np.float64) ** 2).sum(axis=1))
    n = len(squared)
    cdf = stats.chi2(df=codes.shape[1]).cdf(squared)
    statistic = max((np.arange(1, n + 1) / n - cdf).max(), (cdf - np.arange(n) / n).max())
    return statistic, stats.kstwo.sf(statistic, n)


def _radius_test(codes, *, values="squared", axis=1, df="dimension", law="chi2", swap=False):
    """Variantes fautives : rayon ou moyenne des carrés au lieu de ‖h‖², mauvais axe, degrés de
    liberté, loi normale ajustée (l'erreur classique), couple dans le désordre."""
    x = codes.numpy().astype(np.float64)
    squared = (x**2).sum(axis=axis)
    sample = {"squared": squared, "radius": np.sqrt(squared),
              "mean": squared / x.shape[axis]}[values]
    dof = {"dimension": x.shape[1], "count": len(x)}.get(df, df)
    reference = stats.chi2(df=dof) if law == "chi2" else stats.norm(sample.mean(), sample.std())
    result = stats.kstest(sample, reference.cdf)
    return (result.pvalue, result.statistic) if swap else (result.statistic, result.pvalue)


def _radius_message(case, got, want) -> str:
    codes = case[0]
    if same(got[0], want[0]):
        return ("La statistique D est juste, mais pas la valeur p : renvoyez celle de "
                "stats.kstest.")
    return (f"Sur {len(codes)} codes de dimension {codes.shape[1]}, votre statistique D "
            f"({float(got[0]):.4f}) n'est pas celle du test de Kolmogorov–Smirnov de ‖h‖² contre "
            "χ²(p).")


_WRONG_AXIS = ("La somme des carrés est prise sur le mauvais axe : il faut une valeur ‖h‖² par "
               "code, c'est-à-dire par ligne.")
_FITTED_NORMAL = ("Vous comparez à une loi normale ajustée, l'erreur classique décrite au chapitre 4 : "
                  "‖h‖² suit une loi χ²(p), pas une loi normale.")


@exercise_check
def check_chi2_radius_test(chi2_radius_test) -> str:
    """``chi2_radius_test(codes)`` : test de Kolmogorov–Smirnov de ‖h‖² contre χ²(p) ; les codes
    sont un tenseur (N, p) sur le CPU."""
    # Des nombres de codes tous différents de la dimension, qui varie, et des codes plus ou moins
    # proches de la loi a priori ; 12 codes de dimension 5 distinguent les erreurs d'axe et de
    # degrés de liberté, qui donnent toutes D ≈ 1 sur des centaines de codes.
    cases = [_codes(0, 300, 2, 1.0), _codes(1, 12, 5, 1.3), _codes(2, 200, 3, 0.8)]
    expect(chi2_radius_test, _reference_radius_test, cases, mistakes=[
        Mistake(lambda codes: _radius_test(codes, values="radius"),
                "Vous testez le rayon ‖h‖ : c'est son carré ‖h‖² qui suit une loi χ²(p)."),
        Mistake(lambda codes: _radius_test(codes, df=2),
                "Le nombre de degrés de liberté est fixé à 2 : ce doit être la dimension p des "
                "codes reçus (leur nombre de colonnes), qui n'est pas toujours 2."),
        Mistake(lambda codes: _radius_test(codes, df="count"),
                "Le nombre de degrés de liberté est le nombre N de codes : ce doit être leur "
                "dimension p, le nombre de coordonnées de chaque code."),
        Mistake(lambda codes: _radius_test(codes, values="mean"),
                "‖h‖² est la somme des carrés des coordonnées, pas leur moyenne."),
        Mistake(lambda codes: _radius_test(codes, axis=0), _WRONG_AXIS),
        Mistake(lambda codes: _radius_test(codes, axis=0, df="count"), _WRONG_AXIS),
        Mistake(lambda codes: _radius_test(codes, values="radius", law="normal"), _FITTED_NORMAL),
        Mistake(lambda codes: _radius_test(codes, law="normal"), _FITTED_NORMAL),
        Mistake(lambda codes: _radius_test(codes, swap=True),
                "Le couple est dans le désordre : la statistique D d'abord, la valeur p ensuite."),
    ], otherwise=_radius_message)
    return "Test juste sur trois jeux de codes (dimensions 2, 5 et 3, de 12 à 300 codes)."


# --- Part du gain récupérée ------------------------------------------------------------------


def _errors(seed: int, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Erreurs par image avec E(x), avec la correction et avec h*, sur ``device`` comme les
    sorties de ``inversion.decoding_errors`` : l'optimum est toujours meilleur que le départ, la
    correction le plus souvent entre les deux."""
    generator = torch.Generator().manual_seed(seed)
    initial = 5 + 5 * torch.rand(n, generator=generator)
    optimal = initial * (0.3 + 0.6 * torch.rand(n, generator=generator))
    corrected = optimal + (initial - optimal) * (1.2 * torch.rand(n, generator=generator) - 0.1)
    return tuple(t.to(config.device()) for t in (initial, corrected, optimal))


def _reference_gain(initial_errors, corrected_errors, optimal_errors) -> float:
    initial, corrected, optimal = (e.cpu().double().mean().item()
                                   for e in (initial_errors, corrected_errors, optimal_errors))
    return (initial - corrected) / (initial - optimal)


@exercise_check
def check_recovered_gain(recovered_gain) -> str:
    """``recovered_gain(initial_errors, corrected_errors, optimal_errors)`` : part du gain ; les
    erreurs par image sont des tenseurs (N,) sur ``device``."""
    cases = [_errors(0, 4), _errors(1, 6), _errors(2, 5)]
    expect(recovered_gain, _reference_gain, cases, mistakes=[
        Mistake(lambda i, c, o: 100 * _reference_gain(i, c, o),
                "La part est en pourcentage : renvoyez une fraction (1 = tout le gain)."),
        Mistake(lambda i, c, o: -_reference_gain(i, c, o),
                "Le signe est inversé : une correction qui fait baisser l'erreur doit donner une "
                "part positive."),
        Mistake(lambda i, c, o: 1 - _reference_gain(i, c, o),
                "Vous mesurez la part du gain qui manque encore, pas celle que la correction "
                "récupère."),
        Mistake(lambda i, c, o: 1 / _reference_gain(i, c, o),
                "Le rapport est inversé : le gain de la correction, ē_init − ē_corr, est au "
                "numérateur."),
        Mistake(lambda i, c, o: ((i - c) / (i - o)).mean(),
                "Vous moyennez des rapports image par image : la part du gain est le rapport des "
                "erreurs moyennes, sans division image par image (une image presque optimale au "
                "départ ferait exploser le rapport)."),
        Mistake(lambda i, c, o: (i.mean() - c.mean()) / i.mean(),
                "Le gain est rapporté à l'erreur de départ : il faut le rapporter au gain de "
                "l'inversion complète, ē_init − ē_opt."),
    ], otherwise=lambda case, got, want: (
        f"Sur un petit exemple de {len(case[0])} images, votre part ({float(got):.4f}) n'est pas "
        "(ē_init − ē_corr) / (ē_init − ē_opt)."))
    return "Part du gain juste sur trois petits exemples."
