import math

import pytest
import torch

from helpers import objectives
from helpers.data import add_gaussian_noise
from helpers.models import VAE, DenseAutoencoder
from helpers.train import fit


@pytest.mark.parametrize("objective, model", [
    (objectives.SparseKLObjective(rho=0.1, beta=0.1), lambda: DenseAutoencoder(8, (32,), code_activation="sigmoid")),
    (objectives.SparseL1Objective(beta=1e-3), lambda: DenseAutoencoder(8, (32,))),
    (objectives.ContractiveObjective(beta=1e-3), lambda: DenseAutoencoder(8, (32,))),
    (objectives.DenoisingObjective(sigma=0.3), lambda: DenseAutoencoder(8, (32,))),
    (objectives.VAEObjective(beta=1.0), lambda: VAE(2, (32,))),
])
def test_each_objective_trains(images, objective, model):
    torch.manual_seed(0)
    history = fit(model(), images, epochs=15, batch_size=16, lr=3e-3, loss=objective, progress=False)
    assert history.train_loss[-1] < 0.7 * history.train_loss[0]


def test_sparse_objective_lowers_mean_activation(images):
    def mean_activation(beta):
        torch.manual_seed(0)
        model = DenseAutoencoder(16, (32,), code_activation="sigmoid")
        fit(model, images, epochs=20, batch_size=16, lr=3e-3, progress=False,
            loss=objectives.SparseKLObjective(rho=0.05, beta=beta))
        return model.encode(images).mean().item()

    assert mean_activation(1.0) < 0.5 * mean_activation(0.0)


RHO = r"rho doit être strictement compris entre 0 et 1"
BETA = r"Le poids beta doit être un réel positif ou nul"
SIGMA = r"L'écart-type du bruit sigma doit être un réel positif ou nul"


@pytest.mark.parametrize("factory, kwargs, match", [
    *[(objectives.SparseKLObjective, {"rho": rho, "beta": 0.1}, RHO)
      for rho in (0.0, 1.0, -0.1, 1.5, math.nan)],
    (objectives.SparseKLObjective, {"rho": 0.1, "beta": -1.0}, BETA),
    (objectives.SparseL1Objective, {"beta": -1e-3}, BETA),
    (objectives.SparseL1Objective, {"beta": math.nan}, BETA),
    (objectives.ContractiveObjective, {"beta": -0.5}, BETA),
    (objectives.ContractiveSigmoidObjective, {"beta": -0.5}, BETA),
    (objectives.VAEObjective, {"beta": -2.0}, BETA),
    (objectives.VAEObjective, {"beta": math.inf}, BETA),
    *[(objectives.DenoisingObjective, {"sigma": sigma}, SIGMA) for sigma in (-0.1, math.nan, math.inf)],
])
def test_out_of_range_hyperparameters(factory, kwargs, match):
    """Refusés dès la construction de l'objectif, avant tout entraînement (jamais de perte NaN)."""
    with pytest.raises(ValueError, match=match):
        factory(**kwargs)


def test_negative_noise_level_refused_by_add_gaussian_noise(images):
    with pytest.raises(ValueError, match=SIGMA + r" \(reçu : -0.1\)"):
        add_gaussian_noise(images, -0.1)


def test_gaussian_noise_statistics_and_clipping():
    generator = torch.Generator().manual_seed(0)
    x = torch.full((20_000, 4), 0.5)
    noisy = add_gaussian_noise(x, 0.2, clip=False, generator=generator)
    assert abs((noisy - x).std().item() - 0.2) < 0.005
    clipped = add_gaussian_noise(x, 2.0, clip=True, generator=generator)
    assert clipped.min() == 0 and clipped.max() == 1
    assert torch.equal(add_gaussian_noise(x, 0.0), x)


def test_ContractiveSigmoidObjective_matches_general_one(images):
    torch.manual_seed(0)
    model = DenseAutoencoder(8, hidden=(), code_activation="sigmoid")
    closed = objectives.ContractiveSigmoidObjective(0.5)(model, images)
    general = objectives.ContractiveObjective(0.5)(model, images)
    assert torch.allclose(closed, general, rtol=1e-5)
