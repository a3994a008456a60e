import math
import re
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers.checkpoints import fit_cached, load_half, save_half
from helpers.models import VAE, ConvAutoencoder, DenseAutoencoder, SmallCNN
from helpers.objectives import SparseKLObjective, VAEObjective
from helpers.train import (classification_loss, encode, evaluate, fit, minibatches, predict,
                           reconstruct, reconstruction_bce, reconstruction_mse)


def exactly(message: str) -> str:
    """Motif de ``pytest.raises(match=…)`` pour ce message exactement."""
    return "^" + re.escape(message) + "$"


def test_minibatches_cover_every_index_once():
    batches = list(minibatches(10, 4, torch.Generator().manual_seed(0)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(torch.cat(batches).tolist()) == list(range(10))


def test_training_lowers_the_loss(images):
    torch.manual_seed(0)
    model = DenseAutoencoder(code_dim=4, hidden=(32,))
    before = evaluate(model, images)
    history = fit(model, images, epochs=30, batch_size=16, lr=3e-3, test_images=images, progress=False)
    assert len(history.train_loss) == len(history.test_loss) == 30
    assert history.test_loss[-1] < 0.5 * before
    assert history.test_loss[-1] == pytest.approx(evaluate(model, images))


@pytest.mark.parametrize("make, loss", [
    (lambda: DenseAutoencoder(code_dim=4, hidden=(32,)), reconstruction_mse),
    (lambda: ConvAutoencoder(channels=(4, 8, 16)), reconstruction_mse),
    (lambda: VAE(latent_dim=2, hidden=(32,)), VAEObjective()),  # tirages ε compris
], ids=["dense", "conv", "vae"])
def test_same_seed_same_losses(images, make, loss):
    """Sur le CPU, la même graine donne exactement les mêmes pertes ; une autre graine (ordre des
    mini-lots, ou initialisation et tirages) en donne d'autres : le test peut échouer."""
    def run(init_seed, seed):
        torch.manual_seed(init_seed)
        history = fit(make(), images, epochs=3, batch_size=16, loss=loss, progress=False, seed=seed)
        return history.train_loss

    reference = run(1, 5)
    assert run(1, 5) == reference
    assert run(1, 6) != reference and run(2, 5) != reference


def test_evaluate_weights_batches_by_size(images):
    model = DenseAutoencoder(code_dim=4, hidden=(32,))
    assert evaluate(model, images, batch_size=7) == pytest.approx(evaluate(model, images, batch_size=64))


def test_callback_and_helpers(images):
    seen = []
    model = DenseAutoencoder(code_dim=3, hidden=(16,))
    fit(model, images, epochs=2, progress=False, on_epoch_end=lambda e, m: seen.append(e))
    assert seen == [1, 2]
    assert encode(model, images, batch_size=10).shape == (64, 3)
    assert reconstruct(model, images, batch_size=10).shape == images.shape


def test_batch_larger_than_dataset_is_one_batch(images):
    """Comportement documenté de ``fit`` : chaque époque fait alors un seul lot, de toutes les images."""
    sizes = []

    def counting_loss(model, x):
        sizes.append(len(x))
        return reconstruction_mse(model, x)

    model = DenseAutoencoder(code_dim=3, hidden=(16,))
    history = fit(model, images[:5], epochs=2, batch_size=1000, loss=counting_loss, progress=False)
    assert sizes == [5, 5]
    assert all(math.isfinite(value) for value in history.train_loss)


@pytest.fixture(params=["fit", "fit_cached"])
def train(request, tmp_path, monkeypatch):
    """Les deux points d'entrée de l'entraînement, ``fit_cached`` avec un cache temporaire."""
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path))
    if request.param == "fit":
        return fit
    return lambda model, images, **options: fit_cached("ae", model, images, **options)


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs doit être un entier strictement positif"),
    ({"epochs": 1, "batch_size": 0}, "batch_size doit être un entier strictement positif"),
    ({"epochs": 1, "lr": 0.0}, "taux d'apprentissage lr doit être un réel strictement positif"),
    ({"epochs": 1, "lr": -1e-3}, "taux d'apprentissage lr doit être un réel strictement positif"),
    ({"epochs": 1, "lr": math.nan}, "taux d'apprentissage lr doit être un réel strictement positif"),
    ({"epochs": 1, "lr": math.inf}, "taux d'apprentissage lr doit être un réel strictement positif"),
    # Ni booléen, ni texte, ni flottant là où un entier est attendu :
    ({"epochs": True}, r"epochs doit être un entier strictement positif \(reçu : True\)"),
    ({"epochs": 2.0}, r"epochs doit être un entier strictement positif \(reçu : 2.0\)"),
    ({"epochs": 1, "batch_size": "16"}, "batch_size doit être un entier strictement positif"),
    ({"epochs": 1, "lr": True}, "taux d'apprentissage lr doit être un réel strictement positif"),
    ({"epochs": 1, "lr": "1e-3"}, r"strictement positif \(reçu : '1e-3'\)"),
])
def test_bad_hyperparameters(images, train, kwargs, match):
    with pytest.raises(ValueError, match=match):
        train(DenseAutoencoder(code_dim=2), images, progress=False, **kwargs)


def test_empty_training_set(train):
    with pytest.raises(ValueError, match="L'ensemble d'entraînement est vide"):
        train(DenseAutoencoder(code_dim=2), torch.zeros(0, 1, 28, 28), epochs=1, progress=False)


@pytest.mark.parametrize("dtype, match", [
    (torch.float32, r"pixels doivent être dans \[0, 1\] et non dans \[0, 255\]"),
    (torch.uint8, "convertissez les images en flottants"),
])
def test_images_in_0_255_are_refused_by_training(images, train, dtype, match):
    """Refusées avant tout calcul, même quand la perte n'appelle pas ``model(x)`` (parcimonie)."""
    model = DenseAutoencoder(code_dim=4, hidden=(16,), code_activation="sigmoid")
    with pytest.raises(ValueError, match=match):
        train(model, (images * 255).to(dtype), epochs=1, loss=SparseKLObjective(0.1, 0.1),
              progress=False)


def test_divergence_is_reported_not_hidden(images):
    model = DenseAutoencoder(code_dim=2, hidden=(8,), output_activation="identity")
    with pytest.raises(FloatingPointError, match="divergé. Réduisez le taux d'apprentissage"):
        fit(model, images, epochs=3, lr=1e20, progress=False)


def test_cosine_schedule_freezes_the_last_epoch(images):
    def last_epoch_change(cosine):
        torch.manual_seed(0)
        model = DenseAutoencoder(code_dim=3, hidden=(16,))
        snapshots = []
        fit(model, images, epochs=8, batch_size=16, lr=0.01, cosine=cosine, progress=False,
            on_epoch_end=lambda e, m: snapshots.append(torch.cat([w.detach().flatten().clone() for w in m.parameters()])))
        return (snapshots[-1] - snapshots[-2]).norm().item()

    # Le taux décroît jusqu'à 0 : la dernière époque ne bouge presque plus les poids.
    assert last_epoch_change(cosine=True) < 0.1 * last_epoch_change(cosine=False)


def test_supervised_training_with_targets(images):
    from helpers.models import SmallCNN
    from helpers.train import classification_loss, predict

    labels = (images.flatten(1).argmax(dim=1) // 28 > 13).long()  # trait en haut ou en bas
    torch.manual_seed(0)
    model = SmallCNN()
    fit(model, images, targets=labels, loss=classification_loss, epochs=8, batch_size=16,
        progress=False)
    assert (predict(model, images) == labels).float().mean() > 0.9
    with pytest.raises(ValueError, match="étiquettes"):
        fit(model, images, targets=labels[:3], loss=classification_loss, epochs=1, progress=False)


# --- La perte d'une époque est une moyenne par image ------------------------------------------


class Scale(nn.Module):
    """x ↦ w x (un seul poids, nul au départ) : l'erreur d'une image est la moyenne de ses pixels
    au carré, connue d'avance, et un pas d'Adam de 1e-12 ne la change pas."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return self.w * x


def test_epoch_loss_is_a_mean_over_images_not_over_batches():
    """9 images, lots de 4 : le dernier lot n'a qu'une image. Une seule image est claire (perte 1),
    les autres sont noires (perte 0) : la moyenne par image vaut 1/9, la moyenne des lots 1/3 ou
    1/12 selon le lot où tombe l'image claire."""
    images = torch.zeros(9, 1, 28, 28)
    images[4] = 1.0
    expected = images.pow(2).flatten(1).mean(dim=1).mean().item()  # oracle, avant l'entraînement
    assert expected == pytest.approx(1 / 9)
    for seed in range(4):  # l'image claire dans un lot plein ou dans le lot court
        history = fit(Scale(), images, epochs=1, batch_size=4, lr=1e-12, seed=seed, progress=False)
        assert history.train_loss[0] == pytest.approx(expected, rel=1e-6)
    per_batch = [images[idx].pow(2).mean().item()
                 for idx in minibatches(9, 4, torch.Generator().manual_seed(0))]
    assert abs(sum(per_batch) / len(per_batch) - expected) > 0.02  # le test distingue les deux


def test_first_epoch_loss_equals_evaluate_before_training(images):
    """Avec un vrai modèle et un taux d'apprentissage infime, la perte de la première époque est
    celle du modèle initial : la moyenne des pertes par image, calculées ici directement, très
    différentes (images noires et images à trait), avec un dernier lot court (70 = 2 × 32 + 6)."""
    x = torch.cat([images, torch.full((6, 1, 28, 28), 0.5)])  # 70 images : lots de 32, 32 et 6
    torch.manual_seed(0)
    model = DenseAutoencoder(code_dim=4, hidden=(16,))
    with torch.no_grad():
        per_image = (model(x) - x).pow(2).flatten(1).mean(dim=1)
    assert per_image.max() > 10 * per_image.min()  # sortie ≈ 0,5 : images grises presque exactes
    expected = per_image.mean().item()
    per_batch = [per_image[idx].mean().item()
                 for idx in minibatches(70, 32, torch.Generator().manual_seed(0))]
    assert abs(sum(per_batch) / 3 - expected) > 1e-3 * expected  # le test distingue les deux
    assert evaluate(model, x, batch_size=32) == pytest.approx(expected, rel=1e-5)
    history = fit(model, x, epochs=1, batch_size=32, lr=1e-12, progress=False)
    assert history.train_loss[0] == pytest.approx(expected, rel=1e-5)


def test_evaluate_is_a_mean_over_images_with_a_short_last_batch():
    images = torch.zeros(5, 1, 28, 28)
    images[4] = 1.0  # seule dans le dernier lot de taille 2 : [0, 1], [2, 3], [4]
    assert evaluate(Scale(), images, batch_size=2) == pytest.approx(1 / 5)


def test_history_records_the_training_time(images):
    start = time.perf_counter()
    history = fit(DenseAutoencoder(code_dim=2, hidden=(8,)), images, epochs=2, progress=False)
    elapsed = time.perf_counter() - start
    assert 0 < history.seconds <= elapsed


def test_evaluate_refuses_an_empty_set():
    with pytest.raises(ValueError, match="ensemble vide"):
        evaluate(Scale(), torch.zeros(0, 1, 28, 28))


# --- Mode entraînement pendant fit, mode évaluation ensuite ------------------------------------


class DropoutAutoencoder(nn.Module):
    """Auto-encodeur avec dropout : ses sorties ne sont déterministes qu'en mode évaluation."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Dropout(0.5))
        self.decoder = nn.Sequential(nn.Linear(32, 784), nn.Sigmoid())

    def encode(self, x):
        return self.encoder(x)

    def forward(self, x):
        return self.decoder(self.encode(x)).reshape(x.shape)


def test_fit_trains_in_training_mode_and_evaluates_in_eval_mode(images):
    """Même un modèle laissé en mode évaluation (par un premier fit, ou evaluate entre deux
    époques) est entraîné en mode entraînement ; la perte de test est calculée en mode évaluation."""
    modes = {"train": [], "test": []}

    def recording_loss(model, x):
        modes["train" if torch.is_grad_enabled() else "test"].append(model.training)
        return reconstruction_mse(model, x)

    model = DropoutAutoencoder().eval()
    fit(model, images, epochs=3, batch_size=32, loss=recording_loss, test_images=images[:8],
        progress=False)
    assert modes["train"] == [True] * 6 and modes["test"] == [False] * 3
    assert not model.training


def test_fit_leaves_the_model_in_eval_mode(images):
    model = DropoutAutoencoder()
    fit(model, images, epochs=1, progress=False)
    assert not model.training
    assert torch.equal(model(images), model(images))


def _small_cnn():
    torch.manual_seed(0)
    return SmallCNN(channels=(4, 8), dropout=0.5)


@pytest.mark.parametrize("function, make, direct", [
    (reconstruct, DropoutAutoencoder, lambda model, x: model(x)),
    (encode, DropoutAutoencoder, lambda model, x: model.encode(x)),
    (evaluate, DropoutAutoencoder, lambda model, x: reconstruction_mse(model, x).item()),
    (predict, _small_cnn, lambda model, x: model(x).argmax(dim=1)),
], ids=["reconstruct", "encode", "evaluate", "predict"])
def test_inference_helpers_use_eval_mode(images, function, make, direct):
    """Appelées sur un modèle resté en mode entraînement, elles donnent le résultat du mode
    évaluation (sans dropout), calculé ici directement."""
    model = make().eval()
    with torch.no_grad():
        expected = direct(model, images)
    model.train()
    with torch.no_grad():  # le dropout change bien les sorties en mode entraînement
        noisy = direct(model, images)
    assert (noisy != expected) if function is evaluate else not torch.equal(noisy, expected)
    model.train()
    result = function(model, images, batch_size=10)
    assert not model.training
    if function is evaluate:
        assert result == pytest.approx(expected, rel=1e-6)
    elif function is predict:
        assert torch.equal(result, expected)
    else:
        assert torch.allclose(result, expected, atol=1e-6)


def test_load_half_leaves_the_model_in_eval_mode(tmp_path, images):
    model = DropoutAutoencoder()
    save_half(model, tmp_path / "poids.pt", {})
    model.train()
    assert load_half(model, tmp_path / "poids.pt") == {}
    assert not model.training


def test_fit_cached_reloads_in_eval_mode(images, tmp_path, monkeypatch):
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path))
    torch.manual_seed(0)
    fit_cached("ae", DenseAutoencoder(code_dim=2, hidden=(8,)), images, epochs=1, progress=False)
    torch.manual_seed(0)
    model = DenseAutoencoder(code_dim=2, hidden=(8,)).train()
    fit_cached("ae", model, images, epochs=1, progress=False)
    assert not model.training


# --- Apprentissage supervisé : étiquettes d'entraînement et de test ---------------------------


def _labels(images):
    return (images.flatten(1).argmax(dim=1) // 28 > 13).long()  # trait en haut ou en bas


def test_supervised_training_with_test_targets(images):
    labels = _labels(images)
    torch.manual_seed(0)
    model = SmallCNN(channels=(4, 8))
    history = fit(model, images[:48], targets=labels[:48], test_images=images[48:],
                  test_targets=labels[48:], loss=classification_loss, epochs=2, batch_size=16,
                  progress=False)
    assert len(history.test_loss) == 2
    model.eval()
    with torch.no_grad():  # oracle : l'entropie croisée calculée directement, en mode évaluation
        expected = F.cross_entropy(model(images[48:]), labels[48:]).item()
    assert history.test_loss[-1] == pytest.approx(expected, rel=1e-5)
    assert evaluate(model, images[48:], loss=classification_loss, targets=labels[48:],
                    batch_size=5) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("given", ["targets", "test_targets"])
def test_test_loss_without_its_labels_is_refused_before_training(images, given):
    labels = _labels(images)
    calls = []

    def loss(model, x, y=None):
        calls.append(len(x))
        return classification_loss(model, x, y)

    kwargs = {"targets": labels} if given == "targets" else {"test_targets": labels[:8]}
    with pytest.raises(ValueError, match="test_targets"):
        fit(SmallCNN(channels=(4, 8)), images, test_images=images[:8], loss=loss, epochs=1,
            progress=False, **kwargs)
    assert calls == []  # refusé d'emblée, avant la moindre époque


def test_predict_is_the_argmax_of_the_logits(images):
    torch.manual_seed(0)
    model = SmallCNN(channels=(4, 8)).eval()
    with torch.no_grad():
        logits = model(images)
    assert torch.equal(predict(model, images, batch_size=7), logits.argmax(dim=1))


# --- Valeurs par défaut, barre de progression, périphérique ----------------------------------


def test_default_learning_rate_batch_size_seed_and_schedule():
    """Le premier pas d'Adam déplace un poids d'exactement lr : w = 10⁻³ après un pas (taux par
    défaut), 2·10⁻³ après deux pas à taux constant (pas de cosinus par défaut), 1,5·10⁻³ avec le
    cosinus sur deux pas. Lots de 128 par défaut, ordre de la graine 0 par défaut."""
    images = torch.full((9, 1, 28, 28), 0.5)
    model = Scale()
    fit(model, images, epochs=1, batch_size=9, progress=False)
    assert model.w.item() == pytest.approx(1e-3, rel=1e-4)
    model = Scale()
    fit(model, images, epochs=1, batch_size=9, lr=0.01, progress=False)
    assert model.w.item() == pytest.approx(0.01, rel=1e-4)
    model = Scale()
    fit(model, images, epochs=2, batch_size=9, progress=False)
    assert model.w.item() == pytest.approx(2e-3, rel=1e-3)
    model = Scale()
    fit(model, images, epochs=2, batch_size=9, cosine=True, progress=False)
    assert model.w.item() == pytest.approx(1.5e-3, rel=1e-3)

    sizes, orders = [], []

    def recording_loss(model, x):
        sizes.append(len(x))
        orders.append(x.flatten(1)[:, 0].tolist())
        return reconstruction_mse(model, x)

    ranked = torch.arange(300.0).div(300).reshape(300, 1, 1, 1).expand(300, 1, 28, 28)
    fit(Scale(), ranked, epochs=1, loss=recording_loss, progress=False)
    fit(Scale(), ranked, epochs=1, loss=recording_loss, seed=0, progress=False)
    fit(Scale(), ranked, epochs=1, loss=recording_loss, seed=1, progress=False)
    assert sizes == [128, 128, 44] * 3
    assert orders[:3] == orders[3:6] != orders[6:]


def test_reconstruction_bce_is_the_mean_binary_cross_entropy_per_pixel():
    """Comparée à la formule −[x log p + (1 − x) log(1 − p)] calculée en NumPy, en float64."""
    torch.manual_seed(0)
    x = torch.rand(5, 1, 28, 28)
    p = torch.rand(5, 1, 28, 28) * 0.98 + 0.01

    class Constant(nn.Module):
        def forward(self, images):
            return p

    xs, ps = x.double().numpy(), p.double().numpy()
    expected = -(xs * np.log(ps) + (1 - xs) * np.log(1 - ps)).mean()
    assert reconstruction_bce(Constant(), x).item() == pytest.approx(expected, rel=1e-5)


def test_warmup_raises_then_lowers_the_learning_rate():
    """Un pas par époque, gradient de signe constant : chaque pas d'Adam déplace le poids d'environ
    le taux du moment. Avec warmup=0,25 sur 20 pas, le taux part de lr/25, monte jusqu'à lr au
    5ᵉ pas, puis redescend presque à 0."""
    images = torch.full((9, 1, 28, 28), 0.5)
    model, weights = Scale(), [0.0]
    fit(model, images, epochs=20, batch_size=9, lr=0.01, cosine=True, warmup=0.25, progress=False,
        on_epoch_end=lambda epoch, m: weights.append(m.w.item()))
    steps = torch.tensor(weights).diff()
    assert steps[0].item() == pytest.approx(0.01 / 25, rel=0.1)
    assert (steps[:5].diff() > 0).all() and (steps[4:].diff() < 0).all()
    assert steps.max().item() == pytest.approx(0.01, rel=0.1)
    assert steps[-1].item() < 0.01 / 100


@pytest.mark.parametrize("warmup, cosine", [(1.0, True), (-0.1, True), (float("nan"), True),
                                            (0.2, False)])
def test_warmup_must_be_a_fraction_followed_by_the_cosine(images, warmup, cosine):
    with pytest.raises(ValueError, match="échauffement"):
        fit(Scale(), images, epochs=1, cosine=cosine, warmup=warmup, progress=False)


def test_progress_bar_in_french_with_the_epoch_loss(capsys):
    """Par défaut, une barre « Entraînement » en époques, avec la perte de l'époque, effacée à la
    fin ; rien avec progress=False."""
    images = torch.zeros(9, 1, 28, 28)
    images[4] = 1.0
    fit(Scale(), images, epochs=2, batch_size=9, lr=1e-12)
    err = capsys.readouterr().err
    assert re.search(r"(^|\r)Entraînement: +\d+%", err) and re.search(r"\d/2 \[", err)
    assert re.search(r"(époque/s|s/époque)\b", err) and "perte=0.1111" in err
    assert not err.endswith("\n")  # barre effacée (leave=False)
    fit(Scale(), images, epochs=2, batch_size=9, lr=1e-12, progress=False)
    assert capsys.readouterr().err == ""


class OnMeta(nn.Module):
    """Un modèle dont le premier paramètre est sur le périphérique « meta » (un faux accélérateur,
    sans calcul) : il note le périphérique des lots qu'il reçoit."""

    def __init__(self):
        super().__init__()
        self.anchor = nn.Parameter(torch.empty(1, device="meta"))
        self.w = nn.Parameter(torch.ones(()))
        self.devices = []

    def forward(self, x, y=None):
        self.devices.append((x.device.type, None if y is None else y.device.type))
        return self.w * 1.0


def test_each_batch_is_sent_to_the_models_device(images):
    """Les données restent sur le CPU ; chaque lot (et ses étiquettes) va sur le périphérique du
    modèle, par exemple un GPU."""
    model = OnMeta()
    fit(model, images, epochs=1, batch_size=32, loss=lambda m, x: m(x) ** 2, progress=False)
    assert model.devices == [("meta", None)] * 2
    model = OnMeta()
    fit(model, images, targets=torch.zeros(64, dtype=torch.long), epochs=1, batch_size=32,
        loss=lambda m, x, y: m(x, y) ** 2, progress=False)
    assert model.devices == [("meta", "meta")] * 2


def test_batched_computations_send_each_batch_to_the_models_device(images):
    """evaluate, encode, reconstruct et predict envoient chaque lot sur le périphérique du modèle
    (ici le faux accélérateur « meta ») ; les images restent sur le CPU."""
    model = OnMeta()
    model.encode = model.forward
    evaluate(model, images, loss=lambda m, x: m(x), batch_size=40)
    assert model.devices == [("meta", None)] * 2
    for function in (encode, reconstruct, predict):
        model.devices.clear()
        with pytest.raises((RuntimeError, IndexError)):  # ce faux modèle ne rend qu'un nombre
            function(model, images, batch_size=40)
        assert model.devices and set(model.devices) == {("meta", None)}
    model.devices.clear()
    evaluate(model, images, loss=lambda m, x, y: m(x, y), targets=torch.zeros(64), batch_size=40)
    assert model.devices == [("meta", "meta")] * 2


def test_divergence_names_the_epoch():
    calls = []

    def loss_diverging_at_epoch_2(model, x):
        calls.append(1)
        value = reconstruction_mse(model, x)
        return value * math.inf if len(calls) > 3 else value

    images = torch.rand(9, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    with pytest.raises(FloatingPointError, match=exactly(
            "La perte vaut nan à l'époque 2 : l'entraînement a divergé. Réduisez le taux "
            "d'apprentissage lr ou vérifiez que les données sont dans [0, 1].")):
        fit(Scale(), images, epochs=3, batch_size=3, loss=loss_diverging_at_epoch_2, progress=False)


def test_messages_in_full(images):
    with pytest.raises(ValueError, match=exactly(
            "L'ensemble d'entraînement est vide : impossible d'entraîner le modèle.")):
        fit(Scale(), torch.zeros(0, 1, 28, 28), epochs=1, progress=False)
    with pytest.raises(ValueError, match=exactly(
            "Avec des étiquettes targets, la perte de test demande aussi les étiquettes des images "
            "de test (test_targets), et inversement.")):
        fit(Scale(), images, targets=torch.zeros(64), test_images=images, epochs=1, progress=False)
    with pytest.raises(ValueError, match=exactly("64 images mais 3 étiquettes.")):
        fit(Scale(), images, targets=torch.zeros(3), epochs=1, progress=False)
    with pytest.raises(ValueError, match=exactly("Impossible d'évaluer sur un ensemble vide.")):
        evaluate(Scale(), torch.zeros(0, 1, 28, 28))


def test_bfloat16_training_only_where_native_and_evaluation_in_float32(images, monkeypatch):
    """Avec ``bfloat16=True``, les couches calculent en bfloat16 pendant l'entraînement seulement
    (la perte de test, les poids restent en float32), et seulement si le périphérique le fait
    nativement : sinon, l'entraînement est exactement celui en float32."""
    def run(bfloat16):
        torch.manual_seed(0)
        model = DenseAutoencoder(code_dim=4, hidden=(32,))
        dtypes = []
        model.encoder[0].register_forward_hook(lambda layer, inputs, output: dtypes.append(output.dtype))
        history = fit(model, images, epochs=2, batch_size=32, test_images=images, bfloat16=bfloat16,
                      progress=False)
        assert {p.dtype for p in model.parameters()} == {torch.float32}
        return dtypes, history

    float32_dtypes, float32 = run(False)
    assert set(float32_dtypes) == {torch.float32}
    monkeypatch.setattr("helpers.train.native_bfloat16", lambda device: True)
    dtypes, mixed = run(True)
    # Par époque : deux lots d'entraînement en bfloat16, puis l'évaluation de test en float32.
    assert dtypes == [torch.bfloat16, torch.bfloat16, torch.float32] * 2
    assert mixed.train_loss != float32.train_loss
    assert mixed.train_loss == pytest.approx(float32.train_loss, rel=0.02)
    monkeypatch.setattr("helpers.train.native_bfloat16", lambda device: False)
    dtypes, emulated = run(True)
    assert set(dtypes) == {torch.float32} and emulated.train_loss == float32.train_loss
