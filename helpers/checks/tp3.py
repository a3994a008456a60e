"""Vérifications des exercices du TP 3 (auto-encodeurs denses et convolutionnels)."""

from __future__ import annotations

import numpy as np
import torch

from .core import WrongAnswer, as_float, close, exercise_check

__all__ = ["check_dense_params", "check_conv_params", "check_conv_output_size",
           "check_conv_transpose_output_size", "check_pca_test_mse", "check_zero_fraction",
           "check_dead_units"]


def _answers(function, cases, what: str) -> list[float]:
    """Les réponses de ``function`` sur chaque jeu d'arguments de ``cases``, en nombres."""
    answers = []
    for args in cases:
        try:
            value = function(*args)
        except TypeError as error:
            if "argument" not in str(error):
                raise
            call = ", ".join(map(str, args))
            raise WrongAnswer(f"L'appel {function.__name__}({call}) échoue ({error}) : respectez la "
                              "signature donnée dans l'énoncé.") from None
        answers.append(as_float(value, f"{what} pour {args}"))
    return answers


def _matches(answers, formula, cases) -> bool:
    return all(close(a, formula(*args)) for a, args in zip(answers, cases))


def _first_wrong(answers, formula, cases):
    for answer, args in zip(answers, cases):
        if not close(answer, formula(*args)):
            return args, answer, formula(*args)
    return None


# ---------------------------------------------------------------- nombres de paramètres


def _dense(*sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


@exercise_check
def check_dense_params(dense_params) -> str:
    """``dense_params(*sizes)`` : paramètres du perceptron sizes[0] → … → sizes[-1]."""
    cases = [(10, 3), (784, 64, 784), (5, 4, 3, 2), (784, 128, 64, 128, 784)]
    answers = _answers(dense_params, cases, "Le nombre de paramètres")
    if _matches(answers, _dense, cases):
        return "Nombre de paramètres juste pour des perceptrons de 1 à 4 couches."
    pairs = lambda sizes: list(zip(sizes[:-1], sizes[1:]))  # noqa: E731
    if _matches(answers, lambda *s: sum(a * b for a, b in pairs(s)), cases):
        raise WrongAnswer("Vous comptez les poids mais pas les biais : une couche nn.Linear(a, b) a "
                          "aussi un vecteur de biais de taille b.")
    if _matches(answers, lambda *s: sum(a * b + a for a, b in pairs(s)), cases):
        raise WrongAnswer("Le biais d'une couche nn.Linear(a, b) a une composante par neurone de "
                          "sortie : b, et non a.")
    if _matches(answers, lambda *s: s[0] * s[1] + s[1], cases):
        raise WrongAnswer("Seule la première couche est comptée : il faut sommer sur toutes les "
                          "paires de tailles consécutives.")
    args, answer, expected = _first_wrong(answers, _dense, cases)
    raise WrongAnswer(f"dense_params{args} renvoie {answer:.0f} ; ce perceptron a un autre nombre de "
                      "paramètres. Comptez ab + b pour chaque couche a → b, puis sommez.")


def _conv(c_in, c_out, k):
    return c_out * (c_in * k * k + 1)


@exercise_check
def check_conv_params(conv_params) -> str:
    """``conv_params(c_in, c_out, k)`` : paramètres de Conv2d(c_in, c_out, k)."""
    cases = [(1, 16, 3), (32, 64, 7), (64, 32, 3), (3, 5, 1), (2, 3, 5)]
    answers = _answers(conv_params, cases, "Le nombre de paramètres")
    if _matches(answers, _conv, cases):
        return "Nombre de paramètres juste pour plusieurs convolutions."
    if _matches(answers, lambda c_in, c_out, k: c_out * c_in * k * k, cases):
        raise WrongAnswer("Vous oubliez les biais : un biais par filtre, donc c_out biais.")
    if _matches(answers, lambda c_in, c_out, k: c_out * (c_in * k + 1), cases):
        raise WrongAnswer("Un noyau k × k a k² poids par canal d'entrée, et non k.")
    if _matches(answers, lambda c_in, c_out, k: c_in * c_out * k * k + c_in, cases):
        raise WrongAnswer("Les biais sont comptés par canal d'entrée : il y en a un par filtre, "
                          "c'est-à-dire par canal de sortie.")
    if _matches(answers, lambda c_in, c_out, k: c_out * (c_in + 1) * k * k, cases):
        raise WrongAnswer("Chaque filtre n'a qu'un seul biais, et non un par position du noyau.")
    args, answer, expected = _first_wrong(answers, _conv, cases)
    raise WrongAnswer(f"conv_params{args} renvoie {answer:.0f} ; cette convolution a un autre "
                      "nombre de paramètres : c_out filtres de c_in × k × k poids, plus les biais.")


# ---------------------------------------------------------------- formes des sorties


def _conv_size(size, kernel, stride=1, padding=0):
    return (size + 2 * padding - kernel) // stride + 1


@exercise_check
def check_conv_output_size(conv_output_size) -> str:
    """``conv_output_size(size, kernel, stride=1, padding=0)`` : côté de sortie d'une convolution."""
    cases = [(28, 3, 2, 1), (14, 3, 2, 1), (7, 7, 1, 0), (27, 3, 2, 1), (32, 5, 2, 2),
             (28, 4, 3, 1), (10, 3), (9, 3, 2)]
    answers = _answers(conv_output_size, cases, "Le côté de la sortie")
    if _matches(answers, _conv_size, cases):
        return "Côtés justes, y compris avec un pas qui ne tombe pas juste et les valeurs par défaut."
    for args, answer in zip(cases, answers):
        if answer != int(answer):
            raise WrongAnswer(f"conv_output_size{args} renvoie {answer:g}, qui n'est pas un entier : "
                              "le quotient par le pas doit être arrondi à sa partie entière "
                              "(vers le bas).")
    if _matches(answers, lambda h, k, s=1, p=0: (h + 2 * p - k) // s, cases):
        raise WrongAnswer("Il manque le « + 1 » : une convolution de noyau k sur une entrée de côté "
                          "k, sans marge, donne une sortie de côté 1.")
    if _matches(answers, lambda h, k, s=1, p=0: (h + p - k) // s + 1, cases):
        raise WrongAnswer("La marge s'ajoute des deux côtés de l'image : elle compte deux fois.")
    if _matches(answers, lambda h, k, s=1, p=0: (h - k) // s + 1, cases):
        raise WrongAnswer("La marge (padding) est oubliée : elle agrandit l'entrée de deux fois "
                          "padding pixels.")
    if _matches(answers, lambda h, k, s=1, p=0: -(-(h + 2 * p - k) // s) + 1, cases):
        raise WrongAnswer("Le quotient est arrondi vers le haut ; la formule prend sa partie "
                          "entière, arrondie vers le bas.")
    args, answer, expected = _first_wrong(answers, _conv_size, cases)
    raise WrongAnswer(f"conv_output_size{args} renvoie {answer:g} ; la convolution donne un autre "
                      "côté. Reprenez la formule de l'énoncé.")


def _transpose_size(size, kernel, stride=1, padding=0, output_padding=0):
    return (size - 1) * stride - 2 * padding + kernel + output_padding


@exercise_check
def check_conv_transpose_output_size(conv_transpose_output_size) -> str:
    """``conv_transpose_output_size(size, kernel, stride=1, padding=0, output_padding=0)``."""
    cases = [(1, 7, 1, 0, 0), (7, 3, 2, 1, 1), (14, 3, 2, 1, 1), (7, 3, 2, 1, 0), (5, 4, 2, 1),
             (4, 5, 3, 2, 1), (5, 3)]
    answers = _answers(conv_transpose_output_size, cases, "Le côté de la sortie")
    if _matches(answers, _transpose_size, cases):
        return "Côtés justes, avec et sans output_padding, et avec les valeurs par défaut."
    if _matches(answers, lambda h, k, s=1, p=0, op=0: h * s - 2 * p + k + op, cases):
        raise WrongAnswer("Le pas multiplie le nombre d'intervalles entre les pixels de l'entrée, "
                          "size − 1, et non size.")
    if _matches(answers, lambda h, k, s=1, p=0, op=0: (h - 1) * s - 2 * p + k, cases):
        raise WrongAnswer("output_padding est oublié : il ajoute output_padding pixels au côté de "
                          "la sortie.")
    if _matches(answers, lambda h, k, s=1, p=0, op=0: (h - 1) * s - p + k + op, cases):
        raise WrongAnswer("La marge est retirée des deux côtés de la sortie : elle compte deux "
                          "fois.")
    if _matches(answers, lambda h, k, s=1, p=0, op=0: (h + 2 * p - k) // s + 1 + op, cases):
        raise WrongAnswer("C'est la formule de la convolution ordinaire : la convolution transposée "
                          "agrandit l'image au lieu de la réduire.")
    args, answer, expected = _first_wrong(answers, _transpose_size, cases)
    raise WrongAnswer(f"conv_transpose_output_size{args} renvoie {answer:g} ; la convolution "
                      "transposée donne un autre côté. Reprenez la formule de l'énoncé.")


# ---------------------------------------------------------------- ACP et codes


def _pca_mse(fit_on: np.ndarray, evaluate_on: np.ndarray, k: int, centre: bool = True) -> float:
    mean = fit_on.mean(axis=0) if centre else np.zeros(fit_on.shape[1])
    axes = np.linalg.svd(fit_on - mean, full_matrices=False)[2][:k].T
    reconstruction = mean + (evaluate_on - mean) @ axes @ axes.T
    return float(((reconstruction - evaluate_on) ** 2).mean())


@exercise_check
def check_pca_test_mse(pca_test_mse) -> str:
    """``pca_test_mse(train, test, k)`` : erreur par pixel de l'ACP ajustée sur train, sur test."""
    generator = torch.Generator().manual_seed(0)
    mean = 0.5 * torch.rand(784, generator=generator, dtype=torch.float64)
    axes = torch.randn(5, 784, generator=generator, dtype=torch.float64)
    scales = torch.tensor([4.0, 3.0, 2.5, 0.6, 0.4], dtype=torch.float64)

    def images(n):
        coefficients = torch.randn(n, 5, generator=generator, dtype=torch.float64) * scales
        noise = 0.05 * torch.randn(n, 784, generator=generator, dtype=torch.float64)
        return (mean + coefficients @ axes / 28 + noise).float().reshape(n, 1, 28, 28)

    train, test, k = images(60), images(30), 3
    answer = as_float(pca_test_mse(train.clone(), test.clone(), k), "L'erreur renvoyée")
    X_train, X_test = train.flatten(1).double().numpy(), test.flatten(1).double().numpy()
    expected = _pca_mse(X_train, X_test, k)
    if close(answer, expected, rtol=1e-3):
        return "Erreur de test de l'ACP juste sur un petit exemple."
    if close(answer, 784 * expected, rtol=1e-3):
        raise WrongAnswer("Vous renvoyez l'erreur par image (somme sur les 784 pixels) ; il faut "
                          "l'erreur moyenne par pixel.")
    if close(answer, _pca_mse(X_test, X_test, k), rtol=1e-3):
        raise WrongAnswer("L'ACP est ajustée sur les images de test : ajustez-la sur train, puis "
                          "mesurez l'erreur sur test.")
    if close(answer, _pca_mse(X_train, X_train, k), rtol=1e-3):
        raise WrongAnswer("Vous mesurez l'erreur sur les images d'entraînement ; il faut celle des "
                          "images de test.")
    if close(answer, _pca_mse(X_train, X_test, k, centre=False), rtol=1e-3):
        raise WrongAnswer("Les données ne sont pas centrées : l'ACP retire d'abord l'image moyenne "
                          "de l'entraînement, puis l'ajoute à la reconstruction.")
    if any(close(answer, _pca_mse(X_train, X_test, j), rtol=1e-3) for j in (k - 1, k + 1)):
        raise WrongAnswer("Le nombre de composantes n'est pas k.")
    raise WrongAnswer(f"Sur un petit exemple connu, votre erreur ({answer:.5f}) n'est pas l'erreur "
                      "quadratique moyenne par pixel, sur test, de l'ACP à k composantes ajustée "
                      "sur train.")


def _codes() -> torch.Tensor:
    """8 codes de 5 unités (après ReLU) : les unités 0 et 4 ne s'activent jamais, et les quatre
    dernières images ont un code entièrement nul."""
    codes = torch.zeros(8, 5)
    codes[0, 1], codes[0, 3] = 1.2, 0.5
    codes[1, 3] = 0.3
    codes[2, 1], codes[2, 2] = 2.0, 0.1
    codes[3, 1] = 0.7
    return codes


@exercise_check
def check_zero_fraction(zero_fraction) -> str:
    """``zero_fraction(codes)`` : proportion des coordonnées nulles."""
    codes = _codes()
    answer = as_float(zero_fraction(codes.clone()), "La proportion renvoyée")
    zeros = int((codes == 0).sum())
    expected = zeros / codes.numel()
    if close(answer, expected):
        return "Proportion de coordonnées nulles juste sur un petit exemple."
    if close(answer, 100 * expected):
        raise WrongAnswer("La proportion est en pourcentage : renvoyez une fraction dans [0, 1].")
    if close(answer, zeros):
        raise WrongAnswer("Vous renvoyez le nombre de coordonnées nulles ; divisez par le nombre "
                          "total de coordonnées.")
    if close(answer, 1 - expected):
        raise WrongAnswer("Vous renvoyez la proportion des coordonnées non nulles, et non celle des "
                          "coordonnées nulles.")
    raise WrongAnswer(f"Sur un petit exemple connu, votre proportion ({answer:.3f}) n'est pas la "
                      "part des coordonnées nulles parmi toutes celles du tableau.")


@exercise_check
def check_dead_units(dead_units) -> str:
    """``dead_units(codes)`` : nombre d'unités nulles sur toutes les images."""
    codes = _codes()
    answer = as_float(dead_units(codes.clone()), "Le nombre renvoyé")
    dead = (codes == 0).all(dim=0)
    expected = int(dead.sum())
    if answer == expected:
        return "Nombre d'unités jamais actives juste sur un petit exemple."
    if answer == int((codes == 0).all(dim=1).sum()):
        raise WrongAnswer("Vous comptez les images dont le code est entièrement nul ; une unité est "
                          "une colonne de codes : il faut réduire selon l'axe des images.")
    if answer == int((codes == 0).any(dim=0).sum()):
        raise WrongAnswer("Vous comptez les unités nulles sur au moins une image ; une unité morte "
                          "est nulle sur toutes les images.")
    if answer == codes.shape[1] - expected:
        raise WrongAnswer("Vous comptez les unités qui s'activent au moins une fois, et non celles "
                          "qui ne s'activent jamais.")
    if close(answer, expected / codes.shape[1]):
        raise WrongAnswer("Vous renvoyez la proportion d'unités mortes ; il faut leur nombre.")
    raise WrongAnswer(f"Sur un petit exemple connu, vous trouvez {answer:g} unités ; ce n'est pas le "
                      "nombre de colonnes de codes nulles pour toutes les images.")
