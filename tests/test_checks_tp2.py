"""Les vérifications du TP 2 : des réponses justes écrites autrement passent, des réponses fausses
écrites comme un étudiant les écrirait sont refusées avec un message juste (ou neutre), et les
trous de l'issue 13 sont fermés. Ce que tout check doit faire est dans ``test_checks.py``."""

import jupytext
import numpy as np
import pytest
import torch
from scipy.linalg import subspace_angles
from sklearn.metrics import mean_squared_error

from helpers import evaluation
from helpers.checks import (WrongAnswer, check_all, check_discarded_variance,
                            check_per_image_sse, check_principal_angles, check_projection_gap)

from checkutils import passes, rejects
from course_solutions import ROOT, is_setup_cell

PAGE = ROOT / "chapters" / "tp2_acp_ae_lineaire.md"


# --- per_image_sse ---------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    lambda X, R: np.mean(np.sum((X - R) ** 2, axis=1)),
    lambda X, R: ((torch.from_numpy(R) - torch.from_numpy(X)) ** 2).sum(dim=1).mean(),
    lambda X, R: (np.linalg.norm(X - R, axis=1) ** 2).mean(),
    lambda X, R: ((X - R) ** 2).mean() * X.shape[1],
    lambda X, R: np.einsum("ij,ij->", X - R, X - R) / len(X),
    lambda X, R: torch.tensor([float(sum(sum((x - r) ** 2) for x, r in zip(X, R)) / len(X))]),
], ids=["numpy", "torch 0-d", "norms", "mean times n", "einsum", "loop, 1-element tensor"])
def test_per_image_sse_right_answers_written_differently_pass(answer):
    assert passes(check_per_image_sse, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda X, R: mean_squared_error(X, R), "erreur moyenne par pixel"),
    (lambda X, R: ((R - X) ** 2).mean(), "erreur moyenne par pixel"),
    (lambda X, R: ((R - X) ** 2).sum(), "somme des erreurs de toutes les images"),
    (lambda X, R: np.linalg.norm(R - X, axis=1).mean(), "le carré de cette norme"),
    (lambda X, R: ((R - X) ** 2).sum(axis=0).mean(), "mauvais axes"),
    (lambda X, R: np.abs(R - X).sum(axis=1).mean(), "valeurs absolues"),
    (lambda X, R: ((R - X) ** 2).sum(axis=1), "un tableau de forme (6,) ; attendu : un nombre"),
    (lambda X, R: np.linalg.norm(R - X) / len(X), "n'est pas la moyenne sur les images"),
], ids=["sklearn mse", "per pixel", "total", "norm", "axes", "absolute", "vector", "neutral"])
def test_per_image_sse_wrong_answers_are_named(answer, fragment):
    rejects(check_per_image_sse, answer, fragment)


def test_per_image_sse_delegating_to_the_course_function_is_refused():
    def per_image_sse(X, reconstruction):
        return evaluation.per_image_sse(torch.from_numpy(X), torch.from_numpy(reconstruction))

    message = rejects(check_per_image_sse, per_image_sse, "helpers.evaluation.per_image_sse")
    assert "écrivez le calcul vous-même" in message


def test_per_image_sse_takes_the_student_name_and_the_page_keeps_the_course_one_apart():
    """« Une quantité, un nom » : l'exercice s'appelle comme la fonction du cours, que la page
    n'importe donc pas sous ce nom (la fonction de l'étudiant l'écraserait)."""
    imports = next(cell.source for cell in jupytext.read(PAGE).cells
                   if cell.cell_type == "code" and is_setup_cell(cell.source))
    namespace: dict = {}
    exec(imports, namespace)  # noqa: S102
    assert "per_image_sse" not in namespace
    assert namespace["evaluation"] is evaluation
    assert "evaluation.per_image_sse(x_test, reconstruct(" in PAGE.read_text(encoding="utf-8")


# --- discarded_variance ----------------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    lambda X, ev, k: torch.tensor(X).var(dim=0, unbiased=False).sum() - ev[:k].sum(),
    lambda X, ev, k: np.trace(np.cov(X, rowvar=False, bias=True)) - np.sum(ev[:k]),
    lambda X, ev, k: ((X - X.mean(axis=0)) ** 2).sum() / len(X) - sum(ev[i] for i in range(k)),
    lambda X, ev, k: np.linalg.eigvalsh(np.cov(X.T, bias=True))[::-1][k:].sum(),
], ids=["torch", "trace", "by hand", "all eigenvalues"])
def test_discarded_variance_right_answers_written_differently_pass(answer):
    assert passes(check_discarded_variance, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda X, ev, k: ev[k:].sum(), "que les valeurs propres fournies"),
    (lambda X, ev, k: sum(ev[:k]), "valeurs propres gardées"),
    (lambda X, ev, k: X.var(axis=0).sum() - ev[:k + 1].sum(), "Décalage d'un indice"),
    (lambda X, ev, k: X.var(axis=0).sum() - ev[1:k + 1].sum(), "la variance totale des colonnes"),
    (lambda X, ev, k: torch.tensor(X).var(dim=0).sum() - ev[:k].sum(), "1/(m − 1)"),
    (lambda X, ev, k: np.trace(np.cov(X, rowvar=False)) - ev[:k].sum(), "1/(m − 1)"),
    (lambda X, ev, k: X.var() - ev[:k].sum(), "tous les pixels mélangés"),
    (lambda X, ev, k: X.var(axis=0).sum() - np.sort(ev)[:k].sum(), "ordre décroissant"),
    (lambda X, ev, k: X.std(axis=0).sum() - ev[:k].sum(), "la variance totale des colonnes"),
], ids=["given only", "kept", "k + 1", "skips the first", "torch unbiased", "np.cov",
        "all pixels", "ascending", "std"])
def test_discarded_variance_wrong_answers_are_named(answer, fragment):
    rejects(check_discarded_variance, answer, fragment)


def test_discarded_variance_with_a_hard_coded_k_is_rejected():
    rejects(check_discarded_variance, lambda X, ev, k: X.var(axis=0).sum() - ev[:2].sum(),
             "Avec k = ")


# --- principal_angles ------------------------------------------------------------------------


def _angles_by_svd(A, B):
    cosines = np.linalg.svd(np.linalg.qr(A)[0].T @ np.linalg.qr(B)[0], compute_uv=False)
    return np.sort(np.degrees(np.arccos(np.clip(cosines, -1, 1))))


@pytest.mark.parametrize("answer", [
    _angles_by_svd,
    lambda A, B: np.sort(np.degrees(subspace_angles(A, B))),
    lambda A, B: list(np.degrees(subspace_angles(A, B))[::-1]),
    lambda A, B: torch.rad2deg(torch.from_numpy(subspace_angles(A, B).copy())).flip(0),
], ids=["qr and svd", "sorted", "list", "torch"])
def test_principal_angles_right_answers_written_differently_pass(answer):
    assert passes(check_principal_angles, answer)


def _without_qr(A, B):
    cosines = np.linalg.svd(A.T @ B, compute_uv=False)
    return np.sort(np.degrees(np.arccos(np.clip(cosines, -1, 1))))


@pytest.mark.parametrize("answer, fragment", [
    (lambda A, B: np.degrees(subspace_angles(A, B)), "ordre décroissant"),
    (lambda A, B: np.sort(subspace_angles(A, B)), "en radians"),
    (lambda A, B: np.linalg.svd(np.linalg.qr(A)[0].T @ np.linalg.qr(B)[0], compute_uv=False),
     "les cosinus"),
    (_without_qr, "pas orthonormalisées"),
    (lambda A, B: np.degrees(np.arccos(np.linalg.svd(A.T @ B, compute_uv=False))), "nan"),
    (lambda A, B: np.degrees(subspace_angles(A, B))[::-1][:2], "Le résultat est un tableau"),
    (lambda A, B: np.sort(np.degrees(subspace_angles(A, B[:, :1]))), "Le résultat est un tableau"),
    (lambda A, B: np.degrees(subspace_angles(A, A))[::-1], "angles principaux entre les"),
], ids=["decreasing", "radians", "cosines", "no qr", "nan", "too short", "one column",
        "neutral"])
@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_principal_angles_wrong_answers_are_named(answer, fragment):
    rejects(check_principal_angles, answer, fragment)


# --- projection_gap --------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    lambda X, W_D, W_E, V: (torch.linalg.norm((W_D @ (W_E @ X.T) - V @ (V.T @ X.T)).T)
                            / torch.linalg.norm(X @ V @ V.T)),
    lambda X, W_D, W_E, V: float(np.linalg.norm(X.numpy() @ (W_D @ W_E - V @ V.T).numpy().T)
                                 / np.linalg.norm(X.numpy() @ V.numpy() @ V.numpy().T)),
    lambda X, W_D, W_E, V: torch.sqrt(((X @ W_E.T @ W_D.T - X @ V @ V.T) ** 2).sum()
                                      / ((X @ V @ V.T) ** 2).sum()).reshape(1),
], ids=["columns", "numpy", "squares then root"])
def test_projection_gap_right_answers_written_differently_pass(answer):
    assert passes(check_projection_gap, answer)


def _gap(X, W_D, W_E, V, *, product="rows", denominator="projection", square=False):
    M, P = W_D @ W_E, V @ V.T
    if product == "matrices":
        return (torch.linalg.norm(M - P) / torch.linalg.norm(P)).item()
    R, R_P = (X @ M.T, X @ P) if product == "rows" else (X @ M, X @ P)
    value = torch.linalg.norm(R - R_P)
    if denominator is not None:
        value = value / torch.linalg.norm({"projection": R_P, "data": X, "model": R}[denominator])
    return value.item() ** (2 if square else 1)


@pytest.mark.parametrize("mistake, fragment", [
    ({"product": "untransposed"}, "pas X W_D W_E"),
    ({"product": "matrices"}, "comparez les matrices"),
    ({"denominator": None}, "écart absolu"),
    ({"denominator": "data"}, "norme de X"),
    ({"denominator": "model"}, "norme des images par W_D W_E"),
    ({"square": True}, "carré de l'écart relatif"),
])
def test_projection_gap_wrong_answers_are_named(mistake, fragment):
    def projection_gap(X, W_D, W_E, V):
        return _gap(X, W_D, W_E, V, **mistake)

    rejects(check_projection_gap, projection_gap, fragment)


def test_projection_gap_neutral_message():
    rejects(check_projection_gap, lambda X, W_D, W_E, V: 0.5, "n'est pas l'écart relatif")


# --- Trou de l'issue 13 : seul le premier échec était affiché --------------------------------


def test_exercise_1_check_cell_reports_both_functions(capsys):
    def per_image_sse(X, reconstruction):
        return ((reconstruction - X) ** 2).mean()

    def discarded_variance(X, eigenvalues, k):
        return X.var(axis=0).sum() - eigenvalues[:k].sum()

    with pytest.raises(WrongAnswer, match="À corriger : per_image_sse"):
        check_all(per_image_sse, discarded_variance)
    out = capsys.readouterr().out
    assert "❌ Vous renvoyez l'erreur moyenne par pixel" in out
    assert "✅ Somme des valeurs propres écartées juste" in out
