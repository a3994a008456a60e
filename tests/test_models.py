import math

import pytest
import torch

from helpers.models import (VAE, ConvAutoencoder, DenseAutoencoder, SmallCNN,
                            init_output_bias, linear_autoencoder)
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


def test_conditional_vae_feeds_the_one_hot_label_to_encoder_and_decoder(images):
    torch.manual_seed(0)
    cvae = VAE(latent_dim=2, hidden=(16,), num_classes=10)
    labels = torch.arange(64) % 10
    logits, mu, logvar = cvae(images, labels)
    assert logits.shape == (64, 784) and mu.shape == logvar.shape == (64, 2)
    # Le premier poids du décodeur voit h puis le vecteur one-hot : changer y seul change la sortie,
    # exactement de la différence des colonnes de ces deux étiquettes.
    first = cvae.decoder[0][0]
    h = torch.zeros(1, 2)
    pre = [first(torch.cat([h, torch.nn.functional.one_hot(torch.tensor([k]), 10).float()], 1))
           for k in (3, 8)]
    assert torch.allclose(pre[1] - pre[0], first.weight[:, 2 + 8] - first.weight[:, 2 + 3])
    assert not torch.allclose(cvae.decode(h, torch.tensor([3])), cvae.decode(h, torch.tensor([8])))
    # Même entrée x, étiquettes différentes : des lois q_φ(h | x, y) différentes.
    assert not torch.allclose(cvae.encode(images[:1], torch.tensor([0]))[0],
                              cvae.encode(images[:1], torch.tensor([1]))[0])
    assert cvae.body[0].in_features == 784 + 10 and first.in_features == 2 + 10


@pytest.mark.parametrize("labels, message", [
    (None, "donnez aussi les étiquettes"),
    (torch.zeros(64), "attendu des entiers"),
    (torch.zeros(63, dtype=torch.long), "attendu des entiers de forme \\(64,\\)"),
    (torch.full((64,), 10), "hors de 0…9"),
    (torch.full((64,), -1), "hors de 0…9"),
])
def test_conditional_vae_rejects_bad_labels_in_french(images, labels, message):
    with pytest.raises(ValueError, match=message):
        VAE(latent_dim=2, hidden=(16,), num_classes=10)(images, labels)


def test_plain_vae_refuses_labels_and_conditional_vae_refuses_bad_sizes(images):
    with pytest.raises(ValueError, match="n'est pas conditionnel"):
        VAE(latent_dim=2, hidden=(16,))(images, torch.zeros(64, dtype=torch.long))
    with pytest.raises(ValueError, match="num_classes"):
        VAE(latent_dim=2, num_classes=-1)
    with pytest.raises(ValueError, match="input_dim"):
        VAE(latent_dim=2, input_dim=0)


def test_conditional_vae_objective_and_test_elbo_use_the_labels(images):
    from helpers.evaluation import vae_elbo
    from helpers.losses import negative_elbo

    torch.manual_seed(0)
    cvae = VAE(latent_dim=2, hidden=(16,), num_classes=10)
    labels = torch.arange(64) % 10
    torch.manual_seed(1)
    loss = VAEObjective()(cvae, images, labels)
    torch.manual_seed(1)
    logits, mu, logvar = cvae(images, labels)
    assert loss.item() == pytest.approx(negative_elbo(images.flatten(1), logits, mu, logvar)[0].item())
    history = fit(cvae, images, epochs=1, batch_size=32, targets=labels, loss=VAEObjective(),
                  progress=False)
    assert len(history.train_loss) == 1
    assert vae_elbo(cvae, images, labels)["elbo"] != vae_elbo(cvae, images, (labels + 1) % 10)["elbo"]
    with pytest.raises(ValueError, match="63 étiquettes pour 64 images"):
        vae_elbo(cvae, images, labels[:63])


def test_wrong_channel_counts_and_empty_batches_get_french_errors():
    from helpers.models import flatten_images

    with pytest.raises(ValueError, match="3 nombres de canaux"):
        ConvAutoencoder(channels=(16, 32))
    with pytest.raises(ValueError, match="2 nombres de canaux"):
        SmallCNN(channels=(16, 32, 64))
    assert flatten_images(torch.zeros(0, 1, 28, 28), 784).shape == (0, 784)


# --- Normalisation par lot et biais de sortie initialisé sur l'image moyenne ---------------------


def test_batchnorm_after_each_hidden_layer_only(images):
    model = DenseAutoencoder(code_dim=30, hidden=(64, 32), batchnorm=True)
    for side in (model.encoder, model.decoder):
        kinds = [type(layer).__name__ for layer in side]
        assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Linear", "BatchNorm1d", "ReLU",
                         "Linear", kinds[-1]]
        assert [bn.num_features for bn in side if isinstance(bn, torch.nn.BatchNorm1d)] == \
            [layer.out_features for layer in side if isinstance(layer, torch.nn.Linear)][:2]
    assert not any(isinstance(m, torch.nn.BatchNorm1d)
                   for m in DenseAutoencoder(code_dim=30, hidden=(64, 32)).modules())
    model.eval()
    out = model(images[:1])
    assert out.shape == images[:1].shape and 0 <= out.min() and out.max() <= 1


@pytest.mark.parametrize("make, output", [
    (lambda: DenseAutoencoder(code_dim=4, hidden=(16,)), lambda m, x: m(x).flatten(1)),
    (lambda: DenseAutoencoder(code_dim=4, hidden=(16,), batchnorm=True), lambda m, x: m(x).flatten(1)),
    (lambda: VAE(latent_dim=3, hidden=(16,)), lambda m, x: torch.sigmoid(m.decode(m.encode(x)[0]))),
])
def test_init_output_bias_makes_the_untrained_model_output_the_mean_image(make, output):
    """Derniers poids du décodeur nuls : la sortie ne dépend plus que du biais, et vaut l'image
    moyenne calculée ici directement, bornée à [10⁻³, 1 − 10⁻³] (pixels toujours noirs)."""
    torch.manual_seed(0)
    images = torch.rand(50, 1, 28, 28)
    images[:, :, :3] = 0.0  # trois lignes noires sur toutes les images
    model = make()
    init_output_bias(model, images)
    last = [m for m in model.decoder.modules() if isinstance(m, torch.nn.Linear)][-1]
    with torch.no_grad():
        last.weight.zero_()
    model.eval()
    expected = images.flatten(1).mean(dim=0).clamp(1e-3, 1 - 1e-3)
    got = output(model, images[:5])
    assert torch.allclose(got, expected.expand(5, -1), atol=1e-6)
    assert got[:, :84].max().item() == pytest.approx(1e-3)


def test_init_output_bias_gives_a_convolutional_output_the_mean_pixel():
    """Une convolution transposée à un canal n'a qu'un biais : sortie uniforme au pixel moyen."""
    torch.manual_seed(0)
    images = torch.rand(50, 1, 28, 28) ** 3  # pixel moyen 1/4, loin de 0,5
    model = ConvAutoencoder(channels=(4, 8, 6))
    init_output_bias(model, images)
    with torch.no_grad():
        model.decoder[-2].weight.zero_()
        got = model(images[:5])
    assert torch.allclose(got, images.mean().expand_as(got), atol=1e-6)


class _WideConvDecoder(torch.nn.Module):
    def __init__(self, out_channels, bias=True):
        super().__init__()
        self.decoder = torch.nn.Sequential(torch.nn.ConvTranspose2d(4, out_channels, 3, bias=bias))


def test_init_output_bias_refuses_models_and_images_it_cannot_use(images):
    with pytest.raises(ValueError, match="un canal"):
        init_output_bias(_WideConvDecoder(out_channels=3), images)
    with pytest.raises(ValueError, match="pas de biais"):
        init_output_bias(_WideConvDecoder(out_channels=1, bias=False), images)
    with pytest.raises(ValueError, match="décodeur"):
        init_output_bias(SmallCNN(), images)
    with pytest.raises(ValueError, match="Aucune image"):
        init_output_bias(VAE(latent_dim=2), images[:0])
    with pytest.raises(ValueError, match="255"):
        init_output_bias(VAE(latent_dim=2), images * 255)
    with pytest.raises(ValueError, match="forme"):
        init_output_bias(VAE(latent_dim=2), images[:, :, :14])
