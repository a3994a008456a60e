"""Chaque formule de helpers.losses comparée à un calcul indépendant."""

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.distributions import Bernoulli, Normal, kl_divergence

from helpers import losses

@pytest.fixture(autouse=True)
def float64():
    """Ces comparaisons se font en double précision ; le type par défaut est rétabli ensuite."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


# --- Parcimonie ------------------------------------------------------------------------------


def test_bernoulli_kl_matches_torch_distributions():
    rho_hat = torch.linspace(0.01, 0.99, 50)
    expected = kl_divergence(Bernoulli(probs=torch.full_like(rho_hat, 0.1)), Bernoulli(probs=rho_hat))
    assert torch.allclose(losses.bernoulli_kl(0.1, rho_hat), expected, atol=1e-12)


def test_bernoulli_kl_is_zero_only_at_rho_and_convex():
    rho_hat = torch.linspace(0.001, 0.999, 999)
    kl = losses.bernoulli_kl(0.3, rho_hat)
    assert kl.min() >= 0 and rho_hat[kl.argmin()].item() == pytest.approx(0.3, abs=1e-3)
    assert (kl[2:] - 2 * kl[1:-1] + kl[:-2]).min() > 0  # différences secondes positives


def test_sparse_penalty_gradient_matches_formula():
    h = torch.rand(32, 5).requires_grad_()
    rho = 0.05
    losses.sparse_kl_penalty(h, rho).backward()
    rho_hat = h.detach().mean(dim=0)
    # ∂Ω/∂h_ij = (1/m) (−ρ/ρ̂_j + (1−ρ)/(1−ρ̂_j))
    expected = (-rho / rho_hat + (1 - rho) / (1 - rho_hat)) / len(h)
    assert torch.allclose(h.grad, expected.expand_as(h), rtol=1e-10)


def test_sparse_penalty_is_finite_when_activations_saturate():
    for value in (0.0, 1.0):
        h = torch.full((8, 3), value, requires_grad=True)
        penalty = losses.sparse_kl_penalty(h, 0.1)
        penalty.backward()
        assert torch.isfinite(penalty) and torch.isfinite(h.grad).all()


@pytest.mark.parametrize("rho", [0.0, 1.0, -0.1, 1.5, math.nan])
def test_rho_outside_unit_interval(rho):
    with pytest.raises(ValueError, match="rho doit être strictement compris entre 0 et 1"):
        losses.sparse_kl_penalty(torch.rand(4, 3), rho)


def test_activations_outside_unit_interval():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        losses.sparse_kl_penalty(torch.randn(4, 3) * 3, 0.1)


def test_l1_penalty_is_mean_of_row_norms():
    h = torch.tensor([[1.0, -2.0], [0.0, 3.0]])
    assert losses.l1_penalty(h).item() == pytest.approx(3.0)


# --- Contraction -----------------------------------------------------------------------------


def test_contractive_closed_form_matches_autograd_jacobian():
    torch.manual_seed(0)
    layer = nn.Linear(20, 7)
    x = torch.rand(6, 20)
    closed = losses.contractive_penalty_sigmoid(x, layer)
    encoder = nn.Sequential(layer, nn.Sigmoid())
    brute = torch.stack([
        torch.autograd.functional.jacobian(encoder, xi).pow(2).sum() for xi in x
    ]).mean()
    assert abs(closed - brute) / brute < 1e-5
    assert abs(losses.contractive_penalty(encoder, x) - brute) / brute < 1e-5


def test_contractive_penalty_of_linear_encoder_is_frobenius_norm():
    layer = nn.Linear(10, 3)
    assert losses.contractive_penalty(layer, torch.rand(4, 10)).item() == pytest.approx(
        layer.weight.pow(2).sum().item()
    )


def test_contractive_penalty_is_differentiable_in_parameters():
    layer = nn.Linear(10, 3)
    losses.contractive_penalty(nn.Sequential(layer, nn.Tanh()), torch.rand(4, 10)).backward()
    assert layer.weight.grad is not None and layer.weight.grad.abs().sum() > 0


def test_contractive_sigmoid_shape_error():
    with pytest.raises(ValueError, match=r"\(N, 20\)"):
        losses.contractive_penalty_sigmoid(torch.rand(3, 10), nn.Linear(20, 2))


# --- VAE -------------------------------------------------------------------------------------


def test_gaussian_kl_matches_torch_and_monte_carlo():
    torch.manual_seed(0)
    mu, logvar = torch.randn(4, 3), torch.randn(4, 3)
    closed = losses.gaussian_kl_standard(mu, logvar)
    q = Normal(mu, torch.exp(0.5 * logvar))
    expected = kl_divergence(q, Normal(0.0, 1.0)).sum(dim=1)
    assert torch.allclose(closed, expected, atol=1e-12)
    h = q.sample((200_000,))
    monte_carlo = (q.log_prob(h) - Normal(0.0, 1.0).log_prob(h)).sum(dim=2).mean(dim=0)
    assert torch.allclose(closed, monte_carlo, atol=0.03)


def test_gaussian_kl_is_zero_for_the_prior():
    assert losses.gaussian_kl_standard(torch.zeros(2, 5), torch.zeros(2, 5)).abs().max() == 0


def test_reparameterize_moments_and_gradient():
    mu = torch.tensor([[1.0, -2.0]], requires_grad=True)
    logvar = torch.tensor([[0.0, math.log(4.0)]], requires_grad=True)
    generator = torch.Generator().manual_seed(0)
    h = losses.reparameterize(mu.expand(100_000, 2), logvar.expand(100_000, 2), generator)
    assert torch.allclose(h.mean(0), mu.detach()[0], atol=0.02)
    assert torch.allclose(h.std(0), torch.tensor([1.0, 2.0]), atol=0.02)
    h.sum().backward()
    assert torch.allclose(mu.grad, torch.tensor([[100_000.0, 100_000.0]]))
    # ∂h/∂logvar = ½ σ ε, dont la somme sur les tirages est proche de 0
    assert logvar.grad.abs().max() < 0.02 * 100_000


def test_bernoulli_and_gaussian_nll_match_torch_distributions():
    torch.manual_seed(0)
    x = torch.randint(0, 2, (3, 1, 4, 4)).double()
    logits = torch.randn(3, 1, 4, 4)
    expected = -Bernoulli(logits=logits).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(losses.bernoulli_nll(logits, x), expected)
    mean = torch.rand(3, 16)
    xs = torch.rand(3, 16)
    expected = -Normal(mean, 0.3).log_prob(xs).sum(1)
    assert torch.allclose(losses.gaussian_nll(mean, xs, sigma=0.3), expected)


def test_negative_elbo_parts_and_beta():
    torch.manual_seed(0)
    x, logits = torch.rand(5, 8), torch.randn(5, 8)
    mu, logvar = torch.randn(5, 2), torch.randn(5, 2)
    total, reconstruction, kl = losses.negative_elbo(x, logits, mu, logvar, beta=2.5)
    assert total.item() == pytest.approx(reconstruction.item() + 2.5 * kl.item())
    assert reconstruction.item() == pytest.approx(losses.bernoulli_nll(logits, x).mean().item())


def test_elbo_is_below_exact_log_likelihood_of_a_tiny_model():
    """Modèle h ~ N(0, 1), x ∈ {0,1}³ avec p(x_k = 1 | h) = σ(a_k h + b_k) : log p(x) par quadrature."""
    a, b = torch.tensor([2.0, -1.5, 0.7]), torch.tensor([0.3, 0.5, -1.0])
    x = torch.tensor([1.0, 0.0, 1.0])
    nodes, weights = np.polynomial.hermite_e.hermegauss(120)  # ∫ φ(h) F(h) dh exacte à 1e-12 près
    h_nodes = torch.tensor(nodes)
    log_lik = -losses.bernoulli_nll(a * h_nodes[:, None] + b, x.expand(len(nodes), 3))
    log_px = math.log((torch.tensor(weights) / math.sqrt(2 * math.pi) * log_lik.exp()).sum().item())
    generator = torch.Generator().manual_seed(0)
    for mu, logvar in [(0.0, 0.0), (0.8, -1.0), (-1.0, 0.5), (0.4, -2.0)]:
        m, lv = torch.full((50_000, 1), mu), torch.full((50_000, 1), logvar)
        h = losses.reparameterize(m, lv, generator)
        _, reconstruction, kl = losses.negative_elbo(x.expand(50_000, 3), a * h + b, m, lv)
        elbo = -(reconstruction + kl).item()
        assert elbo < log_px
        # L'écart est KL(q ‖ p(h|x)), calculé lui aussi par quadrature.
        s = math.exp(0.5 * logvar)
        hq = torch.tensor(mu + s * nodes)
        log_q = Normal(mu, s).log_prob(hq)
        log_post = -losses.bernoulli_nll(a * hq[:, None] + b, x.expand(len(nodes), 3)) \
            + Normal(0.0, 1.0).log_prob(hq) - log_px
        gap = ((log_q - log_post) * torch.tensor(weights) / math.sqrt(2 * math.pi)).sum().item()
        assert elbo + gap == pytest.approx(log_px, abs=0.02)


def test_vae_bad_inputs():
    mu = torch.zeros(3, 2)
    for beta in (-1.0, math.nan):
        with pytest.raises(ValueError, match="Le poids beta doit être un réel positif ou nul"):
            losses.negative_elbo(torch.rand(3, 4), torch.zeros(3, 4), mu, mu, beta=beta)
    with pytest.raises(ValueError, match="Formes incompatibles"):
        losses.negative_elbo(torch.rand(3, 4), torch.zeros(3, 5), mu, mu)
    with pytest.raises(ValueError, match="mu et logvar"):
        losses.gaussian_kl_standard(mu, torch.zeros(3, 3))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        losses.bernoulli_nll(torch.zeros(2, 4), torch.full((2, 4), 255.0))
    with pytest.raises(ValueError, match="sigma"):
        losses.gaussian_nll(torch.zeros(2, 4), torch.zeros(2, 4), sigma=0.0)
    with pytest.raises(ValueError, match="Vraisemblance"):
        losses.negative_elbo(torch.rand(3, 4), torch.zeros(3, 4), mu, mu, likelihood="poisson")


# --- PSNR ------------------------------------------------------------------------------------


def test_psnr_known_values():
    x = torch.zeros(2, 1, 4, 4)
    y = torch.stack([torch.full((1, 4, 4), 0.1), torch.full((1, 4, 4), 0.01)])
    assert torch.allclose(losses.psnr(x, y), torch.tensor([20.0, 40.0]))
    assert torch.isfinite(losses.psnr(x, x)).all()


def test_mean_ssim_bounds_and_ordering():
    torch.manual_seed(0)
    x = torch.rand(4, 1, 28, 28)
    assert losses.mean_ssim(x, x) == pytest.approx(1.0)
    slightly = (x + 0.05 * torch.randn_like(x)).clamp(0, 1)
    very = (x + 0.5 * torch.randn_like(x)).clamp(0, 1)
    assert 1.0 > losses.mean_ssim(x, slightly) > losses.mean_ssim(x, very)
