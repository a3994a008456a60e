import pytest
import torch
from torch import nn

from helpers import inversion


@pytest.fixture
def problem():
    torch.manual_seed(0)
    decoder_net = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 20), nn.Sigmoid())
    for p in decoder_net.parameters():
        p.requires_grad_(False)
    true_codes = torch.randn(12, 2)
    targets = decoder_net(true_codes) + 0.01 * torch.randn(12, 20)
    init = true_codes + 0.5 * torch.randn(12, 2)
    return decoder_net, targets, init


def test_batched_equals_per_image_loop(problem):
    decoder, targets, init = problem
    batched = inversion.invert_batched(decoder, targets, init, steps=40, lr=0.05)
    loop = inversion.invert_loop(decoder, targets, init, steps=40, lr=0.05)
    assert torch.allclose(batched.codes, loop.codes, atol=1e-5)
    assert torch.allclose(batched.errors, loop.errors, atol=1e-6)


def test_methods_lower_the_error(problem):
    decoder, targets, init = problem
    before = inversion.decoding_errors(decoder, init, targets)
    for result in (inversion.invert_batched(decoder, targets, init, steps=200),
                   inversion.invert_lbfgs(decoder, targets, init, steps=50)):
        assert result.errors.sum() < 0.5 * before.sum()
        gain = inversion.relative_gain(before, result.errors)
        assert gain.mean() < 0 and gain.min() >= -1


def test_fixed_point_solves_encoder_equation_not_least_squares():
    # D(u) = (u, 0), E(x) = x1 + x2 : le point fixe vérifie E(D(u)) = E(z), soit u = z1 + z2,
    # alors que le minimiseur de ‖D(u) − z‖² est u = z1.
    def decoder(u):
        return torch.cat([u, torch.zeros_like(u)], dim=1)

    def encoder(x):
        return x.sum(dim=1, keepdim=True)

    z = torch.tensor([[1.0, 2.0], [0.5, -1.0]])
    result, history = inversion.fixed_point(encoder, decoder, z, torch.zeros(2, 1), steps=5)
    assert torch.allclose(result.codes, z.sum(dim=1, keepdim=True))
    assert not torch.allclose(result.codes, z[:, :1])
    assert len(history) == 6
    ratios = inversion.contraction_ratios(encoder, decoder, torch.zeros(3, 1))
    assert torch.allclose(ratios, torch.zeros(3))  # E∘D = Id : Id − E∘D est nulle


def test_contraction_ratio_of_linear_maps():
    A = torch.tensor([[0.5, 0.0], [0.0, 0.8]])  # E∘D = A, donc Id − E∘D = diag(0,5 ; 0,2)
    ratios = inversion.contraction_ratios(lambda x: x, lambda u: u @ A.T, torch.zeros(500, 2))
    assert ratios.max() <= 0.5 + 1e-6 and ratios.min() >= 0.2 - 1e-6


def test_bad_inputs(problem):
    decoder, targets, init = problem
    with pytest.raises(ValueError, match="même N"):
        inversion.invert_batched(decoder, targets, init[:5])
    with pytest.raises(ValueError, match="lr"):
        inversion.invert_batched(decoder, targets, init, lr=0.0)
    with pytest.raises(ValueError, match="steps"):
        inversion.invert_lbfgs(decoder, targets, init, steps=0)
    with pytest.raises(ValueError, match="incompatibles"):
        inversion.relative_gain(torch.ones(3), torch.ones(4))


def test_chunking_does_not_change_the_result(problem):
    decoder, targets, init = problem
    whole = inversion.invert_batched(decoder, targets, init, steps=30, chunk_size=1000)
    chunked = inversion.invert_batched(decoder, targets, init, steps=30, chunk_size=5)
    assert torch.allclose(whole.codes, chunked.codes, atol=1e-6)
