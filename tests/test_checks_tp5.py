"""Les vérifications du TP 5 : des réponses justes écrites autrement passent, des réponses fausses
écrites comme un étudiant les écrirait sont refusées avec un message juste (ou neutre), et les
trous de l'issue 13 sont fermés. Ce que tout check doit faire est dans ``test_checks.py``."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision
from scipy.stats import norm

from helpers import losses
from helpers.checks import (WrongAnswer, check_all, check_assemble_mosaic, check_latent_grid,
                            check_negative_elbo, check_reparameterize)

from checkutils import passes, rejects
from course_solutions import ROOT

PAGE = ROOT / "chapters" / "tp5_vae.md"


def _std(logvar):
    return torch.exp(0.5 * logvar)


# --- reparameterize --------------------------------------------------------------------------


def _numpy_noise(mu, logvar):
    eps = torch.from_numpy(np.random.standard_normal(tuple(mu.shape)))
    return mu + _std(logvar) * eps.to(mu)


@pytest.mark.parametrize("answer", [
    lambda mu, logvar: mu + _std(logvar) * torch.randn(mu.shape, device=mu.device),
    lambda mu, logvar: mu + _std(logvar) * torch.empty_like(mu).normal_(),
    lambda mu, logvar: mu + _std(logvar) * torch.distributions.Normal(0.0, 1.0).sample(mu.shape),
    lambda mu, logvar: torch.distributions.Normal(mu, logvar.exp().sqrt()).rsample(),
    _numpy_noise,
    lambda mu, logvar: mu + torch.sqrt(torch.exp(logvar)) * torch.randn_like(mu),
    lambda mu, logvar: mu - torch.exp(logvar / 2) * torch.randn_like(logvar),
    lambda mu, logvar: (mu.double() + _std(logvar.double()) * torch.randn_like(mu.double())),
], ids=["randn(shape)", "normal_", "distribution sample", "rsample", "numpy noise", "sqrt exp",
        "minus noise", "float64"])
def test_reparameterize_right_answers_written_differently_pass(answer):
    assert passes(check_reparameterize, answer)


def _without_graph(mu, logvar):
    with torch.no_grad():
        return mu + _std(logvar) * torch.randn_like(mu)


@pytest.mark.parametrize("answer, fragment", [
    (lambda mu, logvar: mu + logvar * torch.randn_like(mu), "valent |log σ²|"),
    (lambda mu, logvar: mu + logvar.exp() * torch.randn_like(mu), "exp(logvar) est la variance"),
    (lambda mu, logvar: mu + torch.exp(-logvar / 2) * torch.randn_like(mu), "erreur de signe"),
    (lambda mu, logvar: _std(logvar) * torch.randn_like(logvar), "centrés sur 0 au lieu de μ"),
    (lambda mu, logvar: mu.clone(), "renvoie μ lui-même"),
    (lambda mu, logvar: mu + _std(logvar) * torch.randn(mu.shape[-1], device=mu.device),
     "Toutes les lignes du lot reçoivent le même tirage"),
    (lambda mu, logvar: mu + _std(logvar) * torch.randn(1, device=mu.device),
     "Toutes les lignes du lot reçoivent le même tirage"),
    (lambda mu, logvar: mu + _std(logvar) * torch.randn(mu.size(0), 1, device=mu.device),
     "Les coordonnées d'une même image reçoivent le même bruit"),
    (lambda mu, logvar: mu + _std(logvar) * torch.rand_like(mu), "loi uniforme sur [0, 1]"),
    (lambda mu, logvar: torch.normal(mu, _std(logvar)), "torch.normal(mu, sigma)"),
    (lambda mu, logvar: torch.distributions.Normal(mu, _std(logvar)).sample(), "graphe de calcul"),
    (_without_graph, "graphe de calcul"),
    (lambda mu, logvar: mu + _std(logvar).detach() * torch.randn_like(mu),
     "ses gradients ne sont pas ceux de h = μ + σ ⊙ ε"),
    (lambda mu, logvar: mu + 0.5 * logvar.exp() * torch.randn_like(mu),
     "les écarts-types empiriques ne sont pas σ = exp(½ log σ²)"),
    (lambda mu, logvar: mu + _std(logvar) * (torch.randn_like(mu) + 0.2),
     "les moyennes empiriques ne sont pas μ"),
    (lambda mu, logvar: mu + torch.sqrt(logvar) * torch.randn_like(mu), "infinies ou NaN"),
    (lambda mu, logvar: (mu + _std(logvar) * torch.randn_like(mu))[:, 0], "il doit avoir celle de mu"),
    (lambda mu, logvar: (mu + _std(logvar) * torch.randn_like(mu)).tolist(), "tenseur torch"),
], ids=["logvar as std", "variance as std", "1/σ", "no μ", "μ only", "one draw per column",
        "one draw", "one draw per row", "uniform", "torch.normal", "sample()", "no_grad",
        "σ detached", "half variance", "biased noise", "sqrt logvar", "wrong shape", "list"])
def test_reparameterize_wrong_answers_are_named(answer, fragment):
    rejects(check_reparameterize, answer, fragment)


@pytest.mark.parametrize("noise", [
    lambda mu: 2.0 * torch.randint(0, 2, mu.shape, device=mu.device, dtype=mu.dtype) - 1,
    lambda mu: (2 * torch.rand_like(mu) - 1) * 3**0.5,
    lambda mu: torch.distributions.Laplace(0.0, 2**-0.5).sample(mu.shape).to(mu),
], ids=["rademacher", "scaled uniform", "laplace"])
def test_hole_a_noise_with_the_right_moments_but_the_wrong_law_is_rejected(noise):
    """Issue 13 : un bruit ±1 ou uniforme de variance 1 passait, seuls les moments étant testés ;
    le test de Kolmogorov–Smirnov le refuse."""
    message = rejects(check_reparameterize,
                       lambda mu, logvar: mu + _std(logvar) * noise(mu),
                       "moyennes et écarts-types sont justes, mais le test de "
                       "Kolmogorov–Smirnov rejette la loi normale")
    assert "ε doit suivre la loi N(0, I)" in message


def test_hole_reparameterize_delegating_to_the_course_function_is_refused():
    def reparameterize(mu, logvar):
        return losses.reparameterize(mu, logvar)

    message = rejects(check_reparameterize, reparameterize, "helpers.losses.reparameterize")
    assert "écrivez le calcul vous-même" in message


def test_reparameterize_is_tried_on_several_shapes():
    """Une réponse qui suppose la dimension des premiers paramètres est refusée."""
    rejects(check_reparameterize,
             lambda mu, logvar: mu + _std(logvar) * torch.randn(len(mu), 4, device=mu.device),
             "Le tirage a la forme (20000, 4) ; il doit avoir celle de mu, (20000, 1).")


def test_reparameterize_statement_forbids_the_course_function():
    assert "N'appelez pas\n`helpers.losses.reparameterize`" in PAGE.read_text(encoding="utf-8")


# --- negative_elbo ---------------------------------------------------------------------------


def _bce(logits, x):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none")


def _kl(mu, logvar):
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)


def _triplet(reconstruction, kl):
    """Le triplet (total, reconstruction, KL) à partir des deux termes déjà réduits."""
    return reconstruction + kl, reconstruction, kl


@pytest.mark.parametrize("answer", [
    lambda x, l, m, v: _triplet(-(x * F.logsigmoid(l) + (1 - x) * F.logsigmoid(-l)).sum(1).mean(),
                                _kl(m, v).mean()),
    lambda x, l, m, v: _triplet(
        F.binary_cross_entropy(torch.sigmoid(l), x, reduction="sum") / len(x), _kl(m, v).mean()),
    lambda x, l, m, v: _triplet(_bce(l, x).sum() / x.shape[0],
                                (-0.5 * (1 + v - m**2 - v.exp())).sum(-1).mean()),
    lambda x, l, m, v: list(_triplet(_bce(l, x).sum(-1).mean(), torch.distributions.kl_divergence(
        torch.distributions.Normal(m, _std(v)), torch.distributions.Normal(0.0, 1.0)).sum(1).mean())),
    lambda x, l, m, v: _triplet(_bce(l.double(), x.double()).sum(1).mean(),
                                _kl(m.double(), v.double()).mean()),
], ids=["logsigmoid", "sigmoid then bce", "Kingma's form", "list and torch.distributions",
        "float64"])
def test_negative_elbo_right_answers_written_differently_pass(answer):
    assert passes(check_negative_elbo, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda x, l, m, v: _triplet(F.binary_cross_entropy_with_logits(l, x), _kl(m, v).mean()),
     "moyenne sur les pixels"),
    (lambda x, l, m, v: _triplet(F.binary_cross_entropy_with_logits(l, x, reduction="sum"),
                                 _kl(m, v).mean()), "sommé sur les images du lot"),
    (lambda x, l, m, v: _triplet(_bce(x, l).sum(1).mean(), _kl(m, v).mean()), "inversés"),
    (lambda x, l, m, v: _triplet(_bce(torch.sigmoid(l), x).sum(1).mean(), _kl(m, v).mean()),
     "appliquée deux fois"),
    (lambda x, l, m, v: _triplet(F.mse_loss(torch.sigmoid(l), x, reduction="sum") / len(x),
                                 _kl(m, v).mean()), "erreur quadratique"),
    (lambda x, l, m, v: _triplet(_bce(l, x).sum(1).mean(),
                                 (0.5 * (1 + v - m**2 - v.exp())).sum(1).mean()), "mauvais signe"),
    (lambda x, l, m, v: _triplet(_bce(l, x).sum(1).mean(),
                                 0.5 * (m**2 + v.exp() - v).sum(1).mean()), "le terme −1"),
    (lambda x, l, m, v: _triplet(_bce(l, x).sum(1).mean(),
                                 0.5 * (m**2 + v.exp() - 1 - v).mean()),
     "moyennée sur les coordonnées latentes"),
    (lambda x, l, m, v: _triplet(_bce(l, x).sum(1).mean(), 0.5 * (m**2 + v.exp() - 1 - v).sum()),
     "KL est sommée sur les images"),
    (lambda x, l, m, v: tuple(t.item() for t in _triplet(_bce(l, x).sum(1).mean(),
                                                          _kl(m, v).mean())), "tenseur dérivable"),
    (lambda x, l, m, v: (_bce(l, x).sum(1).mean() + 2 * _kl(m, v).mean(),
                         *_triplet(_bce(l, x).sum(1).mean(), _kl(m, v).mean())[1:]),
     "le total n'est pas leur somme"),
    (lambda x, l, m, v: _triplet(_bce(l, x).sum(1).mean(), _kl(m, v).mean())[1:], "triplet"),
    (lambda x, l, m, v: _triplet(_bce(l, x).sum(1).mean(), _kl(m, v).mean())[::-1],
     "ces valeurs ne sont pas justes : le total, la KL."),
    (lambda x, l, m, v: _triplet(_bce(l, x).sum() / 128, _kl(m, v).sum() / 128),
     "ces valeurs ne sont pas justes"),
], ids=["mean bce", "summed bce", "swapped", "sigmoid twice", "squared error", "sign",
        "no −1", "mean over everything", "summed kl", "item", "β = 2", "pair", "reversed",
        "global batch size"])
def test_negative_elbo_wrong_answers_are_named(answer, fragment):
    rejects(check_negative_elbo, answer, fragment)


def test_negative_elbo_is_tried_on_other_pixel_counts():
    """« × 784 » est juste pour MNIST seulement : la vérification essaie d'autres tailles."""
    rejects(check_negative_elbo,
             lambda x, l, m, v: _triplet(784 * F.binary_cross_entropy_with_logits(l, x),
                                         _kl(m, v).mean()),
             "suppose des images de 784 pixels")


def _elbo_from(reconstruction, kl):
    def negative_elbo(x, logits, mu, logvar):
        return _triplet(reconstruction(logits, x), kl(mu, logvar))

    return negative_elbo


@pytest.mark.parametrize("answer, name", [
    (lambda x, l, m, v: losses.negative_elbo(x, l, m, v), "helpers.losses.negative_elbo"),
    (_elbo_from(lambda l, x: losses.bernoulli_nll(l, x).mean(), lambda m, v: _kl(m, v).mean()),
     "helpers.losses.bernoulli_nll"),
    (_elbo_from(lambda l, x: _bce(l, x).sum(1).mean(),
                lambda m, v: losses.gaussian_kl_standard(m, v).mean()),
     "helpers.losses.gaussian_kl_standard"),
], ids=["negative_elbo", "bernoulli_nll", "gaussian_kl_standard"])
def test_hole_negative_elbo_delegating_to_the_course_functions_is_refused(answer, name):
    message = rejects(check_negative_elbo, answer, f"Votre fonction appelle {name}")
    assert "écrivez le calcul vous-même" in message


def test_negative_elbo_statement_forbids_the_course_functions():
    statement = " ".join(PAGE.read_text(encoding="utf-8").split())
    assert ("sans l'appeler dans votre fonction, pas plus que `helpers.losses.bernoulli_nll` et "
            "`helpers.losses.gaussian_kl_standard`") in statement


# --- latent_grid et assemble_mosaic ----------------------------------------------------------


def _grid_numpy(n, low=0.03, high=0.97):
    q = norm.ppf(np.linspace(low, high, n))
    columns, rows = np.meshgrid(q, q[::-1])
    return torch.from_numpy(np.stack([columns, rows], axis=-1)).float()


def _grid_loops(n, low=0.03, high=0.97):
    q = norm.ppf(np.linspace(low, high, n))
    grid = torch.empty(n, n, 2)
    for i in range(n):
        for j in range(n):
            grid[i, j] = torch.tensor([q[j], q[n - 1 - i]])
    return grid


def _grid_icdf(n, low=0.03, high=0.97):
    q = torch.distributions.Normal(0.0, 1.0).icdf(torch.linspace(low, high, n))
    return torch.cartesian_prod(q.flip(0), q)[:, [1, 0]].reshape(n, n, 2)


@pytest.mark.parametrize("answer", [_grid_numpy, _grid_loops, _grid_icdf],
                         ids=["numpy meshgrid", "loops", "icdf and cartesian_prod"])
def test_latent_grid_right_answers_written_differently_pass(answer):
    assert passes(check_latent_grid, answer)


def _quantile_grid(n, low, high, indexing="xy", flip=True):
    q = torch.tensor(norm.ppf(np.linspace(low, high, n)), dtype=torch.float32)
    return torch.stack(torch.meshgrid(q, q.flip(0) if flip else q, indexing=indexing), dim=-1)


@pytest.mark.parametrize("answer, fragment", [
    (lambda n, low=0.03, high=0.97: _grid_numpy(n, low, high).double(), "pas un tenseur de type "
     "torch.float64"),
    (lambda n, low=0.03, high=0.97: _grid_numpy(n, low, high).numpy(), "pas un tableau NumPy"),
    (lambda n, low=0.03, high=0.97: _quantile_grid(n, low, high, flip=False), "à l'envers"),
    (lambda n, low=0.03, high=0.97: _quantile_grid(n, low, high, indexing="ij"),
     "Les axes sont échangés"),
    (lambda n, low=0.03, high=0.97: _quantile_grid(n, low, high, indexing="ij", flip=False),
     "la grille n'est pas celle des quantiles"),
    (lambda n, low=0.03, high=0.97: torch.stack(torch.meshgrid(
        torch.linspace(-3, 3, n), torch.linspace(3, -3, n), indexing="xy"), dim=-1),
     "grille régulière de [−3, 3]²"),
    (lambda n, low=0.03, high=0.97: _quantile_grid(n, low, high).reshape(-1, 2),
     "La grille renvoyée est un tableau de forme (16, 2) ; attendu : un tableau de forme (4, 4, 2)"),
], ids=["float64", "numpy", "upside down", "ij", "ij, not flipped", "regular", "flat"])
def test_latent_grid_wrong_answers_are_named(answer, fragment):
    rejects(check_latent_grid, answer, fragment)


@pytest.mark.parametrize("answer", [
    lambda images: torch.cat([torch.cat(list(row), dim=1) for row in images], dim=0),
    lambda images: images.transpose(1, 2).reshape(images.shape[0] * images.shape[2], -1),
    lambda images: np.block([[image.numpy() for image in row] for row in images]),
    lambda images: torchvision.utils.make_grid(images.flatten(0, 1).unsqueeze(1),
                                               nrow=images.shape[1], padding=0)[0],
], ids=["cat", "transpose", "np.block", "make_grid"])
def test_assemble_mosaic_right_answers_written_differently_pass(answer):
    assert passes(check_assemble_mosaic, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda images: images.reshape(images.shape[0] * images.shape[2], -1), "découpées en bandes"),
    (lambda images: images.permute(1, 2, 0, 3).flatten(2).flatten(0, 1), "Rangées et colonnes"),
    (lambda images: images.permute(0, 3, 1, 2).flatten(2).flatten(0, 1), "transposée"),
    (lambda images: images.permute(0, 2, 1, 3).flatten(2).flatten(0, 1).flip(0),
     "ne place pas images[i, j] dans la case de la rangée i"),
    (lambda images: images.permute(0, 2, 1, 3).flatten(2).flatten(0, 1).T,
     "La mosaïque renvoyée est un tableau de forme (15, 8) ; attendu : un tableau de forme (8, 15)"),
], ids=["reshape", "rows and columns", "transposed tiles", "flipped", "transposed"])
def test_assemble_mosaic_wrong_answers_are_named(answer, fragment):
    rejects(check_assemble_mosaic, answer, fragment)


# --- Trou de l'issue 13 : seul le premier échec était affiché --------------------------------


def test_hole_exercise_3_check_cell_reports_both_functions(capsys):
    def latent_grid(n, low=0.03, high=0.97):
        return _quantile_grid(n, low, high, flip=False)

    def assemble_mosaic(images):
        return torch.cat([torch.cat(list(row), dim=1) for row in images], dim=0)

    with pytest.raises(WrongAnswer, match="À corriger : latent_grid"):
        check_all(latent_grid, assemble_mosaic)
    out = capsys.readouterr().out
    assert "❌ La carte est à l'envers" in out
    assert "✅ Mosaïque juste" in out
