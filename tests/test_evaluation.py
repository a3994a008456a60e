import numpy as np
import pytest
import torch

from helpers.evaluation import few_labels, knn_accuracy


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


def test_knn_accuracy_uses_k():
    """Cas fait à la main : le plus proche voisin de 0,4 est 0 (classe 0), mais deux de ses trois
    plus proches voisins (1,0 et 1,1) sont de classe 1."""
    train = torch.tensor([[0.0], [1.0], [1.1], [5.0], [5.2]])
    train_labels = torch.tensor([0, 1, 1, 0, 0])
    test, test_labels = torch.tensor([[0.4], [5.1]]), torch.tensor([1, 0])
    assert knn_accuracy(train, train_labels, test, test_labels, k=1) == 0.5
    assert knn_accuracy(train, train_labels, test, test_labels, k=3) == 1.0
    assert knn_accuracy(train, train_labels, test, test_labels) == 0.5  # k = 1 par défaut
    # Un seul voisin par défaut, pas deux : à égalité 1 contre 1, la plus petite classe gagnerait.
    assert knn_accuracy(torch.tensor([[0.0], [0.3]]), [0, 1], torch.tensor([[0.25]]), [1]) == 1.0


def test_knn_accuracy_accepts_images_and_numpy_arrays():
    train = torch.zeros(4, 1, 2, 2)
    train[2:] = 1.0
    labels = np.array([3, 3, 7, 7])
    test = np.full((2, 1, 2, 2), 0.9, dtype=np.float64)
    assert knn_accuracy(train, labels, test, [7, 3]) == 0.5


def test_few_labels_takes_a_whole_class_once_each():
    """Avec per_class égal à l'effectif de chaque classe, chaque indice sort exactement une fois
    (tirage sans remise), et chaque indice choisi est bien de sa classe."""
    labels = torch.tensor([2, 0, 2, 1, 0, 2, 1, 0, 1])
    chosen = few_labels(labels, per_class=3, seed=5)
    assert sorted(chosen.tolist()) == list(range(9))
    assert labels[chosen].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    subset = few_labels(labels, per_class=2, seed=5)
    assert labels[subset].tolist() == [0, 0, 1, 1, 2, 2] and len(set(subset.tolist())) == 6


def test_few_labels_depends_on_its_seed_only():
    """Même graine, même tirage, quel que soit l'état du générateur global ; graine 0 par défaut."""
    labels = torch.arange(10).repeat(50)
    torch.manual_seed(1)
    first = few_labels(labels, per_class=5, seed=3)
    torch.manual_seed(2)
    assert torch.equal(few_labels(labels, per_class=5, seed=3), first)
    assert torch.equal(few_labels(labels, per_class=5), few_labels(labels, per_class=5, seed=0))
    assert not torch.equal(few_labels(labels, per_class=5, seed=1), few_labels(labels, per_class=5, seed=0))


def test_few_labels_draws_uniformly_within_a_class():
    """Sur de nombreuses graines, chaque membre d'une classe est choisi à peu près aussi souvent."""
    labels = torch.zeros(10, dtype=torch.long)
    counts = torch.zeros(10)
    for seed in range(400):
        counts[few_labels(labels, per_class=2, seed=seed)] += 1
    assert counts.sum() == 800 and counts.min() > 50 and counts.max() < 110


def _vae_with_dropout():
    """Un VAE dont l'encodeur a du dropout : le mode évaluation devient observable."""
    from helpers.models import VAE

    torch.manual_seed(0)
    model = VAE(latent_dim=3, hidden=(16,))
    model.body = torch.nn.Sequential(model.body, torch.nn.Dropout(0.5))
    return model


def test_vae_elbo_is_a_mean_over_images_in_eval_mode():
    """Oracle : les termes par image (bernoulli_nll, gaussian_kl_standard), calculés lot par lot
    avec le même générateur, en mode évaluation, puis moyennés sur les 20 images (lots 7, 7, 6)."""
    from helpers.evaluation import vae_elbo
    from helpers.losses import bernoulli_nll, gaussian_kl_standard, reparameterize

    model = _vae_with_dropout()
    x = torch.rand(20, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    x[14:] = 0.0  # le dernier lot, court, a des termes très différents des autres
    model.eval()
    generator = torch.Generator().manual_seed(4)
    reconstructions, kls = [], []
    with torch.no_grad():
        for batch in x.split(7):
            mu, logvar = model.encode(batch)
            logits = model.decode(reparameterize(mu, logvar, generator))
            reconstructions.append(bernoulli_nll(logits, batch.flatten(1)))
            kls.append(gaussian_kl_standard(mu, logvar))
    reconstruction, kl = torch.cat(reconstructions).mean().item(), torch.cat(kls).mean().item()
    model.train()
    terms = vae_elbo(model, x, seed=4, batch_size=7)
    assert not model.training
    assert terms["reconstruction"] == pytest.approx(reconstruction, rel=1e-5)
    assert terms["kl"] == pytest.approx(kl, rel=1e-5)
    assert terms["elbo"] == pytest.approx(-(reconstruction + kl), rel=1e-5)
    assert vae_elbo(model, x, seed=5, batch_size=7)["reconstruction"] != terms["reconstruction"]


def test_vae_elbo_default_seed_and_device():
    """La graine par défaut est 0 ; chaque lot va sur le périphérique du modèle (« meta »)."""
    from helpers.evaluation import vae_elbo
    from helpers.models import VAE

    torch.manual_seed(0)
    model, images = VAE(2, (16,)), torch.rand(30, 1, 28, 28)
    assert vae_elbo(model, images) == vae_elbo(model, images, seed=0) != vae_elbo(model, images, seed=1)
    seen = []
    model.to("meta").register_forward_pre_hook(lambda module, args: seen.append(args[0].device.type))
    with pytest.raises(RuntimeError):  # pas de valeur numérique sur « meta »
        vae_elbo(model, images)
    assert seen == ["meta"]


def test_encode_and_reconstruct_explain_what_to_do_with_a_vae():
    from helpers.models import VAE
    from helpers.train import encode, reconstruct

    vae = VAE(latent_dim=2, hidden=(8,))
    for function in (encode, reconstruct):
        with pytest.raises(TypeError, match=r"vae\.encode\(x\)\[0\]"):
            function(vae, torch.rand(3, 1, 28, 28))


def test_knn_accuracy_accepts_tensors_that_track_gradients():
    from helpers.evaluation import knn_accuracy

    features = torch.eye(4, requires_grad=True)
    labels = torch.arange(4)
    assert knn_accuracy(features, labels, features, labels, k=1) == 1.0


def test_mean_ssim_refuses_flat_vectors():
    from helpers.losses import mean_ssim

    with pytest.raises(ValueError, match=r"x\.view\(-1, 1, 28, 28\)"):
        mean_ssim(torch.rand(4, 784), torch.rand(4, 784))
