"""Vérifications des exercices du TP 2 (ACP et auto-encodeur linéaire)."""

from __future__ import annotations

import numpy as np
import torch
from scipy.linalg import subspace_angles

from .core import WrongAnswer, as_float, close, exercise_check

__all__ = ["check_per_image_error", "check_discarded_variance", "check_principal_angles",
           "check_projection_gap"]


def _as_array(value, what: str, length: int) -> np.ndarray:
    """``value`` (tableau NumPy, tenseur ou liste) en vecteur NumPy de ``length`` nombres."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise WrongAnswer(f"{what} doit être un tableau de nombres, pas un objet "
                          f"{type(value).__name__}.") from None
    if array.shape != (length,):
        raise WrongAnswer(f"{what} a la forme {array.shape} ; la forme attendue est ({length},).")
    return array


@exercise_check
def check_per_image_error(per_image_error) -> str:
    """``per_image_error(X, reconstruction)`` : erreur quadratique par image, moyennée."""
    generator = np.random.default_rng(0)
    X = generator.random((6, 10))  # 6 images de 10 pixels : m ≠ n pour distinguer les axes
    reconstruction = X + 0.3 * generator.standard_normal((6, 10))
    squared = (reconstruction - X) ** 2
    expected = squared.sum(axis=1).mean()
    answer = as_float(per_image_error(X, reconstruction), "L'erreur renvoyée")
    if close(answer, expected):
        return "Erreur quadratique par image juste sur un petit exemple."
    if close(answer, squared.mean()):
        raise WrongAnswer("Vous renvoyez l'erreur moyenne par pixel : il faut sommer sur les pixels "
                          "de chaque image, puis moyenner sur les images.")
    if close(answer, squared.sum()):
        raise WrongAnswer("Vous renvoyez la somme des erreurs de toutes les images : il faut leur "
                          "moyenne sur les images.")
    if close(answer, np.sqrt(squared.sum(axis=1)).mean()):
        raise WrongAnswer("Vous moyennez la norme de l'écart de chaque image ; l'erreur quadratique "
                          "est le carré de cette norme.")
    if close(answer, squared.sum(axis=0).mean()):
        raise WrongAnswer("Les sommes et la moyenne sont prises sur les mauvais axes : chaque ligne "
                          "de X est une image, chaque colonne un pixel.")
    raise WrongAnswer(f"Sur un petit exemple connu, votre erreur ({answer:.4f}) n'est pas la moyenne "
                      "sur les images de la somme sur les pixels du carré de l'écart.")


@exercise_check
def check_discarded_variance(discarded_variance) -> str:
    """``discarded_variance(X, eigenvalues, k)`` : somme des valeurs propres écartées."""
    generator = np.random.default_rng(1)
    X = generator.standard_normal((40, 8)) * np.array([3.0, 2.5, 2.0, 1.5, 1.0, 0.7, 0.5, 0.3]) + 5
    eigenvalues = np.linalg.eigvalsh(np.cov(X, rowvar=False, bias=True))[::-1]
    given = eigenvalues[:5].copy()  # comme dans le TP : seules les premières valeurs propres
    k = 2
    total = X.var(axis=0).sum()
    expected = eigenvalues[k:].sum()
    answer = as_float(discarded_variance(X, given.copy(), k), "La valeur renvoyée")
    if close(answer, expected):
        return "Somme des valeurs propres écartées juste sur un petit exemple."
    if close(answer, given[k:].sum()):
        raise WrongAnswer("Vous ne sommez que les valeurs propres fournies : eigenvalues ne contient "
                          "que les premières ; passez par la variance totale des données.")
    if close(answer, given[:k].sum()):
        raise WrongAnswer("Vous renvoyez la somme des valeurs propres gardées, λ_1 + … + λ_k, et non "
                          "celle des valeurs propres écartées.")
    if close(answer, total - given[:k + 1].sum()) or close(answer, total - given[:k - 1].sum()):
        raise WrongAnswer("Décalage d'un indice : λ_1 + … + λ_k comporte exactement k valeurs "
                          "propres, les k premières du tableau.")
    if close(answer, X.var(ddof=1, axis=0).sum() - given[:k].sum()):
        raise WrongAnswer("La variance totale est calculée en 1/(m − 1) ; les valeurs propres sont "
                          "celles de la covariance en 1/m (ddof=0 avec NumPy, unbiased=False avec "
                          "torch).")
    if close(answer, X.var() - given[:k].sum()):
        raise WrongAnswer("La variance totale n'est pas la variance de tous les pixels mélangés : "
                          "c'est la somme des variances des colonnes de X (une par pixel).")
    raise WrongAnswer(f"Sur un petit exemple connu, votre résultat ({answer:.4f}) n'est pas la "
                      "variance totale des colonnes de X moins la somme des k premières valeurs "
                      "propres.")


@exercise_check
def check_principal_angles(principal_angles) -> str:
    """``principal_angles(A, B)`` : angles principaux en degrés, du plus petit au plus grand."""
    generator = np.random.default_rng(2)
    A = generator.standard_normal((9, 3)) * np.array([1.0, 3.0, 0.5])  # colonnes non orthonormées
    B = A @ generator.standard_normal((3, 3)) + 0.6 * generator.standard_normal((9, 3))
    radians = subspace_angles(A, B)[::-1]
    expected = np.degrees(radians)
    answer = _as_array(principal_angles(A.copy(), B.copy()), "Le résultat", 3)
    if np.allclose(answer, expected, atol=1e-4):
        return "Angles justes, en degrés et dans l'ordre croissant."
    if np.isnan(answer).any():
        raise WrongAnswer("Certains angles valent nan : un arc cosinus a reçu une valeur hors de "
                          "[-1, 1]. Les valeurs singulières de Aᵀ B ne sont des cosinus que si les "
                          "colonnes de A et de B sont orthonormées.")
    if np.allclose(answer, expected[::-1], atol=1e-4):
        raise WrongAnswer("Les angles sont justes mais dans l'ordre décroissant : triez-les du plus "
                          "petit au plus grand.")
    if np.allclose(np.sort(answer), np.sort(radians), atol=1e-6):
        raise WrongAnswer("Les angles sont en radians : convertissez-les en degrés.")
    if np.allclose(np.sort(answer), np.sort(np.cos(radians)), atol=1e-6):
        raise WrongAnswer("Vous renvoyez les cosinus des angles principaux, pas les angles.")
    singular = np.linalg.svd(A.T @ B, compute_uv=False)
    if np.allclose(np.sort(answer), np.sort(np.degrees(np.arccos(np.clip(singular, -1, 1)))),
                   atol=1e-4):
        raise WrongAnswer("Les bases ne sont pas orthonormalisées : les valeurs singulières de Aᵀ B "
                          "ne sont des cosinus que si les colonnes de A et de B sont orthonormées.")
    raise WrongAnswer("Sur un petit exemple connu, les angles renvoyés ne sont pas les angles "
                      "principaux entre les sous-espaces engendrés par les colonnes de A et de B.")


@exercise_check
def check_projection_gap(projection_gap) -> str:
    """``projection_gap(X, W_D, W_E, V)`` : écart relatif entre W_D W_E x et V Vᵀ x sur X."""
    generator = torch.Generator().manual_seed(3)
    n, k, m = 7, 2, 12

    def randn(*shape):
        return torch.randn(*shape, generator=generator, dtype=torch.float64)

    X = randn(m, n)
    X[:, -1] = 0  # un « pixel » jamais allumé, comme le bord des images de MNIST
    V = torch.linalg.qr(randn(n, k)).Q
    A = randn(k, k) + 2 * torch.eye(k, dtype=torch.float64)
    W_D = V @ A + 0.2 * randn(n, k)  # W_D W_E est proche de V Vᵀ, sans être symétrique
    W_E = torch.linalg.solve(A, V.T) + 0.2 * randn(k, n)
    M, P = W_D @ W_E, V @ V.T
    norm = torch.linalg.norm
    answer = as_float(projection_gap(X.clone(), W_D.clone(), W_E.clone(), V.clone()),
                      "L'écart renvoyé")
    expected = (norm(X @ (M - P).T) / norm(X @ P)).item()
    if close(answer, expected):
        return "Écart relatif juste sur un petit exemple."
    if close(answer, (norm(X @ (M - P)) / norm(X @ P)).item()):
        raise WrongAnswer("Les images sont les lignes de X : appliquer W_D W_E à chacune donne "
                          "X (W_D W_E)ᵀ, pas X W_D W_E.")
    if close(answer, (norm(M - P) / norm(P)).item()):
        raise WrongAnswer("Vous comparez les matrices W_D W_E et V Vᵀ elles-mêmes ; il faut comparer "
                          "leur action sur les images de X.")
    if close(answer, norm(X @ (M - P).T).item()):
        raise WrongAnswer("Vous renvoyez l'écart absolu : divisez par la norme de la référence, les "
                          "projections des images par V Vᵀ.")
    if close(answer, (norm(X @ (M - P).T) / norm(X)).item()):
        raise WrongAnswer("Vous divisez par la norme de X ; la référence est la projection des "
                          "images par V Vᵀ.")
    if close(answer, expected ** 2):
        raise WrongAnswer("Vous renvoyez le carré de l'écart relatif : les normes de Frobenius ne "
                          "sont pas au carré.")
    raise WrongAnswer(f"Sur un petit exemple connu, votre écart ({answer:.4f}) n'est pas l'écart "
                      "relatif, en norme de Frobenius, entre les images des lignes de X par W_D W_E "
                      "et par le projecteur V Vᵀ.")
