"""Les vérifications du TP 4 acceptent la solution du cours et reconnaissent les erreurs
typiques."""

import math

import pytest
import torch

from helpers.checks import (WrongAnswer, check_closed_form_penalty, check_corrupt,
                            check_l1_penalty, check_sensitivity, check_sparse_kl_penalty)
from helpers.data import add_gaussian_noise
from helpers.losses import contractive_penalty_sigmoid, l1_penalty, sparse_kl_penalty
from helpers.train import encode, reconstruct

from checkutils import passes, pending


@pytest.fixture(scope="module")
def tp4(solutions):
    return solutions("tp4_regularises_debruitage")


def test_reference_solutions_pass(tp4, capsys):
    assert passes(check_sparse_kl_penalty, tp4["sparse_kl_penalty"])
    assert passes(check_l1_penalty, tp4["l1_penalty"])
    assert passes(check_closed_form_penalty, tp4["closed_form_penalty"])
    assert passes(check_sensitivity, tp4["sensitivity"])
    assert passes(check_corrupt, tp4["corrupt"])
    assert capsys.readouterr().out.count("✅") == 5


def test_helpers_versions_pass(capsys):
    """Les fonctions de ``helpers`` sont des réponses justes (autres écritures de la solution)."""
    assert passes(check_sparse_kl_penalty, sparse_kl_penalty)
    assert passes(check_l1_penalty, l1_penalty)
    assert passes(check_closed_form_penalty, contractive_penalty_sigmoid)
    assert passes(check_corrupt, add_gaussian_noise)
    assert capsys.readouterr().out.count("✅") == 4


@pytest.mark.parametrize("check, name", [
    (check_sparse_kl_penalty, "sparse_kl_penalty"),
    (check_sensitivity, "sensitivity"),
    (check_corrupt, "corrupt"),
])
def test_a_stub_is_reported_as_pending(check, name, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError("À compléter")

    stub.__name__ = name
    assert pending(check, stub)
    assert f"{name} n'est pas encore écrite" in capsys.readouterr().out


# --- Pénalité KL -----------------------------------------------------------------------------


def _kl(p, q):
    return p * torch.log(p / q) + (1 - p) * torch.log((1 - p) / (1 - q))


@pytest.mark.parametrize("wrong, message", [
    (lambda h, rho: _kl(h.mean(dim=0), torch.tensor(rho)).sum(), "n'est pas symétrique"),
    (lambda h, rho: _kl(torch.tensor(rho), h).sum(dim=1).mean(), "moyenne sur le lot des"),
    (lambda h, rho: _kl(torch.tensor(rho), h).sum(), "Vous sommez les divergences"),
    (lambda h, rho: _kl(torch.tensor(rho), h.mean(dim=1)).sum(), "mauvais axe"),
    (lambda h, rho: _kl(torch.tensor(rho), h.mean(dim=0)).mean(), "la pénalité est leur somme"),
    (lambda h, rho: (rho * torch.log(rho / h.mean(dim=0))).sum(), "second terme"),
    (lambda h, rho: _kl(torch.tensor(rho), h.mean(dim=0)), "une divergence par unité"),
    (lambda h, rho: _kl(torch.tensor(rho), h.mean(dim=0)).sum() / math.log(2), "base 2"),
    (lambda h, rho: _kl(torch.tensor(rho), h.mean(dim=0)).sum().item(), "pas dérivable"),
    (lambda h, rho: _kl(torch.tensor(rho), h.mean(dim=0)).sum() + 1, "ce n'est pas"),
])
def test_sparse_kl_penalty_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_sparse_kl_penalty(wrong)


# --- Pénalité ℓ1 -----------------------------------------------------------------------------


@pytest.mark.parametrize("wrong, message", [
    (lambda h: h.abs().sum(), "somme des normes sur le lot"),
    (lambda h: h.abs().mean(), "moyenne de toutes les coordonnées"),
    (lambda h: h.abs().sum(dim=0).mean(), "mauvais axes"),
    (lambda h: h.sum(dim=1).mean(), "Il manque les valeurs absolues"),
    (lambda h: h.sum(dim=1).abs().mean(), "après la somme"),
    (lambda h: h.pow(2).sum(dim=1).mean(), "norme euclidienne"),
    (lambda h: h.abs().sum(dim=1), "une norme par exemple"),
    (lambda h: h.abs().sum(dim=1).mean().item(), "pas dérivable"),
    (lambda h: h.abs().max(dim=1).values.mean(), "ce n'est pas la norme ℓ1"),
])
def test_l1_penalty_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_l1_penalty(wrong)


# --- Forme close de la pénalité contractive --------------------------------------------------


def _closed_form(x, layer, *, square=True, rows=True, batch="mean", sigmoid=True, bias=True,
                 flatten=True, reduce=True):
    """La forme close avec, au choix, l'une des erreurs typiques des étudiants."""
    if flatten:
        x = x.reshape(len(x), -1)
    a = layer(x) if bias else x @ layer.weight.T
    h = torch.sigmoid(a) if sigmoid else a
    slope = (h * (1 - h)).pow(2 if square else 1)
    norms = layer.weight.pow(2).sum(dim=1 if rows else 0)
    per_example = (slope * norms).sum(dim=1)
    if not reduce:
        return per_example
    return per_example.mean() if batch == "mean" else per_example.sum()


@pytest.mark.parametrize("mistake, message", [
    ({"square": False}, "élevé au carré"),
    ({"rows": False}, "colonnes de W"),
    ({"batch": "sum"}, "Vous sommez sur le lot"),
    ({"sigmoid": False}, "pré-activation"),
    ({"bias": False}, "biais b est oublié"),
    ({"flatten": False}, "aplatissez chaque image"),
    ({"reduce": False}, "une par exemple"),
])
def test_closed_form_penalty_mistakes(mistake, message):
    with pytest.raises(WrongAnswer, match=message):
        check_closed_form_penalty(lambda x, layer: _closed_form(x, layer, **mistake))


def test_closed_form_penalty_other_mistakes():
    def frobenius(x, layer):
        h = torch.sigmoid(layer(x.reshape(len(x), -1)))
        return ((h * (1 - h)).pow(2).sum(dim=1) * layer.weight.pow(2).sum()).mean()

    def detached(x, layer):
        with torch.no_grad():
            return _closed_form(x, layer)

    def mean_over_units(x, layer):
        h = torch.sigmoid(layer(x.reshape(len(x), -1)))
        return ((h * (1 - h)).pow(2) * layer.weight.pow(2).sum(dim=1)).mean()

    with pytest.raises(WrongAnswer, match="norme de toute la matrice"):
        check_closed_form_penalty(frobenius)
    with pytest.raises(WrongAnswer, match="moyenne sur les unités"):
        check_closed_form_penalty(mean_over_units)
    with pytest.raises(WrongAnswer, match="pas dérivable"):
        check_closed_form_penalty(detached)


# --- Sensibilité du code ---------------------------------------------------------------------


def _sensitivity(model, images, radius=0.5, seed=0, *, per_image=True, normalise=True,
                 divide=True, on=encode, dim=1):
    """La sensibilité avec, au choix, l'une des erreurs typiques des étudiants."""
    delta = torch.randn(images.shape, generator=torch.Generator().manual_seed(seed))
    if normalise:
        norms = delta.flatten(1).norm(dim=1)[:, None, None, None] if per_image else delta.norm()
        delta = delta / norms
    delta = radius * delta
    change = on(model, images + delta) - on(model, images)
    norms = change.flatten(1).norm(dim=1) if dim == 1 else change.norm(dim=0)
    return (norms / (radius if divide else 1.0)).mean().item()


@pytest.mark.parametrize("mistake, message", [
    ({"divide": False}, "sans la division par radius"),
    ({"per_image": False}, "normalisez image par image"),
    ({"normalise": False}, "ne sont pas normalisées"),
    ({"dim": 0}, "mauvais axe"),
    ({"on": reconstruct}, "sensibilité de la reconstruction"),
])
def test_sensitivity_mistakes(mistake, message):
    with pytest.raises(WrongAnswer, match=message):
        check_sensitivity(lambda *args: _sensitivity(*args, **mistake))


def test_sensitivity_reference_variant_and_wrong_noise():
    assert passes(check_sensitivity, lambda *args: _sensitivity(*args))
    with pytest.raises(WrongAnswer, match="Vérifiez le tirage de ε"):
        check_sensitivity(lambda model, images, radius=0.5, seed=0:
                          _sensitivity(model, images, radius, seed + 1))


# --- Corruption gaussienne -------------------------------------------------------------------


def _corrupt(images, sigma, clip=True, generator=None, *, scale=lambda s: s, clip_when=None,
             noise_only=False, use_generator=True):
    """La corruption avec, au choix, l'une des erreurs typiques des étudiants."""
    if use_generator:
        noise = torch.randn(images.shape, generator=generator)
    else:
        noise = torch.randn_like(images)
    noisy = scale(sigma) * noise if noise_only else images + scale(sigma) * noise
    do_clip = clip if clip_when is None else clip_when
    return noisy.clamp(0, 1) if do_clip else noisy


@pytest.mark.parametrize("mistake, message", [
    ({"scale": lambda s: s**2}, "multiplié par σ²"),
    ({"scale": lambda s: 1.0}, "pas multiplié par σ"),
    ({"noise_only": True}, "le bruit σ ε seul"),
    ({"clip_when": True}, "ne doit pas être ramenée"),
    ({"clip_when": False}, "doit être ramenée dans \\[0, 1\\]"),
    ({"use_generator": False}, "donnent des bruits différents"),
])
def test_corrupt_mistakes(mistake, message):
    def wrong(images, sigma, clip=True, generator=None):
        return _corrupt(images, sigma, clip, generator, **mistake)

    with pytest.raises(WrongAnswer, match=message):
        check_corrupt(wrong)


def test_corrupt_wrong_shape():
    with pytest.raises(WrongAnswer, match="a la forme"):
        check_corrupt(lambda images, sigma, clip=True, generator=None:
                      _corrupt(images, sigma, clip, generator).flatten(1))
