import math

import pytest
import torch

from helpers.models import (VAE, ConvAutoencoder, DenseAutoencoder, SmallCNN,
                            linear_autoencoder)
from helpers.validation import PIXEL_LIMIT
from helpers.objectives import SparseKLObjective, VAEObjective
from helpers.train import fit, reconstruction_mse


@pytest.mark.parametrize("hidden", [(), (128,), (256, 128)])
def test_shapes_round_trip(images, hidden):
    model = DenseAutoencoder(code_dim=8, hidden=hidden)
    assert model.encode(images).shape == (64, 8)
    assert model(images).shape == images.shape
    flat = images.flatten(1)
    assert model(flat).shape == flat.shape
    out = model(images)
    assert out.min() >= 0 and out.max() <= 1  # sortie sigmoïde


def test_parameter_count_matches_formula():
    p = 16
    model = DenseAutoencoder(code_dim=p, hidden=(256, 128))
    expected = 2 * (784 * 256 + 256 * 128 + 128 * p) + (256 + 128 + p) + (128 + 256 + 784)
    assert sum(w.numel() for w in model.parameters()) == expected


def test_linear_autoencoder_has_no_nonlinearity(images):
    model = DenseAutoencoder(code_dim=4, hidden=(), activation="identity", output_activation="identity")
    x = images.flatten(1)
    # Un auto-encodeur sans activation est affine : g(f(a x + b y)) dépend affinement de (a, b).
    lhs = model(0.3 * x + 0.7 * x.flip(0))
    rhs = 0.3 * model(x) + 0.7 * model(x.flip(0))
    assert torch.allclose(lhs, rhs, atol=1e-5)


@pytest.mark.parametrize("bad", [torch.zeros(4, 3, 28, 28), torch.zeros(4, 28), torch.zeros(784)])
def test_wrong_shape_names_expected_and_received(bad):
    model = DenseAutoencoder(code_dim=2)
    with pytest.raises(ValueError) as info:
        model(bad)
    assert str(tuple(bad.shape)) in str(info.value) and "(N, 784)" in str(info.value)


def test_wrong_code_shape():
    model = DenseAutoencoder(code_dim=2)
    with pytest.raises(ValueError, match=r"attendu \(N, 2\)"):
        model.decode(torch.zeros(5, 3))


# --- Entrées et hyperparamètres invalides, pour chaque famille de modèles --------------------

MODELS = {
    "dense": lambda: DenseAutoencoder(code_dim=4, hidden=(16,)),
    "lineaire": lambda: linear_autoencoder(4),
    "conv": lambda: ConvAutoencoder(channels=(4, 8, 16)),
    "vae": lambda: VAE(latent_dim=2, hidden=(16,)),
    "cnn": lambda: SmallCNN(channels=(4, 8)),
}
PIXELS_0_255 = r"les pixels doivent être dans \[0, 1\] et non dans \[0, 255\]\. Divisez les images par 255"
UINT8 = r"torch.uint8 : convertissez les images en flottants dans \[0, 1\] \(par exemple x.float\(\) / 255\)"


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_uint8_images_are_refused(make):
    with pytest.raises(ValueError, match=UINT8):
        make()(torch.zeros(2, 1, 28, 28, dtype=torch.uint8))


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_images_in_0_255_are_refused(images, make):
    with pytest.raises(ValueError, match=r"maximale 25\d.* : " + PIXELS_0_255):
        make()(images * 255)


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_pixels_slightly_outside_unit_interval_are_accepted(images, make):
    """Comportement documenté (``check_pixels``) : images centrées et bruit non ramené dans [0, 1]
    sont admis ; seul un maximum au-delà de PIXEL_LIMIT = 10 trahit l'échelle [0, 255]."""
    noisy = images + 1.0 * torch.randn(images.shape, generator=torch.Generator().manual_seed(0))
    for x in (images - images.mean(), noisy, torch.full_like(images, PIXEL_LIMIT)):
        make()(x)


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_wrong_channel_count(make):
    with pytest.raises(ValueError, match=r"\(2, 3, 28, 28\).*attendu.*\(N, 1, 28, 28\)"):
        make()(torch.rand(2, 3, 28, 28))


@pytest.mark.parametrize("make, kwargs", [
    (DenseAutoencoder, {"code_dim": 0}),
    (DenseAutoencoder, {"code_dim": -3}),
    (DenseAutoencoder, {"code_dim": 2.5}),
    (DenseAutoencoder, {"code_dim": 2, "hidden": (0,)}),
    (linear_autoencoder, {"code_dim": 0}),
    (linear_autoencoder, {"code_dim": -1}),
    (ConvAutoencoder, {"channels": (16, 32, 0)}),
    (ConvAutoencoder, {"channels": (16, 32, -4)}),
    (VAE, {"latent_dim": 0}),
    (VAE, {"latent_dim": -2}),
])
def test_code_size_must_be_positive(make, kwargs):
    with pytest.raises(ValueError, match="doit être un entier strictement positif"):
        make(**kwargs)


def test_unknown_activation():
    with pytest.raises(ValueError, match="Activation inconnue 'softplus2' ; choix possibles"):
        DenseAutoencoder(code_dim=2, activation="softplus2")


@pytest.mark.parametrize("make, loss", [
    (MODELS["dense"], reconstruction_mse),
    (MODELS["conv"], reconstruction_mse),
    (MODELS["vae"], VAEObjective()),
    (lambda: DenseAutoencoder(4, (16,), code_activation="sigmoid"), SparseKLObjective(0.1, 0.1)),
], ids=["dense", "conv", "vae", "dense-parcimonieux"])
def test_batch_of_one_forward_and_training_step(images, make, loss):
    torch.manual_seed(0)
    model = make()
    before = [w.detach().clone() for w in model.parameters()]
    output = model(images[:1])
    assert (output[0] if isinstance(output, tuple) else output).shape[0] == 1
    history = fit(model, images[:1], epochs=1, batch_size=1, loss=loss, progress=False)
    assert math.isfinite(history.train_loss[0])
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))  # un vrai pas


def test_conv_autoencoder_shapes_and_parameter_counts(images):
    from helpers.models import ConvAutoencoder

    model = ConvAutoencoder()
    assert model.encode(images).shape == (64, 64)
    assert model(images).shape == images.shape
    counts = [sum(p.numel() for p in layer.parameters())
              for layer in [*model.encoder, *model.decoder] if any(True for _ in layer.parameters())]
    # (k·k·c_in + 1)·c_out pour chaque convolution.
    assert counts == [160, 4_640, 100_416, 200_768, 18_464, 289]
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        model(images.flatten(1))


def test_vae_shapes_and_linear_autoencoder(images):
    from helpers.models import VAE, linear_autoencoder

    vae = VAE(latent_dim=2)
    logits, mu, logvar = vae(images)
    assert logits.shape == (64, 784) and mu.shape == logvar.shape == (64, 2)
    with pytest.raises(ValueError, match=r"attendu \(N, 2\)"):
        vae.decode(torch.zeros(3, 5))
    linear = linear_autoencoder(5)
    assert not any(isinstance(m, torch.nn.ReLU) for m in linear.modules())
