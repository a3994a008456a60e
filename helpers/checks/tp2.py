"""Vérifications des exercices du TP 2 (ACP et auto-encodeur linéaire)."""

from __future__ import annotations

import numpy as np
import torch
from scipy.linalg import subspace_angles

from .. import evaluation
from .core import Mistake, exercise_check, expect, fresh

__all__ = ["check_per_image_sse", "check_discarded_variance", "check_principal_angles",
           "check_projection_gap"]


# --- Erreur quadratique par image ------------------------------------------------------------


def _reference_sse(X, reconstruction) -> float:
    """La référence : le carré de la norme de Frobenius de l'écart, divisé par le nombre
    d'images."""
    return np.linalg.norm(np.asarray(reconstruction, np.float64) - X) ** 2 / len(X)


def _sse(X, reconstruction, *, pixels=np.sum, images=np.mean, pixel_axis=1, power=2, root=False):
    """Variantes fautives : réduction sur les pixels, puis sur les images, d'une puissance de
    l'écart."""
    per_image = pixels(np.abs(reconstruction - X) ** power, axis=pixel_axis)
    return images(np.sqrt(per_image) if root else per_image)


def _images_and_reconstructions(seed: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """6 « images » de 10 pixels (m ≠ n, pour distinguer les axes) et leurs reconstructions,
    tableaux NumPy comme ``X_train`` et la sortie de ``pca16.inverse_transform``."""
    generator = np.random.default_rng(seed)
    X = generator.random((6, 10)).astype(np.float32)
    return X, (X + noise * generator.standard_normal((6, 10))).astype(np.float32)


@exercise_check(forbidden=[evaluation.per_image_sse])
def check_per_image_sse(per_image_sse) -> str:
    """``per_image_sse(X, reconstruction)`` : erreur quadratique par image, moyennée sur les
    images ; ``X`` et ``reconstruction`` sont des tableaux NumPy m × n, une image par ligne."""
    cases = [_images_and_reconstructions(0, 0.3), _images_and_reconstructions(1, 0.1),
             _images_and_reconstructions(2, 0.5)]
    expect(per_image_sse, _reference_sse, cases, mistakes=[
        Mistake(lambda X, R: _sse(X, R, pixels=np.mean),
                "Vous renvoyez l'erreur moyenne par pixel : il faut sommer sur les pixels de "
                "chaque image, puis moyenner sur les images."),
        Mistake(lambda X, R: _sse(X, R, images=np.sum),
                "Vous renvoyez la somme des erreurs de toutes les images : il faut leur moyenne "
                "sur les images."),
        Mistake(lambda X, R: _sse(X, R, root=True),
                "Vous moyennez la norme de l'écart de chaque image ; l'erreur quadratique est le "
                "carré de cette norme."),
        Mistake(lambda X, R: _sse(X, R, pixel_axis=0),
                "Les sommes et la moyenne sont prises sur les mauvais axes : chaque ligne de X est "
                "une image, chaque colonne un pixel."),
        Mistake(lambda X, R: _sse(X, R, power=1),
                "Vous sommez les valeurs absolues des écarts ; l'erreur quadratique somme leurs "
                "carrés."),
    ], otherwise=lambda case, got, want: (
        f"Sur un petit exemple connu, votre erreur ({float(got):.4f}) n'est pas la moyenne sur "
        "les images de la somme sur les pixels du carré de l'écart."))
    return "Erreur quadratique par image juste sur trois petits exemples."


# --- Valeurs propres écartées ----------------------------------------------------------------


def _all_eigenvalues(X) -> np.ndarray:
    """Toutes les valeurs propres de la covariance en 1/m de ``X``, par ordre décroissant."""
    return np.linalg.eigvalsh(np.cov(X, rowvar=False, bias=True))[::-1]


def _reference_discarded(X, eigenvalues, k) -> float:
    """La référence : la somme des valeurs propres écartées, toutes recalculées à partir de X."""
    return _all_eigenvalues(X)[k:].sum()


def _discarded(X, eigenvalues, k, *, total=lambda X: X.var(axis=0).sum(), kept=None):
    """Variantes fautives : variance totale et valeurs propres retirées."""
    return total(X) - (eigenvalues[:k] if kept is None else kept(eigenvalues, k)).sum()


def _spectrum_case(seed: int, scales: list[float], given: int, k: int) -> tuple:
    """Des données aux variances inégales, les ``given`` premières valeurs propres de leur
    covariance (comme ``eigenvalues`` dans le TP, qui n'en contient que 64) et ``k``."""
    generator = np.random.default_rng(seed)
    X = generator.standard_normal((10 * len(scales), len(scales))) * np.array(scales) + 5
    return X, _all_eigenvalues(X)[:given].copy(), k


@exercise_check
def check_discarded_variance(discarded_variance) -> str:
    """``discarded_variance(X, eigenvalues, k)`` : somme des valeurs propres écartées ; ``X`` est
    un tableau NumPy m × n, ``eigenvalues`` un tableau NumPy des premières valeurs propres."""
    cases = [_spectrum_case(1, [3.0, 2.5, 2.0, 1.5, 1.0, 0.7, 0.5, 0.3], 5, 2),
             _spectrum_case(2, [2.0, 1.8, 1.2, 0.9, 0.4, 0.2], 4, 3),
             _spectrum_case(3, [4.0, 2.0, 1.5, 1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1], 6, 1)]
    expect(discarded_variance, _reference_discarded, cases, mistakes=[
        Mistake(lambda X, ev, k: ev[k:].sum(),
                "Vous ne sommez que les valeurs propres fournies : eigenvalues ne contient que les "
                "premières ; passez par la variance totale des données."),
        Mistake(lambda X, ev, k: ev[:k].sum(),
                "Vous renvoyez la somme des valeurs propres gardées, λ_1 + … + λ_k, et non celle "
                "des valeurs propres écartées."),
        Mistake(lambda X, ev, k: _discarded(X, ev, k, kept=lambda ev, k: ev[:k + 1]),
                "Décalage d'un indice : λ_1 + … + λ_k comporte exactement k valeurs propres, les k "
                "premières du tableau."),
        Mistake(lambda X, ev, k: _discarded(X, ev, k, kept=lambda ev, k: ev[:k - 1]),
                "Décalage d'un indice : λ_1 + … + λ_k comporte exactement k valeurs propres, les k "
                "premières du tableau."),
        Mistake(lambda X, ev, k: _discarded(X, ev, k, kept=lambda ev, k: ev[-k:]),
                "Vous retirez les k dernières valeurs propres du tableau : eigenvalues est rangé "
                "par ordre décroissant, λ_1 + … + λ_k sont les k premières."),
        Mistake(lambda X, ev, k: _discarded(X, ev, k, total=lambda X: X.var(axis=0, ddof=1).sum()),
                "La variance totale est calculée en 1/(m − 1) ; les valeurs propres sont celles de "
                "la covariance en 1/m (ddof=0 avec NumPy, unbiased=False avec torch)."),
        Mistake(lambda X, ev, k: _discarded(X, ev, k, total=lambda X: X.var()),
                "La variance totale n'est pas la variance de tous les pixels mélangés : c'est la "
                "somme des variances des colonnes de X (une par pixel)."),
    ], otherwise=lambda case, got, want: (
        f"Avec k = {case[2]}, votre résultat ({float(got):.4f}) n'est pas la variance totale des "
        "colonnes de X moins la somme des k premières valeurs propres."))
    return "Somme des valeurs propres écartées juste sur trois petits exemples, pour k = 1, 2 et 3."


# --- Angles principaux -----------------------------------------------------------------------


def _reference_angles(A, B) -> np.ndarray:
    """La référence : ``scipy.linalg.subspace_angles`` (radians, ordre décroissant), convertie."""
    return np.degrees(subspace_angles(A, B))[::-1]


def _angles(A, B, *, orthonormalise=True, cosines=False, degrees=True, increasing=True):
    """Variantes fautives : bases non orthonormalisées, cosinus, radians, ordre décroissant."""
    if orthonormalise:
        A, B = np.linalg.qr(A)[0], np.linalg.qr(B)[0]
    values = np.linalg.svd(A.T @ B, compute_uv=False)  # cosinus décroissants : angles croissants
    if not cosines:
        values = np.arccos(np.clip(values, -1, 1))
        values = np.degrees(values) if degrees else values
    return values if increasing else values[::-1]


def _subspaces(seed: int, k: int, n: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """Deux bases non orthonormées (n × k) de sous-espaces proches sans être confondus."""
    generator = np.random.default_rng(seed)
    A = generator.standard_normal((n, k)) * generator.uniform(0.5, 3.0, k)
    return A, A @ generator.standard_normal((k, k)) + 0.6 * generator.standard_normal((n, k))


def _observe_angles(function, case):
    """Les angles renvoyés ; une liste ou un n-uplet de nombres est lu comme un tableau."""
    result = function(*fresh(case))
    if isinstance(result, (list, tuple)):
        try:
            return np.asarray([float(value) for value in result])
        except (TypeError, ValueError):
            pass
    return result


def _angles_message(case, got, want) -> str:
    if isinstance(got, torch.Tensor) and got.isnan().any():
        return ("Certains angles valent nan : une valeur hors de [-1, 1] est sans doute passée par "
                "un arc cosinus. Les valeurs singulières de Aᵀ B ne sont des cosinus que si les "
                "colonnes de A et de B sont orthonormées.")
    return ("Sur un petit exemple connu, les angles renvoyés ne sont pas les angles principaux "
            "entre les sous-espaces engendrés par les colonnes de A et de B, en degrés, du plus "
            "petit au plus grand.")


@exercise_check
def check_principal_angles(principal_angles) -> str:
    """``principal_angles(A, B)`` : angles principaux en degrés, du plus petit au plus grand, entre
    les sous-espaces engendrés par les colonnes des tableaux NumPy ``A`` et ``B`` (n × k)."""
    cases = [_subspaces(2, 3), _subspaces(3, 2), _subspaces(4, 4)]
    expect(principal_angles, _reference_angles, cases, run=_observe_angles, what="Le résultat",
           atol=1e-4, mistakes=[
        Mistake(lambda A, B: _angles(A, B, increasing=False),
                "Les angles sont justes mais dans l'ordre décroissant : triez-les du plus petit au "
                "plus grand."),
        Mistake(lambda A, B: _angles(A, B, degrees=False),
                "Les angles sont en radians : convertissez-les en degrés."),
        Mistake(lambda A, B: _angles(A, B, cosines=True),
                "Vous renvoyez les cosinus des angles principaux, pas les angles."),
        Mistake(lambda A, B: _angles(A, B, orthonormalise=False),
                "Les bases ne sont pas orthonormalisées : les valeurs singulières de Aᵀ B ne sont "
                "des cosinus que si les colonnes de A et de B sont orthonormées."),
    ], otherwise=_angles_message)
    return "Angles justes, en degrés et dans l'ordre croissant, pour trois paires de sous-espaces."


# --- Écart au projecteur ---------------------------------------------------------------------


def _reference_gap(X, W_D, W_E, V) -> float:
    """La référence : les images rangées en lignes, reconstruites par W_D W_E puis par V Vᵀ."""
    X, W_D, W_E, V = (t.numpy() for t in (X, W_D, W_E, V))
    by_model, by_projector = X @ W_E.T @ W_D.T, X @ V @ V.T
    return np.linalg.norm(by_model - by_projector) / np.linalg.norm(by_projector)


def _gap(X, W_D, W_E, V, *, transpose=True, on_data=True, divide_by="projection", power=1):
    """Variantes fautives : sens du produit, matrices seules, dénominateur, carré."""
    norm = torch.linalg.norm
    M, P = W_D @ W_E, V @ V.T
    if not on_data:
        return (norm(M - P) / norm(P)).item()
    gap = norm(X @ (M - P).T if transpose else X @ (M - P))
    reference = {"projection": X @ P, "model": X @ M.T, "data": X}
    if divide_by is not None:
        gap = gap / norm(reference[divide_by])
    return gap.item() ** power


def _projection_case(seed: int, m: int, n: int = 7, k: int = 2) -> tuple:
    """Des tenseurs float64 sur le CPU, comme dans le TP : m images (une par ligne) dont un
    « pixel » jamais allumé, un W_D W_E proche de V Vᵀ sans être symétrique."""
    generator = torch.Generator().manual_seed(seed)

    def randn(*shape):
        return torch.randn(*shape, generator=generator, dtype=torch.float64)

    X = randn(m, n)
    X[:, -1] = 0  # comme le bord des images de MNIST
    V = torch.linalg.qr(randn(n, k)).Q
    A = 0.5 * randn(k, k) + 2 * torch.eye(k, dtype=torch.float64)  # bien conditionnée
    return X, V @ A + 0.05 * randn(n, k), torch.linalg.solve(A, V.T) + 0.05 * randn(k, n), V


@exercise_check
def check_projection_gap(projection_gap) -> str:
    """``projection_gap(X, W_D, W_E, V)`` : écart relatif entre W_D W_E x et V Vᵀ x sur les lignes
    x de ``X`` ; les quatre arguments sont des tenseurs float64 sur le CPU."""
    cases = [_projection_case(3, 12), _projection_case(4, 9), _projection_case(5, 15)]
    expect(projection_gap, _reference_gap, cases, mistakes=[
        Mistake(lambda *a: _gap(*a, transpose=False),
                "Les images sont les lignes de X : appliquer W_D W_E à chacune donne "
                "X (W_D W_E)ᵀ, pas X W_D W_E."),
        Mistake(lambda *a: _gap(*a, on_data=False),
                "Vous comparez les matrices W_D W_E et V Vᵀ elles-mêmes ; il faut comparer leur "
                "action sur les images de X."),
        Mistake(lambda *a: _gap(*a, divide_by=None),
                "Vous renvoyez l'écart absolu : divisez par la norme de la référence, les "
                "projections des images par V Vᵀ."),
        Mistake(lambda *a: _gap(*a, divide_by="data"),
                "Vous divisez par la norme de X ; la référence est la projection des images par "
                "V Vᵀ."),
        Mistake(lambda *a: _gap(*a, divide_by="model"),
                "Vous divisez par la norme des images par W_D W_E ; la référence est leur "
                "projection par V Vᵀ."),
        Mistake(lambda *a: _gap(*a, power=2),
                "Vous renvoyez le carré de l'écart relatif : les normes de Frobenius ne sont pas "
                "au carré."),
    ], otherwise=lambda case, got, want: (
        f"Sur un petit exemple connu, votre écart ({float(got):.4f}) n'est pas l'écart relatif, "
        "en norme de Frobenius, entre les images des lignes de X par W_D W_E et par le projecteur "
        "V Vᵀ."))
    return "Écart relatif juste sur trois petits exemples."
