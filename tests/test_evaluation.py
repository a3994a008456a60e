import numpy as np
import pytest
import torch

from helpers.evaluation import few_labels, knn_accuracy
from helpers.report import fr


def test_few_labels_draws_per_class_without_repetition():
    labels = torch.arange(10).repeat(50)
    chosen = few_labels(labels, per_class=7, seed=0)
    assert len(chosen) == 70 and len(set(chosen.tolist())) == 70
    assert torch.bincount(labels[chosen]).tolist() == [7] * 10
    assert not torch.equal(chosen, few_labels(labels, per_class=7, seed=1))


def test_few_labels_rejects_small_classes():
    with pytest.raises(ValueError, match="classe 1"):
        few_labels(torch.tensor([0, 0, 0, 1]), per_class=2)


def test_knn_accuracy_on_separable_and_random_data():
    generator = torch.Generator().manual_seed(0)
    centres = torch.tensor([[0.0, 0.0], [10.0, 10.0]])
    y = torch.randint(0, 2, (200,), generator=generator)
    x = centres[y] + torch.randn(200, 2, generator=generator)
    assert knn_accuracy(x[:100], y[:100], x[100:], y[100:]) == 1.0
    shuffled = y[torch.randperm(200, generator=generator)]
    assert knn_accuracy(x[:100], shuffled[:100], x[100:], shuffled[100:]) < 0.75


def test_knn_dimension_mismatch():
    with pytest.raises(ValueError, match="incompatibles"):
        knn_accuracy(torch.zeros(3, 2), [0, 1, 0], torch.zeros(3, 5), [0, 1, 0])


def test_french_number_format():
    assert fr(12345.678) == "12\u202f345,68"
    assert fr(0.5, 3) == "0,500"


def test_vae_elbo_matches_negative_elbo_on_one_batch():
    from helpers.losses import negative_elbo, reparameterize
    from helpers.evaluation import vae_elbo
    from helpers.models import VAE

    torch.manual_seed(0)
    model = VAE(latent_dim=3, hidden=(16,))
    x = torch.rand(20, 1, 28, 28)
    terms = vae_elbo(model, x, seed=4, batch_size=100)
    mu, logvar = model.encode(x)
    logits = model.decode(reparameterize(mu, logvar, torch.Generator().manual_seed(4)))
    total, reconstruction, kl = negative_elbo(x.flatten(1), logits, mu, logvar)
    assert terms["elbo"] == pytest.approx(-total.item(), rel=1e-5)
    assert terms["kl"] == pytest.approx(kl.item(), rel=1e-5)
    assert terms["elbo"] < 0


def test_per_image_sse_sums_pixels_and_averages_images(images):
    from helpers.evaluation import per_image_sse

    halves = images / 2  # chaque image reconstruite à moitié : erreur connue, pixel par pixel
    expected = np.mean([sum((a - b) ** 2 for a, b in zip(x.flatten().tolist(), y.flatten().tolist()))
                        for x, y in zip(images, halves)])
    assert per_image_sse(images, halves) == pytest.approx(expected, rel=1e-9)
    with pytest.raises(ValueError, match="Formes incompatibles"):
        per_image_sse(images, halves[:3])
