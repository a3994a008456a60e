"""Les vérifications du TP 4 : des réponses justes écrites autrement passent, des réponses fausses
écrites comme un étudiant les écrirait sont refusées avec un message juste (ou neutre), et les
trous de l'issue 13 sont fermés. Ce que toute vérification doit faire (solution du cours, ébauche,
erreurs typiques déclarées, argument ignoré, état aléatoire) est dans ``test_checks.py``."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Bernoulli, kl_divergence

from helpers import data, losses
from helpers.checks import (check_closed_form_penalty, check_corrupt,
                            check_l1_penalty, check_sensitivity, check_sparse_kl_penalty)
from helpers.checks.core import STUB_MESSAGE
from helpers.train import encode, reconstruct

from checkutils import passes, pending, rejects

DELEGATING = "écrivez le calcul vous-même"


# --- Pénalité de Kullback–Leibler ------------------------------------------------------------


def _kl(rho, q):
    return rho * torch.log(rho / q) + (1 - rho) * torch.log((1 - rho) / (1 - q))


def _kl_by_loop(h, rho):
    total = 0
    for q in h.mean(dim=0):
        total = total + _kl(rho, q)
    return total


@pytest.mark.parametrize("answer", [
    lambda h, rho: kl_divergence(Bernoulli(probs=torch.tensor(rho)), Bernoulli(probs=h.mean(0))).sum(),
    lambda h, rho: (F.kl_div(h.mean(0).log(), torch.full((h.shape[1],), rho), reduction="sum")
                    + F.kl_div((1 - h.mean(0)).log(), torch.full((h.shape[1],), 1 - rho),
                               reduction="sum")),
    lambda h, rho: (torch.special.xlogy(rho, rho / h.mean(0))
                    + torch.special.xlogy(1 - rho, (1 - rho) / (1 - h.mean(0)))).sum(),
    _kl_by_loop,
    lambda h, rho: _kl(rho, h.mean(dim=0)).sum().reshape(1),
], ids=["distributions", "F.kl_div", "xlogy", "loop over units", "1-element tensor"])
def test_sparse_kl_penalty_right_answers_written_differently_pass(answer):
    assert passes(check_sparse_kl_penalty, answer)


def _numpy_kl(h, rho):
    q = h.detach().numpy().mean(axis=0)
    return np.sum(rho * np.log(rho / q) + (1 - rho) * np.log((1 - rho) / (1 - q)))


def _kl_without_gradient(h, rho):
    with torch.no_grad():
        return _kl(rho, h.mean(dim=0)).sum()


@pytest.mark.parametrize("answer, fragment", [
    (lambda h, rho: F.kl_div(h.mean(0).log(), torch.full((h.shape[1],), rho), reduction="sum"),
     "Il manque le second terme"),
    (lambda h, rho: _kl(h.mean(0), torch.tensor(rho)).sum(), "n'est pas symétrique"),
    (lambda h, rho: _kl(rho, h.mean(1)).sum(), "mauvais axe"),
    (lambda h, rho: _kl(rho, h.mean()).sum(), "une seule activation moyenne"),
    (lambda h, rho: _kl(rho, h).sum(), "Vous sommez les divergences de chaque activation"),
    (lambda h, rho: _kl(rho, h).mean(0).sum(), "moyenne sur le lot des divergences"),
    (lambda h, rho: _kl(rho, h.mean(0)), "une divergence par unité"),
    (lambda h, rho: _kl(rho, h.mean(0)).mean(), "la pénalité est leur somme"),
    (lambda h, rho: (rho * torch.log2(rho / h.mean(0))
                     + (1 - rho) * torch.log2((1 - rho) / (1 - h.mean(0)))).sum(), "base 2"),
    (lambda h, rho: _kl(rho, h.mean(0)).sum().item(), "n'est pas dérivable par rapport à h"),
    (_kl_without_gradient, "n'est pas dérivable par rapport à h"),
    (_numpy_kl, "n'est pas dérivable par rapport à h"),
    (lambda h, rho: F.binary_cross_entropy(h.mean(0), torch.full((h.shape[1],), rho),
                                           reduction="sum"), "l'entropie croisée"),
    (lambda h, rho: F.binary_cross_entropy(h.mean(0), torch.full((h.shape[1],), rho)),
     "ce n'est pas Σ_j KL(ρ ‖ ρ̂_j)"),
    (lambda h, rho: _kl(rho, h.mean(0)).sum() + 1, "ce n'est pas Σ_j KL(ρ ‖ ρ̂_j)"),
    (lambda h, rho: _kl(rho, h.mean(0)).sum(dim=0, keepdim=True).expand(2),
     "un tableau de forme (2,) ; attendu : un nombre"),
], ids=["F.kl_div one term", "reversed", "axis", "global mean", "per activation sum",
        "per activation mean", "vector", "mean over units", "log2", "item", "no_grad", "numpy",
        "cross-entropy", "mean cross-entropy", "neutral", "shape"])
def test_sparse_kl_penalty_wrong_answers_are_named(answer, fragment):
    rejects(check_sparse_kl_penalty, answer, fragment)


def test_sparse_kl_penalty_with_the_notebook_rho_instead_of_its_argument_is_rejected():
    RHO = 0.05

    def sparse_kl_penalty(h, rho):
        return _kl(RHO, h.mean(dim=0)).sum()

    rejects(check_sparse_kl_penalty, sparse_kl_penalty, "ce n'est pas Σ_j KL(ρ ‖ ρ̂_j)")


def test_sparse_kl_penalty_delegating_to_the_course_functions_is_refused():
    def through_the_penalty(h, rho):
        return losses.sparse_kl_penalty(h, rho)

    def through_the_divergence(h, rho):
        return losses.bernoulli_kl(rho, h.mean(dim=0)).sum()

    for answer, name in [(through_the_penalty, "helpers.losses.sparse_kl_penalty"),
                         (through_the_divergence, "helpers.losses.bernoulli_kl")]:
        message = rejects(check_sparse_kl_penalty, answer, name)
        assert DELEGATING in message


# --- Pénalité ℓ1 -----------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    lambda h: torch.linalg.norm(h, ord=1, dim=1).mean(),
    lambda h: h.norm(p=1, dim=1).mean(),
    lambda h: h.abs().sum() / h.shape[0],
    lambda h: F.l1_loss(h, torch.zeros_like(h), reduction="sum") / len(h),
    lambda h: sum(row.abs().sum() for row in h) / len(h),
], ids=["linalg", "norm p=1", "sum over N", "l1_loss", "loop"])
def test_l1_penalty_right_answers_written_differently_pass(answer):
    assert passes(check_l1_penalty, answer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda h: F.l1_loss(h, torch.zeros_like(h)), "moyenne de toutes les coordonnées"),
    (lambda h: h.abs().sum(), "somme des normes sur le lot"),
    (lambda h: torch.norm(h, dim=1).mean(), "norme euclidienne ℓ2"),
    (lambda h: (h ** 2).sum(1).mean(), "carré de la norme euclidienne"),
    (lambda h: h.sum(1).mean(), "Il manque les valeurs absolues"),
    (lambda h: h.abs().sum(dim=0).mean(), "mauvais axes"),
    (lambda h: h.abs().sum(dim=1), "une norme par exemple"),
    (lambda h: h.abs().sum(dim=1).mean().item(), "n'est pas dérivable par rapport à h"),
    (lambda h: torch.tensor(h.detach().abs().sum(1).mean().item(), requires_grad=True),
     "n'est pas dérivable par rapport à h"),
    (lambda h: h.relu().sum(1).mean(), "ce n'est pas la norme ℓ1"),
    (lambda h: h.abs().max(dim=1).values.mean(), "ce n'est pas la norme ℓ1"),
], ids=["l1_loss mean", "sum", "l2", "squared l2", "no abs", "axes", "vector", "item",
        "new leaf", "relu", "max"])
def test_l1_penalty_wrong_answers_are_named(answer, fragment):
    rejects(check_l1_penalty, answer, fragment)


def test_l1_penalty_delegating_to_the_course_function_is_refused():
    def l1_penalty(h):
        return losses.l1_penalty(h)

    message = rejects(check_l1_penalty, l1_penalty, "helpers.losses.l1_penalty")
    assert DELEGATING in message


def test_l1_penalty_is_tried_on_several_batches():
    def l1_penalty(h):  # la taille du premier lot de la vérification, écrite en dur
        return h.abs().sum() / 5

    rejects(check_l1_penalty, l1_penalty, "ce n'est pas la norme ℓ1")


# --- Forme close de la pénalité contractive --------------------------------------------------


def _explicit_jacobians(x, layer):
    h = torch.sigmoid(layer(x.flatten(1)))
    jacobians = (h * (1 - h))[:, :, None] * layer.weight[None]  # diag(h ⊙ (1 − h)) W
    return jacobians.pow(2).sum(dim=(1, 2)).mean()


@pytest.mark.parametrize("answer", [
    lambda x, layer: torch.einsum(
        "ij,j->", (lambda h: (h * (1 - h)) ** 2)(torch.sigmoid(layer(x.view(x.size(0), -1)))),
        layer.weight.square().sum(1)) / len(x),
    lambda x, layer: ((lambda h: h * (1 - h))(torch.sigmoid(F.linear(
        x.flatten(1), layer.weight, layer.bias))) ** 2 @ (layer.weight ** 2).sum(1)).mean(),
    _explicit_jacobians,
], ids=["einsum", "matrix product", "explicit jacobians"])
def test_closed_form_penalty_right_answers_written_differently_pass(answer):
    assert passes(check_closed_form_penalty, answer)


def _closed_form(x, layer, *, flatten=lambda x: x.reshape(len(x), -1), columns=False,
                 preactivation=False, bias=True, batch="mean"):
    """La forme close d'un étudiant, avec l'une ou l'autre faute."""
    x = flatten(x)
    a = x @ layer.weight.T + (layer.bias if bias else 0)
    h = a if preactivation else torch.sigmoid(a)
    norms = layer.weight.pow(2).sum(dim=0 if columns else 1)
    per_example = ((h * (1 - h)) ** 2 * norms).sum(dim=1)
    return per_example.mean() if batch == "mean" else per_example.sum()


def _closed_form_without_gradient(x, layer):
    with torch.no_grad():
        return _closed_form(x, layer)


@pytest.mark.parametrize("answer, fragment", [
    (lambda x, layer: _closed_form(x, layer, columns=True), "normes des colonnes de W"),
    (lambda x, layer: _closed_form(x, layer, flatten=lambda x: x),
     "aplatissez chaque image en un vecteur"),
    (lambda x, layer: _closed_form(x, layer, flatten=lambda x: x.view(-1, 784)),
     "de tailles quelconques"),
    (lambda x, layer: _closed_form(x, layer, preactivation=True), "pré-activation"),
    (lambda x, layer: _closed_form(x, layer, bias=False), "Le biais b est oublié"),
    (lambda x, layer: _closed_form(x, layer, batch="sum"), "Vous sommez sur le lot"),
    (lambda x, layer: _closed_form(x, layer).item(),
     "n'est pas dérivable par rapport à la couche"),
    (_closed_form_without_gradient, "n'est pas dérivable par rapport à la couche"),
    (lambda x, layer: (torch.sigmoid(layer(x.flatten(1))).mul(1 - torch.sigmoid(
        layer(x.flatten(1)))).pow(2).sum(1) * layer.weight.norm() ** 2).mean(),
     "la norme de toute la matrice"),
    (lambda x, layer: ((lambda h: (h * (1 - h)) ** 2)(torch.sigmoid(layer(x.flatten(1))))
                       * layer.weight.norm(dim=1)).sum(1).mean(), "élevées au carré"),
    (lambda x, layer: (lambda h: (h * (1 - h)) ** 2)(torch.sigmoid(layer(x.flatten(1))))
     .sum(1).mean(), "ce n'est pas la moyenne sur le lot"),
], ids=["columns", "no flatten", "784", "preactivation", "bias", "sum", "item", "no_grad",
        "whole matrix", "row norms", "neutral"])
def test_closed_form_penalty_wrong_answers_are_named(answer, fragment):
    rejects(check_closed_form_penalty, answer, fragment)


def test_closed_form_penalty_delegating_to_the_course_closed_form_is_refused():
    def closed_form_penalty(x, layer):
        return losses.contractive_penalty_sigmoid(x, layer)

    message = rejects(check_closed_form_penalty, closed_form_penalty,
                       "helpers.losses.contractive_penalty_sigmoid")
    assert DELEGATING in message


def _by_jacrev(x, layer):
    flat = x.reshape(len(x), -1)
    jacobians = torch.func.vmap(torch.func.jacrev(lambda v: torch.sigmoid(layer(v))))(flat)
    return jacobians.pow(2).sum(dim=(1, 2)).mean()


def _by_jacfwd(x, layer):
    flat = x.reshape(len(x), -1)
    jacobians = torch.func.vmap(torch.func.jacfwd(lambda v: torch.sigmoid(layer(v))))(flat)
    return jacobians.pow(2).sum(dim=(1, 2)).mean()


def _by_jacobian(x, layer):
    flat = x.reshape(len(x), -1)
    total = 0
    for v in flat:
        jacobian = torch.autograd.functional.jacobian(lambda v: torch.sigmoid(layer(v)), v,
                                                      create_graph=True)
        total = total + jacobian.pow(2).sum()
    return total / len(x)


def _by_grad(x, layer):
    flat = x.reshape(len(x), -1).detach().requires_grad_()
    h = torch.sigmoid(layer(flat))
    total = 0
    for j in range(h.shape[1]):
        (row,) = torch.autograd.grad(h[:, j].sum(), flat, create_graph=True)
        total = total + row.pow(2).sum()
    return total / len(x)


def _by_backward(x, layer):
    flat = x.reshape(len(x), -1).detach().requires_grad_()
    h = torch.sigmoid(layer(flat))
    total = 0
    for j in range(h.shape[1]):
        flat.grad = None
        h[:, j].sum().backward(retain_graph=True)
        total = total + flat.grad.pow(2).sum()
    return total / len(x)


@pytest.mark.parametrize("answer, name", [
    (lambda x, layer: losses.contractive_penalty(lambda v: torch.sigmoid(layer(v)), x),
     "helpers.losses.contractive_penalty"),
    (_by_jacrev, "torch.func.jacrev"),
    (_by_jacfwd, "torch.func.jacfwd"),
    (_by_jacobian, "torch.autograd.functional.jacobian"),
    (_by_grad, "torch.autograd.grad"),
    (_by_backward, "torch.autograd.backward"),
], ids=["contractive_penalty", "jacrev", "jacfwd", "jacobian", "grad", "backward"])
def test_closed_form_penalty_by_automatic_differentiation_is_refused(answer, name):
    message = rejects(check_closed_form_penalty, answer, f"Votre fonction appelle {name},")
    assert "forme close, sans différentiation automatique" in message
    assert DELEGATING.capitalize() in message


def test_closed_form_penalty_is_tried_on_several_layers_vectors_and_images():
    """Une réponse qui ne marche que pour des images, ou qui garde les poids de la première couche
    vue, est refusée."""
    first = []

    def remembers_the_first_layer(x, layer):
        first.append(layer.weight.detach().clone())
        h = torch.sigmoid(layer(x.reshape(len(x), -1)))
        return ((h * (1 - h)) ** 2 * first[0].pow(2).sum(1)).sum(1).mean()

    def images_only(x, layer):
        return _closed_form(x, layer, flatten=lambda x: x[:, 0].flatten(1))

    rejects(check_closed_form_penalty, remembers_the_first_layer,
             "ce n'est pas la moyenne sur le lot")
    rejects(check_closed_form_penalty, images_only,
             "Sur un lot de vecteurs de forme (4, 12) et une couche nn.Linear(12, 12), votre "
             "fonction échoue")
    rejects(check_closed_form_penalty, lambda x, layer: _closed_form(x, layer, flatten=lambda x: x),
             "mais pas sur les mêmes images aplaties")


# --- Sensibilité du code ---------------------------------------------------------------------


def _sensitivity(model, images, radius=0.5, seed=0):
    eps = torch.randn(images.shape, generator=torch.Generator().manual_seed(seed))
    delta = radius * F.normalize(eps.flatten(1), dim=1).view_as(eps)
    change = encode(model, images + delta) - encode(model, images)
    return torch.linalg.vector_norm(change, dim=1).mean() / radius


def _sensitivity_by_image(model, images, radius=0.5, seed=0):
    device = next(model.parameters()).device
    eps = torch.randn(images.shape, generator=torch.Generator().manual_seed(seed))
    ratios = []
    with torch.no_grad():
        for x, e in zip(images, eps):
            delta = radius * e / e.norm()
            before = model.encode(x[None].to(device))
            after = model.encode((x + delta)[None].to(device))
            ratios.append(((after - before).norm() / radius).item())
    return float(np.mean(ratios))


@pytest.mark.parametrize("answer", [_sensitivity, _sensitivity_by_image],
                         ids=["normalize, 0-d tensor", "image by image, float"])
def test_sensitivity_right_answers_written_differently_pass(answer):
    assert passes(check_sensitivity, answer)


def _student_sensitivity(model, images, radius=0.5, seed=0, *, noise=None, normalise="image",
                         function=encode, divide=True):
    """La sensibilité d'un étudiant, avec l'une ou l'autre faute."""
    eps = (torch.randn(images.shape, generator=torch.Generator().manual_seed(seed))
           if noise is None else noise(images))
    if normalise == "image":
        eps = eps / eps.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
    elif normalise == "batch":
        eps = eps / eps.norm()
    change = function(model, images + radius * eps) - function(model, images)
    return (change.flatten(1).norm(dim=1) / (radius if divide else 1)).mean().item()


@pytest.mark.parametrize("mistake, fragment", [
    ({"noise": torch.randn_like}, "tirées sans le générateur demandé"),
    ({"noise": lambda images: torch.randn(images.shape,
                                          generator=torch.Generator().manual_seed(0))},
     "Avec radius=0.25 et seed=3, votre sensibilité vaut"),
    ({"normalise": "batch"}, "normalisées toutes ensemble"),
    ({"normalise": None}, "ne sont pas normalisées"),
    ({"function": reconstruct}, "sensibilité de la reconstruction"),
    ({"divide": False}, "sans la division par radius"),
], ids=["global generator", "fixed seed", "batch norm", "no norm", "reconstruction", "radius"])
def test_sensitivity_wrong_answers_are_named(mistake, fragment):
    def sensitivity(model, images, radius=0.5, seed=0):
        return _student_sensitivity(model, images, radius, seed, **mistake)

    rejects(check_sensitivity, sensitivity, fragment)


def test_sensitivity_is_tried_on_several_radii():
    def sensitivity(model, images, radius=0.5, seed=0):  # le rayon par défaut, écrit en dur
        return _student_sensitivity(model, images, 0.5, seed)

    rejects(check_sensitivity, sensitivity, "votre sensibilité vaut")


def test_sensitivity_runs_like_the_notebook(monkeypatch):
    """Comme dans le notebook, le modèle est sur `device` et les images sur le CPU (périphérique
    factice « meta » à la place d'un GPU)."""
    monkeypatch.setattr("helpers.config.device", lambda: torch.device("meta"))
    seen = []

    def sensitivity(model, images, radius=0.5, seed=0):
        seen.append((next(model.parameters()).device.type, images.device.type))
        raise NotImplementedError(STUB_MESSAGE)

    assert pending(check_sensitivity, sensitivity)
    assert seen == [("meta", "cpu")]


def test_sensitivity_without_moving_batches_to_the_device(monkeypatch):
    monkeypatch.setattr("helpers.config.device", lambda: torch.device("meta"))

    def sensitivity(model, images, radius=0.5, seed=0):
        eps = torch.randn(images.shape, generator=torch.Generator().manual_seed(seed))
        delta = radius * eps / eps.flatten(1).norm(dim=1)[:, None, None, None]
        change = model.encode(images + delta) - model.encode(images)
        return (change.norm(dim=1) / radius).mean().item()

    rejects(check_sensitivity, sensitivity, "deux périphériques")


# --- Corruption par un bruit gaussien ---------------------------------------------------------


def _corrupt_normal(images, sigma, clip=True, generator=None):
    noisy = images + torch.normal(0.0, sigma, images.shape, generator=generator)
    return torch.clip(noisy, 0, 1) if clip else noisy


def _corrupt_on_a_copy(images, sigma, clip=True, generator=None):
    noisy = images.clone()
    noisy += sigma * torch.empty_like(images).normal_(generator=generator)
    if clip:
        noisy.clamp_(0, 1)
    return noisy


def _corrupt_numpy(images, sigma, clip=True, generator=None):
    noisy = (images + sigma * torch.randn(images.size(), generator=generator)).numpy()
    return np.clip(noisy, 0, 1) if clip else noisy


def _corrupt_keywords_only(images, sigma, *, clip=True, generator=None):
    noisy = images + sigma * torch.randn(images.shape, generator=generator)
    return noisy.clamp(0, 1) if clip else noisy


@pytest.mark.parametrize("answer", [_corrupt_normal, _corrupt_on_a_copy, _corrupt_numpy,
                                    _corrupt_keywords_only],
                         ids=["torch.normal", "in place on a copy", "numpy", "keyword-only"])
def test_corrupt_right_answers_written_differently_pass(answer):
    assert passes(check_corrupt, answer)


def _student_corrupt(images, sigma, clip=True, generator=None, *, noise=None, factor=None,
                     clip_when=None, bounds=(0, 1)):
    """La corruption d'un étudiant, avec l'une ou l'autre faute."""
    eps = torch.randn(images.shape, generator=generator) if noise is None else noise(images)
    noisy = images + (sigma if factor is None else factor(sigma)) * eps
    return noisy.clamp(*bounds) if (clip if clip_when is None else clip_when) else noisy


def _in_place(images, sigma, clip=True, generator=None):
    images += sigma * torch.randn(images.shape, generator=generator)
    return images.clamp(0, 1) if clip else images


@pytest.mark.parametrize("mistake, fragment", [
    ({"noise": torch.randn_like}, "sans le générateur reçu en argument"),
    ({"noise": lambda images: torch.rand(images.shape)}, "Avec sigma=0.5 et clip=False"),
    ({"noise": lambda images: torch.from_numpy(
        np.random.default_rng(0).standard_normal(images.shape).astype(np.float32))},
     "le résultat n'est pas x + σ ε"),
    ({"factor": lambda sigma: sigma ** 2}, "multiplié par σ²"),
    ({"clip_when": True}, "Avec clip=False, l'image bruitée ne doit pas être ramenée"),
    ({"clip_when": False}, "Avec clip=True, l'image bruitée doit être ramenée dans [0, 1]"),
    ({"bounds": (0, 255)}, "Avec clip=True, l'image bruitée doit être ramenée dans [0, 1]"),
], ids=["randn_like", "rand without generator", "numpy noise", "sigma squared", "always clip",
        "never clip", "clamp 0-255"])
def test_corrupt_wrong_answers_are_named(mistake, fragment):
    def corrupt(images, sigma, clip=True, generator=None):
        return _student_corrupt(images, sigma, clip, generator, **mistake)

    rejects(check_corrupt, corrupt, fragment)


def test_corrupt_modifying_the_images_in_place_is_rejected():
    rejects(check_corrupt, _in_place, "modifie le tenseur images reçu en argument")


def test_corrupt_with_a_global_sigma_is_rejected():
    """Le trou de l'issue : un σ global (0,5, celui du notebook) au lieu de l'argument."""
    SIGMA = 0.5

    def corrupt(images, sigma, clip=True, generator=None):
        return _student_corrupt(images, SIGMA, clip, generator)

    rejects(check_corrupt, corrupt, "toujours l'écart type 0,5, quel que soit l'argument sigma")


def test_corrupt_is_tried_with_both_clip_values_and_several_generators():
    def own_generator(images, sigma, clip=True, generator=None):
        return _student_corrupt(images, sigma, clip, torch.Generator().manual_seed(0))

    def clip_by_default(images, sigma, clip=True, generator=None):
        return _student_corrupt(images, sigma, True, generator)

    rejects(check_corrupt, own_generator, "le résultat n'est pas x + σ ε")
    rejects(check_corrupt, clip_by_default, "Avec clip=False, l'image bruitée ne doit pas être")


def test_corrupt_is_tried_on_several_image_shapes():
    def corrupt(images, sigma, clip=True, generator=None):  # le bruit d'une seule image
        noisy = images + sigma * torch.randn(images[0].shape, generator=generator)
        return noisy.clamp(0, 1) if clip else noisy

    rejects(check_corrupt, corrupt, "Toutes les images reçoivent le même bruit")


def test_corrupt_delegating_to_the_course_function_is_refused():
    def corrupt(images, sigma, clip=True, generator=None):
        return data.add_gaussian_noise(images, sigma, clip=clip, generator=generator)

    message = rejects(check_corrupt, corrupt, "helpers.data.add_gaussian_noise")
    assert DELEGATING in message
