"""Les vérifications du TP 5 acceptent la solution du cours et reconnaissent les erreurs typiques."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import norm

from helpers import losses
from helpers.checks import (WrongAnswer, check_assemble_mosaic, check_latent_grid,
                            check_negative_elbo, check_reparameterize)

from checkutils import passes, pending


@pytest.fixture(scope="module")
def tp5(solutions):
    return solutions("tp5_vae")


def test_reference_solutions_pass(tp5, capsys):
    assert passes(check_reparameterize, tp5["reparameterize"])
    assert passes(check_negative_elbo, tp5["negative_elbo"])
    assert passes(check_latent_grid, tp5["latent_grid"])
    assert passes(check_assemble_mosaic, tp5["assemble_mosaic"])
    assert capsys.readouterr().out.count("✅") == 4


def test_helpers_versions_pass():
    assert passes(check_reparameterize, losses.reparameterize)
    assert passes(check_negative_elbo, lambda x, logits, mu, logvar: losses.negative_elbo(x, logits, mu, logvar))


def test_a_stub_is_reported_as_pending(capsys):
    def reparameterize(mu, logvar):
        """Ébauche."""
        raise NotImplementedError("À compléter")

    def negative_elbo(x, logits, mu, logvar):
        raise NotImplementedError("À compléter")

    assert pending(check_reparameterize, reparameterize)
    assert pending(check_negative_elbo, negative_elbo)
    out = capsys.readouterr().out
    assert "reparameterize n'est pas encore écrite" in out
    assert "negative_elbo n'est pas encore écrite" in out


@pytest.mark.parametrize("wrong, message", [
    (lambda mu, logvar: mu + logvar * torch.randn_like(mu), "pas l'écart-type. Il faut d'abord"),
    (lambda mu, logvar: mu + logvar.exp() * torch.randn_like(mu), "exp\\(logvar\\) est la variance"),
    (lambda mu, logvar: mu + torch.exp(-0.5 * logvar) * torch.randn_like(mu), "erreur de signe"),
    (lambda mu, logvar: torch.exp(0.5 * logvar) * torch.randn_like(mu), "centrés sur 0"),
    (lambda mu, logvar: mu.clone(), "renvoie μ lui-même"),
    (lambda mu, logvar: mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape[1]),
     "même tirage"),
    (lambda mu, logvar: mu + torch.exp(0.5 * logvar) * torch.randn(len(mu), 1),
     "même bruit : il faut un ε indépendant par coordonnée"),
    (lambda mu, logvar: torch.normal(mu, torch.exp(0.5 * logvar)), "ne transmet aucun gradient"),
    (lambda mu, logvar: (mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)).detach(),
     "graphe de calcul"),
    (lambda mu, logvar: (mu + torch.exp(0.5 * logvar) * torch.randn_like(mu))[:, 0],
     "la forme attendue"),
])
def test_reparameterize_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_reparameterize(wrong)


def _kl(mu, logvar):
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)


def _bce(logits, x):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)


def _elbo(rec, kl):
    """Le triplet (total, reconstruction, KL) à partir de valeurs par image ou déjà réduites."""
    rec, kl = rec.mean(), kl.mean()
    return rec + kl, rec, kl


@pytest.mark.parametrize("wrong, message", [
    (lambda x, l, m, v: _elbo(F.binary_cross_entropy_with_logits(l, x), _kl(m, v)),
     "784 fois trop petit"),
    (lambda x, l, m, v: _elbo(_bce(l, x).sum(), _kl(m, v)), "reconstruction est sommé sur les images"),
    (lambda x, l, m, v: _elbo(_bce(x, l), _kl(m, v)), "arguments de l'entropie croisée sont inversés"),
    (lambda x, l, m, v: _elbo(_bce(torch.sigmoid(l), x), _kl(m, v)), "sigmoïde est appliquée deux fois"),
    (lambda x, l, m, v: _elbo((torch.sigmoid(l) - x).pow(2).sum(dim=1), _kl(m, v)),
     "erreur quadratique"),
    (lambda x, l, m, v: _elbo(F.mse_loss(torch.sigmoid(l), x, reduction="none").mean(dim=1), _kl(m, v)),
     "erreur quadratique"),
    (lambda x, l, m, v: _elbo(_bce(l, x), -_kl(m, v)), "mauvais signe"),
    (lambda x, l, m, v: _elbo(_bce(l, x), 2 * _kl(m, v)), "facteur ½"),
    (lambda x, l, m, v: _elbo(_bce(l, x), 0.5 * (m.pow(2) + v.exp() - 1 - v).mean(dim=1)),
     "moyennée sur les coordonnées latentes"),
    (lambda x, l, m, v: _elbo(_bce(l, x), _kl(m, v).sum()), "KL est sommée sur les images"),
    (lambda x, l, m, v: _elbo(_bce(l, x), 0.5 * (m.pow(2) + (2 * v).exp() - 1 - 2 * v).sum(dim=1)),
     "logvar comme log σ"),
    (lambda x, l, m, v: (_bce(l, x) + _kl(m, v), _bce(l, x), _kl(m, v)), "vecteur d'une valeur par image"),
    (lambda x, l, m, v: _elbo(_bce(l, x), _kl(m, v))[:2], "triplet"),
    (lambda x, l, m, v: (_elbo(_bce(l, x), _kl(m, v))[0],) + _elbo(_bce(l, x), _kl(m, v))[:0:-1],
     "échangés"),
    (lambda x, l, m, v: (_bce(l, x).mean() - _kl(m, v).mean(),) + _elbo(_bce(l, x), _kl(m, v))[1:],
     "reconstruction − KL"),
    (lambda x, l, m, v: tuple(t.item() for t in _elbo(_bce(l, x), _kl(m, v))), "tenseur dérivable"),
])
def test_negative_elbo_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_negative_elbo(wrong)


def _grid(values, flip=True, indexing="xy"):
    values = torch.as_tensor(values, dtype=torch.float32)
    return torch.stack(torch.meshgrid(values, values.flip(0) if flip else values,
                                      indexing=indexing), dim=-1)


@pytest.mark.parametrize("wrong, message", [
    (lambda n, low=0.03, high=0.97: _grid(np.linspace(-3, 3, n)), "régulièrement espacés"),
    (lambda n, low=0.03, high=0.97: _grid(np.linspace(low, high, n)), "probabilités u elles-mêmes"),
    (lambda n, low=0.03, high=0.97: _grid(norm.ppf(np.linspace(0, 1, n))), "valeurs infinies"),
    (lambda n, low=0.03, high=0.97: _grid(norm.ppf(np.linspace(low, high, n)), flip=False),
     "à l'envers"),
    (lambda n, low=0.03, high=0.97: _grid(norm.ppf(np.linspace(low, high, n)), indexing="ij"),
     "axes sont échangés"),
    (lambda n, low=0.03, high=0.97: _grid(norm.ppf(np.linspace(low, high, n))).reshape(-1, 2),
     "la forme attendue"),
])
def test_latent_grid_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_latent_grid(wrong)


@pytest.mark.parametrize("wrong, message", [
    (lambda images: images.reshape(images.shape[0] * images.shape[2], -1), "découpées en bandes"),
    (lambda images: images.permute(1, 2, 0, 3).flatten(2).flatten(0, 1), "Rangées et colonnes"),
    (lambda images: images.permute(0, 3, 1, 2).flatten(2).flatten(0, 1), "transposée"),
    (lambda images: images.permute(0, 2, 1, 3).flatten(2).flatten(0, 1).numpy(), "tenseur torch"),
    (lambda images: images.permute(0, 2, 1, 3).flatten(2).flatten(0, 1).flip(0), "la rangée i"),
])
def test_assemble_mosaic_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_assemble_mosaic(wrong)
