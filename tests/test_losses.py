"""Chaque formule de helpers.losses comparée à un calcul indépendant."""

import math
import re

import numpy as np
import pytest
import torch
from torch import nn
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from torch.distributions import Bernoulli, Normal, kl_divergence

from helpers import losses


def exactly(message: str) -> str:
    """Motif de ``pytest.raises(match=…)`` pour ce message exactement."""
    return "^" + re.escape(message) + "$"


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


def test_mean_ssim_refuses_images_smaller_than_its_window():
    with pytest.raises(ValueError, match="au moins 7"):
        losses.mean_ssim(torch.rand(2, 1, 6, 28), torch.rand(2, 1, 6, 28))


def test_mean_ssim_bounds_and_ordering():
    torch.manual_seed(0)
    x = torch.rand(4, 1, 28, 28)
    assert losses.mean_ssim(x, x) == pytest.approx(1.0)
    slightly = (x + 0.05 * torch.randn_like(x)).clamp(0, 1)
    very = (x + 0.5 * torch.randn_like(x)).clamp(0, 1)
    assert 1.0 > losses.mean_ssim(x, slightly) > losses.mean_ssim(x, very)


@pytest.mark.parametrize("data_range", [1.0, 2.0, 255.0])
def test_psnr_matches_scikit_image(data_range):
    """scikit-image comme oracle indépendant, à d'autres plages que [0, 1] (pixels dans [0, 255],
    images centrées dans [−1, 1]) : une plage non élevée au carré serait vue."""
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(5, 1, 28, 28, generator=generator) * data_range
    y = (x + 0.05 * data_range * torch.randn(x.shape, generator=generator)).clamp(0, data_range)
    expected = [peak_signal_noise_ratio(a.numpy(), b.numpy(), data_range=data_range)
                for a, b in zip(x, y)]
    assert losses.psnr(x, y, data_range=data_range).tolist() == pytest.approx(expected, rel=1e-9)


def test_psnr_is_per_image_and_checks_shapes():
    x = torch.zeros(3, 4)
    y = torch.tensor([[0.1] * 4, [0.2] * 4, [0.0] * 4])
    assert losses.psnr(x, y).tolist() == pytest.approx([20.0, 10 * math.log10(25.0), 120.0])
    with pytest.raises(ValueError, match="x et y"):
        losses.psnr(x, y[:2])


@pytest.mark.parametrize("data_range, shape", [(255.0, (3, 1, 28, 28)), (2.0, (3, 28, 28)),
                                                (1.0, (2, 1, 16, 20)), (1.0, (4100, 1, 7, 9))])
def test_mean_ssim_matches_scikit_image(data_range, shape):
    """Moyenne des SSIM par image de scikit-image, calculés ici un à un, avec la plage donnée.
    Images peu contrastées : les constantes de stabilisation, (0,01 L)² et (0,03 L)², y pèsent.
    Les 4 100 images de côté 7 et 9 : plus d'un paquet de calcul, une seule fenêtre en hauteur."""
    generator = torch.Generator().manual_seed(1)
    x = torch.rand(shape, generator=generator) * 0.1 * data_range
    y = (x + 0.02 * data_range * torch.randn(shape, generator=generator)).clamp(0, data_range)
    a, b = x.reshape(-1, *shape[-2:]).numpy(), y.reshape(-1, *shape[-2:]).numpy()
    expected = np.mean([structural_similarity(u.astype(np.float64), v.astype(np.float64),
                                              data_range=data_range) for u, v in zip(a, b)])
    assert losses.mean_ssim(x, y, data_range=data_range) == pytest.approx(expected, rel=1e-9)
    if data_range != 1.0:  # la plage compte : l'oracle change avec elle
        assert losses.mean_ssim(x, y, data_range=data_range) != pytest.approx(
            losses.mean_ssim(x, y, data_range=1.0), rel=0.01)
    with pytest.raises(ValueError, match="x et y"):
        losses.mean_ssim(x, y[:1])


# --- Entrées refusées, une condition à la fois ---------------------------------------------


@pytest.mark.parametrize("h", [torch.full((4, 3), 1.5), torch.full((4, 3), -0.5),
                               torch.tensor([[0.0, 1.0], [1.0, 1.01]])],
                         ids=["au-dessus", "en-dessous", "a-peine-au-dessus"])
def test_sparse_penalty_refuses_each_side_of_the_unit_interval(h):
    with pytest.raises(ValueError, match=r"activations doivent être dans \[0, 1\]"):
        losses.sparse_kl_penalty(h, 0.1)


@pytest.mark.parametrize("h", [torch.rand(4), torch.rand(2, 3, 4), torch.zeros(0, 3)],
                         ids=["1d", "3d", "lot-vide"])
def test_sparse_penalty_refuses_bad_shapes(h):
    with pytest.raises(ValueError, match=r"attendu \(N, p\)"):
        losses.sparse_kl_penalty(h, 0.1)


def test_sparse_penalty_at_boundaries_is_accepted():
    """Des activations valant exactement 0 ou 1 sont dans [0, 1] : acceptées."""
    h = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    expected = 2 * (0.1 * math.log(0.1 / 0.5) + 0.9 * math.log(0.9 / 0.5))
    assert losses.sparse_kl_penalty(h, 0.1).item() == pytest.approx(expected)


def test_l1_penalty_refuses_images():
    with pytest.raises(ValueError, match=r"attendu \(N, p\)"):
        losses.l1_penalty(torch.rand(2, 1, 28, 28))


def test_bernoulli_nll_refuses_negative_pixels_but_accepts_0_and_1():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        losses.bernoulli_nll(torch.zeros(2, 4), torch.full((2, 4), -0.5))
    x = torch.tensor([[0.0, 1.0]])
    assert losses.bernoulli_nll(torch.zeros(1, 2), x).item() == pytest.approx(2 * math.log(2))


def test_negative_elbo_with_a_gaussian_decoder_uses_sigma():
    torch.manual_seed(0)
    x, mean = torch.rand(5, 8), torch.rand(5, 8)
    mu, logvar = torch.randn(5, 2), torch.randn(5, 2)
    _, reconstruction, kl = losses.negative_elbo(x, mean, mu, logvar, likelihood="gaussian", sigma=0.3)
    expected = -Normal(mean, 0.3).log_prob(x).sum(dim=1).mean()
    assert reconstruction.item() == pytest.approx(expected.item())
    assert kl.item() == pytest.approx(kl_divergence(Normal(mu, torch.exp(0.5 * logvar)),
                                                    Normal(0.0, 1.0)).sum(dim=1).mean().item())


def test_negative_elbo_refuses_codes_of_another_batch():
    with pytest.raises(ValueError, match="Tailles de lot différentes : 3 images, 2 codes"):
        losses.negative_elbo(torch.rand(3, 4), torch.zeros(3, 4), torch.zeros(2, 2), torch.zeros(2, 2))


def test_reparameterize_without_generator_uses_the_global_seed():
    mu, logvar = torch.full((50_000, 1), 1.0), torch.full((50_000, 1), math.log(9.0))
    torch.manual_seed(0)
    h = losses.reparameterize(mu, logvar)
    assert h.mean().item() == pytest.approx(1.0, abs=0.05) and h.std().item() == pytest.approx(3.0, abs=0.05)
    torch.manual_seed(0)
    assert torch.equal(losses.reparameterize(mu, logvar), h)


# --- Messages complets, valeurs par défaut, type et périphérique des tirages -----------------


@pytest.mark.parametrize("call, message", [
    (lambda: losses.psnr(torch.zeros(2, 3), torch.zeros(2, 4)),
     "Formes incompatibles pour x et y : (2, 3) et (2, 4)."),
    (lambda: losses.mean_ssim(torch.zeros(2, 8, 8), torch.zeros(1, 8, 8)),
     "Formes incompatibles pour x et y : (2, 8, 8) et (1, 8, 8)."),
    (lambda: losses.bernoulli_nll(torch.zeros(2, 3), torch.zeros(2, 4)),
     "Formes incompatibles pour logits et x : (2, 3) et (2, 4)."),
    (lambda: losses.gaussian_nll(torch.zeros(2, 3), torch.zeros(2, 4)),
     "Formes incompatibles pour mean et x : (2, 3) et (2, 4)."),
    (lambda: losses.gaussian_kl_standard(torch.zeros(3, 2), torch.zeros(3, 3)),
     "Formes incompatibles pour mu et logvar : (3, 2) et (3, 3)."),
    (lambda: losses.reparameterize(torch.zeros(3, 2), torch.zeros(3, 3)),
     "Formes incompatibles pour mu et logvar : (3, 2) et (3, 3)."),
    (lambda: losses.bernoulli_nll(torch.zeros(2, 4), torch.full((2, 4), 1.5)),
     "Le décodeur de Bernoulli demande des pixels dans [0, 1]."),
    (lambda: losses.sparse_kl_penalty(torch.full((4, 3), 1.5), 0.1),
     "La pénalité KL de parcimonie compare des moyennes de Bernoulli : les activations doivent "
     "être dans [0, 1] (reçu : min 1.5, max 1.5). Utilisez une sigmoïde sur la couche du code."),
    (lambda: losses.l1_penalty(torch.zeros(2, 1, 3)), "Codes de forme (2, 1, 3) : attendu (N, p)."),
], ids=["psnr", "ssim", "bernoulli-formes", "gauss-formes", "kl-formes", "reparam-formes",
        "bernoulli-pixels", "parcimonie", "l1"])
def test_messages_in_full(call, message):
    with pytest.raises(ValueError, match=exactly(message)):
        call()


def test_default_arguments():
    """β = 1 et σ = 1 par défaut dans la −ELBO ; plage 1 par défaut pour le PSNR et le SSIM."""
    torch.manual_seed(0)
    x, out = torch.rand(4, 6), torch.rand(4, 6)
    mu, logvar = torch.randn(4, 2), torch.randn(4, 2)
    total, reconstruction, kl = losses.negative_elbo(x, out, mu, logvar)
    assert total.item() == pytest.approx((reconstruction + kl).item())
    _, gaussian, _ = losses.negative_elbo(x, out, mu, logvar, likelihood="gaussian")
    assert gaussian.item() == pytest.approx(-Normal(out, 1.0).log_prob(x).sum(dim=1).mean().item())
    assert torch.allclose(losses.gaussian_nll(out, x), -Normal(out, 1.0).log_prob(x).sum(dim=1))
    low = torch.rand(3, 16, 16) * 0.1  # peu contrasté : la plage change le SSIM
    noisy = (low + 0.02 * torch.randn(3, 16, 16)).clamp(0, 1)
    assert losses.mean_ssim(low, noisy) == losses.mean_ssim(low, noisy, data_range=1.0)
    assert torch.equal(losses.psnr(low, noisy), losses.psnr(low, noisy, data_range=1.0))


def test_gaussian_nll_of_a_single_image():
    mean, x = torch.rand(1, 5), torch.rand(1, 5)
    assert torch.allclose(losses.gaussian_nll(mean, x, sigma=0.5), -Normal(mean, 0.5).log_prob(x).sum(dim=1))


def test_reparameterize_draws_in_the_dtype_and_on_the_device_of_mu():
    """Le tirage suit le type de μ (float64 ici, alors que le type par défaut est float32) et va
    sur son périphérique (« meta » joue un GPU : un tirage resté sur le CPU y échouerait)."""
    torch.set_default_dtype(torch.float32)  # rétabli par la fixture float64
    mu, logvar = torch.rand(3, 2, dtype=torch.float64), torch.rand(3, 2, dtype=torch.float64)
    h = losses.reparameterize(mu, logvar, torch.Generator().manual_seed(0))
    eps = torch.randn(3, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert h.dtype == torch.float64 and torch.equal(h, mu + torch.exp(0.5 * logvar) * eps)
    meta = torch.zeros(3, 2, device="meta")
    assert losses.reparameterize(meta, meta, torch.Generator().manual_seed(0)).device.type == "meta"
