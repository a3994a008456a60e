"""Les vérifications du TP 2 acceptent la solution du cours et reconnaissent les erreurs typiques."""

import numpy as np
import pytest
import torch
from scipy.linalg import subspace_angles

from helpers.checks import (WrongAnswer, check_discarded_variance, check_per_image_error,
                            check_principal_angles, check_projection_gap)

from checkutils import passes, pending


@pytest.fixture(scope="module")
def tp2(solutions):
    return solutions("tp2_acp_ae_lineaire")


def test_reference_solutions_pass(tp2, capsys):
    assert passes(check_per_image_error, tp2["per_image_error"])
    assert passes(check_discarded_variance, tp2["discarded_variance"])
    assert passes(check_principal_angles, tp2["principal_angles"])
    assert passes(check_projection_gap, tp2["projection_gap"])
    assert capsys.readouterr().out.count("✅") == 4


def test_a_stub_is_reported_as_pending(capsys):
    def principal_angles(A, B):
        raise NotImplementedError("À compléter")

    assert pending(check_principal_angles, principal_angles)
    assert "principal_angles n'est pas encore écrite" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda X, R: ((R - X) ** 2).mean(), "erreur moyenne par pixel"),
    (lambda X, R: ((R - X) ** 2).sum(), "somme des erreurs de toutes les images"),
    (lambda X, R: np.linalg.norm(R - X, axis=1).mean(), "le carré de cette norme"),
    (lambda X, R: ((R - X) ** 2).sum(axis=0).mean(), "mauvais axes"),
    (lambda X, R: np.abs(R - X).sum(axis=1).mean(), "moyenne sur les images de la somme"),
    (lambda X, R: ((R - X) ** 2).sum(axis=1), "doit être un nombre"),
])
def test_per_image_error_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_per_image_error(wrong)


@pytest.mark.parametrize("wrong, message", [
    (lambda X, ev, k: ev[k:].sum(), "que les valeurs propres fournies"),
    (lambda X, ev, k: ev[:k].sum(), "valeurs propres gardées"),
    (lambda X, ev, k: X.var(axis=0).sum() - ev[:k + 1].sum(), "Décalage d'un indice"),
    (lambda X, ev, k: torch.tensor(X).var(dim=0).sum() - ev[:k].sum(), "1/\\(m − 1\\)"),
    (lambda X, ev, k: X.var() - ev[:k].sum(), "tous les pixels mélangés"),
    (lambda X, ev, k: X.std(axis=0).sum() - ev[:k].sum(), "variance totale des colonnes"),
])
def test_discarded_variance_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_discarded_variance(wrong)


def _angles_without_qr(A, B):
    cosines = np.linalg.svd(A.T @ B, compute_uv=False)
    return np.sort(np.degrees(np.arccos(np.clip(cosines, -1, 1))))


def _angles_by_svd(A, B):
    cosines = np.linalg.svd(np.linalg.qr(A)[0].T @ np.linalg.qr(B)[0], compute_uv=False)
    return np.sort(np.degrees(np.arccos(np.clip(cosines, -1, 1))))


def test_principal_angles_own_implementation_passes():
    assert passes(check_principal_angles, _angles_by_svd)


@pytest.mark.parametrize("wrong, message", [
    (lambda A, B: np.degrees(subspace_angles(A, B)), "ordre décroissant"),
    (lambda A, B: subspace_angles(A, B)[::-1], "en radians"),
    (lambda A, B: np.cos(subspace_angles(A, B))[::-1], "les cosinus"),
    (_angles_without_qr, "pas orthonormalisées"),
    (lambda A, B: np.degrees(np.arccos(np.linalg.svd(A.T @ B, compute_uv=False))), "nan"),
    (lambda A, B: np.degrees(subspace_angles(A, B))[::-1][:2], "forme attendue"),
    (lambda A, B: np.array([1.0, 2.0, 3.0]), "angles principaux entre les sous-espaces"),
])
@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_principal_angles_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_principal_angles(wrong)


def _gap(X, W_D, W_E, V, *, transpose=True, data=True, relative=True, reference="projection",
         square=False):
    """L'écart relatif avec, au choix, l'une des erreurs typiques des étudiants."""
    M, P = W_D @ W_E, V @ V.T
    if not data:
        return (torch.linalg.norm(M - P) / torch.linalg.norm(P)).item()
    difference = X @ (M - P).T if transpose else X @ (M - P)
    value = torch.linalg.norm(difference)
    if relative:
        value = value / torch.linalg.norm(X @ P if reference == "projection" else X)
    return value.item() ** (2 if square else 1)


def test_projection_gap_variant_passes():
    assert passes(check_projection_gap, _gap)


@pytest.mark.parametrize("mistake, message", [
    ({"transpose": False}, "pas X W_D W_E"),
    ({"data": False}, "comparez les matrices"),
    ({"relative": False}, "écart absolu"),
    ({"reference": "data"}, "norme de X"),
    ({"square": True}, "carré de l'écart relatif"),
])
def test_projection_gap_mistakes(mistake, message):
    def wrong(X, W_D, W_E, V):
        return _gap(X, W_D, W_E, V, **mistake)

    with pytest.raises(WrongAnswer, match=message):
        check_projection_gap(wrong)


def test_projection_gap_generic_message():
    with pytest.raises(WrongAnswer, match="n'est pas l'écart relatif"):
        check_projection_gap(lambda X, W_D, W_E, V: 0.5)
