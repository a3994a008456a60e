"""Vérifications des exercices du TP 3 (auto-encodeurs denses et convolutionnels)."""

from __future__ import annotations

import operator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .core import Mistake, describe_args, exercise_check, expect

__all__ = ["check_dense_params", "check_conv_params", "check_conv_output_size",
           "check_conv_transpose_output_size", "check_pca_test_mse", "check_zero_fraction",
           "check_dead_units"]


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _pairs(sizes) -> list[tuple[int, int]]:
    return list(zip(sizes[:-1], sizes[1:]))


# --- Nombres de paramètres -------------------------------------------------------------------


def _dense_model_count(*sizes) -> int:
    """La référence : les paramètres de vraies couches nn.Linear, comptés par PyTorch (sur le
    périphérique « meta » : ni mémoire ni tirage aléatoire)."""
    return _count(nn.Sequential(*(nn.Linear(a, b, device="meta") for a, b in _pairs(sizes))))


def _dense(*sizes, bias=lambda a, b: b, layers=None) -> int:
    """Variantes fautives : biais oubliés ou mal comptés, couches oubliées."""
    return sum(a * b + bias(a, b) for a, b in _pairs(sizes)[:layers])


@exercise_check
def check_dense_params(dense_params) -> str:
    """``dense_params(*sizes)`` : paramètres du perceptron sizes[0] → … → sizes[-1]."""
    expect(dense_params, _dense_model_count,
           [(10, 3), (784, 64, 784), (5, 4, 3, 2), (784, 128, 64, 128, 784)], rtol=0, atol=0,
           mistakes=[
        Mistake(lambda *s: _dense(*s, bias=lambda a, b: 0),
                "Vous comptez les poids mais pas les biais : une couche nn.Linear(a, b) a aussi un "
                "vecteur de biais de taille b."),
        Mistake(lambda *s: _dense(*s, bias=lambda a, b: a),
                "Le biais d'une couche nn.Linear(a, b) a une composante par neurone de sortie : b, "
                "et non a."),
        Mistake(lambda *s: _dense(*s, layers=1),
                "Seule la première couche est comptée : il faut sommer sur toutes les paires de "
                "tailles consécutives."),
    ], otherwise=lambda case, got, want: (
        f"dense_params({describe_args(case)}) renvoie {float(got):g} ; ce perceptron a un autre "
        "nombre de paramètres. Comptez ab + b pour chaque couche a → b, puis sommez."))
    return "Nombre de paramètres juste pour des perceptrons de 1 à 4 couches."


def _conv_model_count(c_in, c_out, k) -> int:
    """La référence : les paramètres d'une vraie Conv2d, comptés par PyTorch."""
    return _count(nn.Conv2d(c_in, c_out, k, device="meta"))


def _conv(c_in, c_out, k, *, taps=None, biases=None) -> int:
    """Variantes fautives : poids par filtre et par canal d'entrée (``taps``), nombre de biais."""
    taps = k * k if taps is None else taps
    return c_out * c_in * taps + (c_out if biases is None else biases)


@exercise_check
def check_conv_params(conv_params) -> str:
    """``conv_params(c_in, c_out, k)`` : paramètres de Conv2d(c_in, c_out, k)."""
    expect(conv_params, _conv_model_count,
           [(1, 16, 3), (32, 64, 7), (64, 32, 3), (3, 5, 1), (2, 3, 5)], rtol=0, atol=0, mistakes=[
        Mistake(lambda c_in, c_out, k: _conv(c_in, c_out, k, biases=0),
                "Vous oubliez les biais : un biais par filtre, donc c_out biais."),
        Mistake(lambda c_in, c_out, k: _conv(c_in, c_out, k, taps=k),
                "Un noyau k × k a k² poids par canal d'entrée, et non k."),
        Mistake(lambda c_in, c_out, k: _conv(c_in, c_out, k, biases=c_in),
                "Les biais sont comptés par canal d'entrée : il y en a un par filtre, c'est-à-dire "
                "par canal de sortie."),
        Mistake(lambda c_in, c_out, k: _conv(c_in, c_out, k, biases=c_out * k * k),
                "Chaque filtre n'a qu'un seul biais, et non un par position du noyau."),
    ], otherwise=lambda case, got, want: (
        f"conv_params({describe_args(case)}) renvoie {float(got):g} ; cette convolution a un autre "
        "nombre de paramètres : c_out filtres de c_in × k × k poids, plus les biais."))
    return "Nombre de paramètres juste pour plusieurs convolutions."


# --- Formes des sorties ----------------------------------------------------------------------


def _square(size: int) -> torch.Tensor:
    return torch.empty(1, 1, size, size, device="meta")


def _conv_side(size, kernel, stride=1, padding=0) -> int:
    """La référence : le côté de la sortie d'une vraie convolution (calculé sur « meta »)."""
    return F.conv2d(_square(size), _square(kernel), stride=stride, padding=padding).shape[-1]


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _conv_formula(size, kernel, stride=1, padding=0, *, margins=2, divide=operator.floordiv,
                  one=1):
    """Variantes fautives : marge comptée une fois ou oubliée, division, « + 1 » oublié."""
    return divide(size + margins * padding - kernel, stride) + one


def _side_message(name: str):
    """Le message neutre des deux exercices de formes : l'appel fautif et sa valeur, et si celle-ci
    n'est pas entière, ce qui en découle."""
    def message(case, got, want) -> str:
        value = float(got)
        call = f"{name}({describe_args(case)}) renvoie {value:g}"
        if not value.is_integer():
            return (f"{call}, qui n'est pas un entier : le côté d'une image est un nombre entier "
                    "de pixels.")
        return f"{call} ; la couche donne un autre côté. Reprenez la formule de l'énoncé."
    return message


@exercise_check
def check_conv_output_size(conv_output_size) -> str:
    """``conv_output_size(size, kernel, stride=1, padding=0)`` : côté de sortie d'une
    convolution."""
    cases = [(28, 3, 2, 1), (14, 3, 2, 1), (7, 7, 1, 0), (27, 3, 2, 1), (32, 5, 2, 2),
             (28, 4, 3, 1), (10, 3), (9, 3, 2)]
    expect(conv_output_size, _conv_side, cases, rtol=0, atol=0, mistakes=[
        Mistake(lambda *a: _conv_formula(*a, divide=operator.truediv),
                "Le côté renvoyé n'est pas toujours un entier : le quotient par le pas doit être "
                "arrondi à sa partie entière (vers le bas)."),
        Mistake(lambda *a: _conv_formula(*a, one=0),
                "Il manque le « + 1 » : une convolution de noyau k sur une entrée de côté k, sans "
                "marge, donne une sortie de côté 1."),
        Mistake(lambda *a: _conv_formula(*a, margins=1),
                "La marge s'ajoute des deux côtés de l'image : elle compte deux fois."),
        Mistake(lambda *a: _conv_formula(*a, margins=0),
                "La marge (padding) est oubliée : elle agrandit l'entrée de deux fois padding "
                "pixels."),
        Mistake(lambda *a: _conv_formula(*a, divide=_ceil_div),
                "Le quotient est arrondi vers le haut ; la formule prend sa partie entière, "
                "arrondie vers le bas."),
    ], otherwise=_side_message("conv_output_size"))
    return "Côtés justes, y compris avec un pas qui ne tombe pas juste et les valeurs par défaut."


def _transpose_side(size, kernel, stride=1, padding=0, output_padding=0) -> int:
    """La référence : le côté de la sortie d'une vraie convolution transposée (sur « meta »)."""
    return F.conv_transpose2d(_square(size), _square(kernel), stride=stride, padding=padding,
                              output_padding=output_padding).shape[-1]


def _transpose_formula(size, kernel, stride=1, padding=0, output_padding=0, *, intervals=-1,
                       margins=-2, extra=1):
    """Variantes fautives : ``size`` au lieu de ``size − 1``, marge, ``output_padding`` oublié."""
    return (size + intervals) * stride + margins * padding + kernel + extra * output_padding


@exercise_check
def check_conv_transpose_output_size(conv_transpose_output_size) -> str:
    """``conv_transpose_output_size(size, kernel, stride=1, padding=0, output_padding=0)`` : côté
    de sortie d'une convolution transposée."""
    cases = [(1, 7, 1, 0, 0), (7, 3, 2, 1, 1), (14, 3, 2, 1, 1), (7, 3, 2, 1, 0), (5, 4, 2, 1),
             (4, 5, 3, 2, 1), (5, 3)]
    expect(conv_transpose_output_size, _transpose_side, cases, rtol=0, atol=0, mistakes=[
        Mistake(lambda *a: _transpose_formula(*a, intervals=0),
                "Le pas multiplie le nombre d'intervalles entre les pixels de l'entrée, size − 1, "
                "et non size."),
        Mistake(lambda *a: _transpose_formula(*a, extra=0),
                "output_padding est oublié : il ajoute output_padding pixels au côté de la "
                "sortie."),
        Mistake(lambda *a: _transpose_formula(*a, margins=-1),
                "La marge est retirée des deux côtés de la sortie : elle compte deux fois."),
        Mistake(lambda *a: _transpose_formula(*a, margins=2),
                "La marge est ajoutée ; dans une convolution transposée, elle est retirée de la "
                "sortie (des deux côtés)."),
        Mistake(lambda size, kernel, stride=1, padding=0, output_padding=0:
                _conv_formula(size, kernel, stride, padding) + output_padding,
                "C'est la formule de la convolution ordinaire : la convolution transposée agrandit "
                "l'image au lieu de la réduire."),
    ], otherwise=_side_message("conv_transpose_output_size"))
    return "Côtés justes, avec et sans output_padding, et avec les valeurs par défaut."


# --- ACP et codes ----------------------------------------------------------------------------


def _pca_mse(train, test, k, *, fit_on="train", measured_on="test", centre=True, extra=0,
             pixels=np.mean):
    """La référence (ACP par décomposition en valeurs singulières, en float64) et ses variantes
    fautives : ajustée ou mesurée sur le mauvais ensemble, sans centrage, k faux, erreur par
    image."""
    data = {"train": train.flatten(1).double().numpy(), "test": test.flatten(1).double().numpy()}
    fitted, measured = data[fit_on], data[measured_on]
    mean = fitted.mean(axis=0) if centre else 0.0
    axes = np.linalg.svd(fitted - mean, full_matrices=False)[2][:k + extra].T
    reconstruction = mean + (measured - mean) @ axes @ axes.T
    return pixels((reconstruction - measured) ** 2, axis=1).mean()


def _images(seed: int, n: int) -> torch.Tensor:
    """``n`` « images » (n, 1, 28, 28) en float32 sur le CPU, comme ``x_train`` : une image
    moyenne, cinq directions de variances bien séparées et un peu de bruit."""
    generator = torch.Generator().manual_seed(seed)
    mean = 0.5 * torch.rand(784, generator=generator, dtype=torch.float64)
    axes = torch.randn(5, 784, generator=generator, dtype=torch.float64) / 28
    scales = torch.tensor([4.0, 3.0, 2.5, 0.6, 0.4], dtype=torch.float64)
    coefficients = torch.randn(n, 5, generator=generator, dtype=torch.float64) * scales
    noise = 0.05 * torch.randn(n, 784, generator=generator, dtype=torch.float64)
    return (mean + coefficients @ axes + noise).float().reshape(n, 1, 28, 28)


@exercise_check
def check_pca_test_mse(pca_test_mse) -> str:
    """``pca_test_mse(train, test, k)`` : erreur par pixel, sur ``test``, de l'ACP ajustée sur
    ``train`` ; les images sont des tenseurs (N, 1, 28, 28) sur le CPU, comme x_train et x_test."""
    cases = [(_images(0, 60), _images(1, 30), 3), (_images(2, 50), _images(3, 40), 2),
             (_images(4, 70), _images(5, 25), 4)]
    expect(pca_test_mse, _pca_mse, cases, rtol=1e-3, mistakes=[
        Mistake(lambda *a: _pca_mse(*a, pixels=np.sum),
                "Vous renvoyez l'erreur par image (somme sur les 784 pixels) ; il faut l'erreur "
                "moyenne par pixel."),
        Mistake(lambda *a: _pca_mse(*a, fit_on="test"),
                "L'ACP est ajustée sur les images de test : ajustez-la sur train, puis mesurez "
                "l'erreur sur test."),
        Mistake(lambda *a: _pca_mse(*a, measured_on="train"),
                "Vous mesurez l'erreur sur les images d'entraînement ; il faut celle des images de "
                "test."),
        Mistake(lambda *a: _pca_mse(*a, centre=False),
                "Les données ne sont pas centrées : l'ACP retire d'abord l'image moyenne de "
                "l'entraînement, puis l'ajoute à la reconstruction."),
        Mistake(lambda *a: _pca_mse(*a, extra=1), "Le nombre de composantes n'est pas k."),
        Mistake(lambda *a: _pca_mse(*a, extra=-1), "Le nombre de composantes n'est pas k."),
    ], otherwise=lambda case, got, want: (
        f"Avec k = {case[2]}, votre erreur ({float(got):.5f}) n'est pas l'erreur quadratique "
        "moyenne par pixel, sur test, de l'ACP à k composantes ajustée sur train."))
    return "Erreur de test de l'ACP juste sur trois petits exemples, pour k = 2, 3 et 4."


def _codes(seed: int, n: int, units: int, dead: list[int], empty: list[int]) -> torch.Tensor:
    """Des codes (n, units) après ReLU, sur le CPU comme ceux que renvoie ``encode`` : les unités
    ``dead`` ne s'activent jamais, les images ``empty`` ont un code entièrement nul."""
    generator = torch.Generator().manual_seed(seed)
    codes = torch.relu(torch.randn(n, units, generator=generator) + 0.3)
    codes[:, dead] = 0
    codes[empty] = 0
    return codes


def _code_cases() -> list[tuple[torch.Tensor]]:
    return [(_codes(0, 8, 5, dead=[0, 4], empty=[5, 6, 7]),),
            (_codes(1, 6, 7, dead=[2], empty=[0]),),
            (_codes(2, 10, 4, dead=[1, 2, 3], empty=[3, 8]),)]


@exercise_check
def check_zero_fraction(zero_fraction) -> str:
    """``zero_fraction(codes)`` : proportion des coordonnées nulles du tenseur ``codes`` (N, K)."""
    expect(zero_fraction, lambda codes: np.count_nonzero(codes.numpy() == 0) / codes.numel(),
           _code_cases(), mistakes=[
        Mistake(lambda codes: 100 * (codes == 0).double().mean(),
                "La proportion est en pourcentage : renvoyez une fraction dans [0, 1]."),
        Mistake(lambda codes: (codes == 0).sum(),
                "Vous renvoyez le nombre de coordonnées nulles ; divisez par le nombre total de "
                "coordonnées."),
        Mistake(lambda codes: (codes == 0).sum() / len(codes),
                "Vous divisez par le nombre d'images ; il faut diviser par le nombre total de "
                "coordonnées (images × unités)."),
        Mistake(lambda codes: (codes != 0).double().mean(),
                "Vous renvoyez la proportion des coordonnées non nulles, et non celle des "
                "coordonnées nulles."),
        Mistake(lambda codes: (codes == 0).all(dim=0).double().mean(),
                "Vous renvoyez la proportion des unités nulles sur toutes les images ; il faut la "
                "proportion de toutes les coordonnées nulles du tableau."),
    ], otherwise=lambda case, got, want: (
        f"Sur un petit exemple connu, votre proportion ({float(got):.3f}) n'est pas la part des "
        "coordonnées nulles parmi toutes celles du tableau."))
    return "Proportion de coordonnées nulles juste sur trois petits exemples."


@exercise_check
def check_dead_units(dead_units) -> str:
    """``dead_units(codes)`` : nombre d'unités (colonnes du tenseur ``codes`` (N, K)) nulles sur
    toutes les images."""
    expect(dead_units, lambda codes: sum(not codes[:, j].any() for j in range(codes.shape[1])),
           _code_cases(), mistakes=[
        Mistake(lambda codes: (codes == 0).all(dim=1).sum(),
                "Vous comptez les images dont le code est entièrement nul ; une unité est une "
                "colonne de codes : il faut réduire selon l'axe des images."),
        Mistake(lambda codes: (codes == 0).any(dim=0).sum(),
                "Vous comptez les unités nulles sur au moins une image ; une unité morte est nulle "
                "sur toutes les images."),
        Mistake(lambda codes: (codes != 0).any(dim=0).sum(),
                "Vous comptez les unités qui s'activent au moins une fois, et non celles qui ne "
                "s'activent jamais."),
        Mistake(lambda codes: (codes == 0).all(dim=0).double().mean(),
                "Vous renvoyez la proportion d'unités mortes ; il faut leur nombre."),
        Mistake(lambda codes: (codes == 0).sum(),
                "Vous comptez les coordonnées nulles une à une ; il faut compter les unités "
                "(colonnes) nulles sur toutes les images."),
    ], otherwise=lambda case, got, want: (
        f"Sur un petit exemple connu, vous trouvez {float(got):g} unités ; ce n'est pas le nombre "
        "de colonnes de codes nulles pour toutes les images."))
    return "Nombre d'unités jamais actives juste sur trois petits exemples."
