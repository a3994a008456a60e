"""Vérifications des exercices du TP 6 (inverser le décodeur)."""

from __future__ import annotations

import numpy as np
import torch
from scipy import stats

from .core import WrongAnswer, as_float, close, exercise_check

__all__ = ["check_mcnemar_test", "check_chi2_radius_test", "check_recovered_gain"]


def _paired_predictions() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """40 images : 20 bien classées les deux fois, 9 seulement après, 3 seulement avant, 3 mal
    classées deux fois de la même façon et 5 mal classées deux fois de façons différentes."""
    labels = torch.arange(40) % 10
    wrong, other = (labels + 1) % 10, (labels + 2) % 10
    groups = [(20, labels, labels), (9, wrong, labels), (3, labels, wrong), (3, wrong, wrong),
              (5, wrong, other)]
    before, after, start = labels.clone(), labels.clone(), 0
    for size, b, a in groups:
        before[start:start + size], after[start:start + size] = b[start:start + size], a[start:start + size]
        start += size
    return labels, before, after


@exercise_check
def check_mcnemar_test(mcnemar_test) -> str:
    """``mcnemar_test(labels, predicted_before, predicted_after)`` : taux d'accord et test apparié."""
    labels, before, after = _paired_predictions()
    answer = mcnemar_test(labels.clone(), before.clone(), after.clone())
    if not isinstance(answer, (tuple, list)) or len(answer) != 4:
        raise WrongAnswer("La fonction doit renvoyer un quadruplet (accord avant, accord après, "
                          "nombre d'images discordantes, valeur p).")
    rate_before = as_float(answer[0], "Le taux d'accord avant")
    rate_after = as_float(answer[1], "Le taux d'accord après")
    discordant = as_float(answer[2], "Le nombre d'images discordantes")
    p_value = as_float(answer[3], "La valeur p")
    if close(rate_before, 57.5) or close(rate_after, 72.5):
        raise WrongAnswer("Les taux d'accord sont en pourcentage : renvoyez des fractions dans "
                          "[0, 1].")
    if close(rate_before, 29 / 40) and close(rate_after, 23 / 40):
        raise WrongAnswer("Les deux taux d'accord sont échangés : le premier est celui de "
                          "predicted_before.")
    if not (close(rate_before, 23 / 40) and close(rate_after, 29 / 40)):
        raise WrongAnswer("Sur un petit exemple de 40 images, les taux d'accord ne sont pas les "
                          "proportions de prédictions égales à la vraie étiquette.")
    if discordant == 17:
        raise WrongAnswer("Vous comptez comme discordantes les images où les deux prédictions "
                          "diffèrent ; or deux prédictions fausses (mais différentes) sont d'accord "
                          "pour se tromper. Une image est discordante quand une seule des deux "
                          "prédictions est juste.")
    if discordant != 12:
        raise WrongAnswer(f"Sur un petit exemple, {discordant:.0f} images discordantes au lieu du "
                          "bon nombre : comptez les images où exactement une des deux prédictions "
                          "est juste.")
    expected = stats.binomtest(9, 12, 0.5).pvalue
    if any(close(p_value, stats.binomtest(k, 40, 0.5).pvalue) for k in (9, 3, 29, 23)):
        raise WrongAnswer("Le test binomial porte sur toutes les images : sous l'hypothèse nulle, "
                          "seules les n_d images discordantes comptent (n_d essais).")
    if any(close(p_value, stats.binomtest(9, 12, 0.5, alternative=side).pvalue)
           for side in ("greater", "less")):
        raise WrongAnswer("La valeur p est celle d'un test unilatéral : le test doit être bilatéral "
                          "(l'option par défaut de binomtest).")
    if not close(p_value, expected):
        raise WrongAnswer(f"La valeur p ({p_value:.4g}) n'est pas celle du test binomial exact "
                          "B(n_d, 1/2) sur les images discordantes.")
    return "Taux d'accord, discordances et valeur p justes sur un petit exemple connu."


@exercise_check
def check_chi2_radius_test(chi2_radius_test) -> str:
    """``chi2_radius_test(codes)`` : test de Kolmogorov–Smirnov de ‖h‖² contre χ²(p)."""
    codes = torch.tensor(np.random.default_rng(0).standard_normal((400, 3)), dtype=torch.float32)
    answer = chi2_radius_test(codes.clone())
    try:
        statistic, p_value = answer
    except (TypeError, ValueError):
        raise WrongAnswer("La fonction doit renvoyer le couple (statistique D, valeur p), par "
                          "exemple le résultat de stats.kstest.") from None
    statistic = as_float(statistic, "La statistique D")
    as_float(p_value, "La valeur p")
    squared = codes.pow(2).sum(dim=1).numpy()
    radius = np.sqrt(squared)
    expected = stats.kstest(squared, stats.chi2(df=3).cdf)
    if close(statistic, expected.statistic) and close(p_value, expected.pvalue):
        return "Test juste sur 400 points gaussiens de dimension 3."
    mistakes = [
        (stats.kstest(radius, stats.chi2(df=3).cdf),
         "Vous testez le rayon ‖h‖ : c'est son carré ‖h‖² qui suit une loi χ²(p)."),
        (stats.kstest(squared, stats.chi2(df=2).cdf),
         "Le nombre de degrés de liberté de la loi χ² doit être la dimension p des codes (leur "
         "nombre de colonnes), pas une valeur fixe."),
        (stats.kstest(squared / 3, stats.chi2(df=3).cdf),
         "‖h‖² est la somme des carrés des coordonnées, pas leur moyenne."),
        (stats.kstest(codes.pow(2).sum(dim=0).numpy(), stats.chi2(df=3).cdf),
         "La somme des carrés est prise sur le mauvais axe : il faut une valeur ‖h‖² par code."),
    ]
    for values in (radius, squared):
        mistakes.append((stats.kstest(values, stats.norm(values.mean(), values.std()).cdf),
                         "Vous comparez à une loi normale ajustée, comme le mémoire : ‖h‖² suit "
                         "une loi χ²(p), pas une loi normale."))
    for result, message in mistakes:
        if close(statistic, result.statistic):
            raise WrongAnswer(message)
    if close(statistic, expected.statistic):
        raise WrongAnswer("La statistique D est juste, mais pas la valeur p : renvoyez celle de "
                          "stats.kstest.")
    raise WrongAnswer(f"Sur 400 points gaussiens, votre statistique D ({statistic:.4f}) n'est pas "
                      "celle du test de Kolmogorov–Smirnov de ‖h‖² contre χ²(p).")


@exercise_check
def check_recovered_gain(recovered_gain) -> str:
    """``recovered_gain(initial_errors, corrected_errors, optimal_errors)`` : part du gain."""
    initial = torch.tensor([4.0, 10.0, 6.0, 8.0])
    corrected = torch.tensor([2.4, 9.9, 5.0, 7.9])
    optimal = torch.tensor([2.0, 9.0, 4.0, 7.8])
    answer = as_float(recovered_gain(initial.clone(), corrected.clone(), optimal.clone()),
                      "La part du gain")
    expected = (initial.mean() - corrected.mean()) / (initial.mean() - optimal.mean())
    if close(answer, expected):
        return "Part du gain juste sur un petit exemple."
    if close(answer, 100 * expected):
        raise WrongAnswer("La part est en pourcentage : renvoyez une fraction (1 = tout le gain).")
    if close(answer, -expected):
        raise WrongAnswer("Le signe est inversé : une correction qui fait baisser l'erreur doit "
                          "donner une part positive.")
    if close(answer, 1 - expected):
        raise WrongAnswer("Vous mesurez la part du gain qui manque encore, pas celle que la "
                          "correction récupère.")
    if close(answer, ((initial - corrected) / (initial - optimal)).mean()):
        raise WrongAnswer("Vous moyennez des rapports image par image : la part du gain est le "
                          "rapport des erreurs moyennes, sans division image par image (une image "
                          "presque optimale au départ ferait exploser le rapport).")
    if close(answer, (initial.mean() - corrected.mean()) / initial.mean()):
        raise WrongAnswer("Le gain est rapporté à l'erreur de départ : il faut le rapporter au gain "
                          "de l'inversion complète, ē_init − ē_opt.")
    raise WrongAnswer(f"Sur un petit exemple, votre part ({answer:.4f}) n'est pas (ē_init − ē_corr) "
                      "/ (ē_init − ē_opt).")
