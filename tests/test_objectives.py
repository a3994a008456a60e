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
    # Ni booléen ni texte :
    (objectives.SparseKLObjective, {"rho": True, "beta": 0.1}, RHO),
    (objectives.SparseKLObjective, {"rho": "0.1", "beta": 0.1}, RHO),
    (objectives.SparseL1Objective, {"beta": True}, BETA),
    (objectives.DenoisingObjective, {"sigma": "0.1"}, SIGMA),
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


@pytest.mark.parametrize("model", [
    DenseAutoencoder(8, hidden=(32,), code_activation="sigmoid"),    # une couche cachée
    DenseAutoencoder(8, hidden=(), code_activation="relu"),          # pas de sigmoïde
    VAE(2, (16,)),                                                   # pas d'attribut encoder
], ids=["couche-cachee", "relu", "sans-encodeur"])
def test_closed_form_contractive_penalty_refuses_other_encoders(images, model):
    """La forme close ne vaut que pour Linear puis Sigmoid : ailleurs elle donnerait une pénalité
    fausse sans rien dire (0,725 au lieu de 0,114 avec une couche cachée)."""
    with pytest.raises(ValueError, match="une seule couche sigmoïde.*Utilisez ContractiveObjective"):
        objectives.ContractiveSigmoidObjective(0.5)(model, images)


def _mse(model, x):
    return (model(x) - x).pow(2).mean()


def test_objectives_against_their_formulas(images):
    """Chaque objectif vaut MSE + β × pénalité, la pénalité calculée ici directement."""
    torch.manual_seed(0)
    model = DenseAutoencoder(8, hidden=(), code_activation="sigmoid")
    h = model.encode(images)
    rho_hat = h.mean(dim=0)
    kl = (0.05 * torch.log(0.05 / rho_hat) + 0.95 * torch.log(0.95 / (1 - rho_hat))).sum()
    value = objectives.SparseKLObjective(rho=0.05, beta=0.3)(model, images)
    assert value.item() == pytest.approx((_mse(model, images) + 0.3 * kl).item(), rel=1e-5)
    value = objectives.SparseL1Objective(beta=0.2)(model, images)
    assert value.item() == pytest.approx((_mse(model, images) + 0.2 * h.abs().sum(dim=1).mean()).item(), rel=1e-5)
    W = model.encoder[0].weight
    jacobian_norms = ((h * (1 - h)).pow(2) * W.pow(2).sum(dim=1)).sum(dim=1).mean()
    for objective in (objectives.ContractiveObjective(0.7), objectives.ContractiveSigmoidObjective(0.7)):
        assert objective(model, images).item() == pytest.approx(
            (_mse(model, images) + 0.7 * jacobian_norms).item(), rel=1e-4)


def test_denoising_feeds_noisy_images_and_compares_with_clean_ones(images):
    seen = []

    class Recording(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.tensor(0.5))

        def forward(self, x):
            seen.append(x)
            return self.w * x

    model = Recording()
    torch.manual_seed(3)
    value = objectives.DenoisingObjective(sigma=0.4)(model, images)
    (noisy,) = seen
    assert noisy.min() >= 0 and noisy.max() <= 1 and not torch.equal(noisy, images)
    assert value.item() == pytest.approx((0.5 * noisy - images).pow(2).mean().item(), rel=1e-6)
    torch.manual_seed(3)  # même tirage que add_gaussian_noise sans générateur
    expected = (images + 0.4 * torch.randn(images.shape)).clamp(0, 1)
    assert torch.allclose(noisy, expected)
    objectives.DenoisingObjective(sigma=0.4, clip=False)(model, images)
    assert seen[-1].min() < 0
    assert objectives.DenoisingObjective(0.0)(model, images).item() == pytest.approx(
        (0.5 * images - images).pow(2).mean().item())


def test_vae_loss_weights_the_kl_by_beta(images):
    from helpers.losses import negative_elbo

    torch.manual_seed(0)
    model = VAE(2, (16,))
    values = []
    for beta in (1.0, 3.0):
        torch.manual_seed(1)
        values.append(objectives.VAEObjective(beta)(model, images).item())
    torch.manual_seed(1)
    logits, mu, logvar = model(images)
    _, reconstruction, kl = negative_elbo(images.flatten(1), logits, mu, logvar)
    assert values == pytest.approx([(reconstruction + kl).item(), (reconstruction + 3 * kl).item()], rel=1e-5)


def test_objectives_are_frozen_and_described_by_their_repr():
    objective = objectives.SparseKLObjective(rho=0.05, beta=0.001)
    assert repr(objective) == "SparseKLObjective(rho=0.05, beta=0.001)"
    assert objective == objectives.SparseKLObjective(0.05, 0.001)
    with pytest.raises(AttributeError):
        objective.beta = 1.0
