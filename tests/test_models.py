import pytest
import torch

from helpers.models import DenseAutoencoder


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


def test_uint8_images_are_refused():
    model = DenseAutoencoder(code_dim=2)
    with pytest.raises(ValueError, match="flottants"):
        model(torch.zeros(2, 1, 28, 28, dtype=torch.uint8))


@pytest.mark.parametrize("kwargs", [{"code_dim": 0}, {"code_dim": -3}, {"code_dim": 2.5},
                                    {"code_dim": 2, "hidden": (0,)}, {"code_dim": 2, "activation": "softplus2"}])
def test_bad_hyperparameters(kwargs):
    with pytest.raises(ValueError):
        DenseAutoencoder(**kwargs)


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
