"""Les outils du TP 7 : basse résolution, carrés cachés, lettres tracées, réseau de
super-résolution, objectifs de masquage et de super-résolution, inversion sur les pixels visibles.
Chaque résultat est comparé à un calcul indépendant (scikit-image, sélection des pixels, boucle)."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from skimage.transform import downscale_local_mean
from torch import nn

from helpers import inversion
from helpers.data import LETTERS, downsample, draw_letters, hide_squares
from helpers.models import DenseAutoencoder, SuperResolutionNet
from helpers.objectives import MaskingObjective, SuperResolutionObjective


def exactly(message: str) -> str:
    """Motif de ``pytest.raises(match=…)`` pour ce message exactement."""
    return "^" + re.escape(message) + "$"


def _random_images(n: int, seed: int = 0, size: int = 28) -> torch.Tensor:
    return torch.rand(n, 1, size, size, generator=torch.Generator().manual_seed(seed))


# --- downsample --------------------------------------------------------------------------------


@pytest.mark.parametrize("factor, size", [(2, 28), (4, 28), (3, 12)])
def test_downsample_is_scikit_images_local_mean(factor, size):
    images = _random_images(3, size=size)
    expected = downscale_local_mean(images.numpy(), (1, 1, factor, factor))
    np.testing.assert_allclose(downsample(images, factor).numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("shape", [(4, 784), (4, 28, 28), (2, 1, 27, 28)])
def test_downsample_refuses_other_shapes_in_french(shape):
    with pytest.raises(ValueError, match="multiples de 2"):
        downsample(torch.rand(shape))


# --- hide_squares ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 10, 20])
def test_each_hole_is_one_square_inside_the_central_box(size):
    images = _random_images(50)
    masked, hole = hide_squares(images, size, fill=0.25, generator=torch.Generator().manual_seed(3))
    assert hole.dtype == torch.bool and hole.shape == images.shape
    for image, original, square in zip(masked[:, 0], images[:, 0], hole[:, 0]):
        rows, cols = torch.nonzero(square, as_tuple=True)
        assert len(rows) == size * size
        assert rows.max() - rows.min() == cols.max() - cols.min() == size - 1  # un carré plein
        assert rows.min() >= 4 and rows.max() < 24 and cols.min() >= 4 and cols.max() < 24
        assert torch.all(image[square] == 0.25) and torch.equal(image[~square], original[~square])


def test_hole_positions_are_reproducible_and_spread():
    images = _random_images(200)
    _, first = hide_squares(images, 10, generator=torch.Generator().manual_seed(1))
    _, again = hide_squares(images, 10, generator=torch.Generator().manual_seed(1))
    _, other = hide_squares(images, 10, generator=torch.Generator().manual_seed(2))
    assert torch.equal(first, again) and not torch.equal(first, other)
    corners = {tuple(torch.nonzero(h[0])[0].tolist()) for h in first}
    assert len(corners) > 50  # 11 × 11 positions possibles : elles sont bien tirées au hasard
    assert {r for r, _ in corners} == set(range(4, 15))


def test_hide_squares_leaves_its_input_unchanged():
    images = _random_images(4)
    copy = images.clone()
    hide_squares(images, 10)
    assert torch.equal(images, copy)


@pytest.mark.parametrize("call, message", [
    (lambda: hide_squares(torch.rand(2, 1, 28, 28), 21),
     "Carré de côté 21 : au plus 20 pixels, la taille de la boîte où MNIST place les chiffres."),
    (lambda: hide_squares(torch.rand(2, 784), 10),
     "Images de forme (2, 784) : attendu (N, 1, 28, 28)."),
])
def test_hide_squares_errors_in_french(call, message):
    with pytest.raises(ValueError, match=exactly(message)):
        call()


# --- draw_letters ------------------------------------------------------------------------------


def test_letters_look_like_mnist_digits():
    letters = draw_letters()
    assert letters.shape == (len(LETTERS), 1, 28, 28) and letters.dtype == torch.float32
    assert letters.min() == 0 and letters.max() == 1
    ink = letters.mean(dim=(1, 2, 3))
    assert torch.all((ink > 0.05) & (ink < 0.25))  # MNIST : 0,13 en moyenne
    border = torch.ones(28, 28, dtype=torch.bool)
    border[2:26, 2:26] = False
    assert letters[:, 0, border].max() == 0  # rien hors de la boîte centrale (et de ses bords)
    assert len({tuple(letter.flatten().tolist()) for letter in letters}) == len(LETTERS)


def test_draw_letters_in_the_requested_order_and_unknown_letters():
    assert torch.equal(draw_letters("TA"), draw_letters()[[LETTERS.index("T"), LETTERS.index("A")]])
    assert draw_letters("").shape == (0, 1, 28, 28)
    with pytest.raises(ValueError, match=exactly("Lettres inconnues B, a : choisissez parmi "
                                                 f"{LETTERS}.")):
        draw_letters("aB")


# --- SuperResolutionNet et SuperResolutionObjective --------------------------------------------


def test_super_resolution_is_bicubic_plus_a_correction():
    torch.manual_seed(0)
    model = SuperResolutionNet(channels=8, depth=3)
    low = downsample(_random_images(2))
    assert model(low).shape == (2, 1, 28, 28)
    last = model.body[-2]
    nn.init.zeros_(last.weight)
    nn.init.zeros_(last.bias)
    bicubic = F.interpolate(low, size=(28, 28), mode="bicubic", align_corners=False).clamp(0, 1)
    torch.testing.assert_close(model(low), bicubic)
    last.bias.data = torch.tensor([0.1, 0.2, 0.3, 0.4])
    # Le canal c de la dernière convolution donne le pixel (c // 2, c % 2) de chaque bloc 2 × 2.
    correction = model(low) - F.interpolate(low, scale_factor=2, mode="bicubic", align_corners=False)
    inside = (bicubic > 0.01) & (bicubic < 0.5)  # là où la sortie n'est pas ramenée dans [0, 1]
    for c, value in enumerate((0.1, 0.2, 0.3, 0.4)):
        block = correction[..., c // 2::2, c % 2::2]
        assert torch.allclose(block[inside[..., c // 2::2, c % 2::2]], torch.tensor(value), atol=1e-6)


def test_super_resolution_sees_only_a_neighbourhood():
    torch.manual_seed(0)
    model = SuperResolutionNet(channels=4, depth=2)
    nn.init.zeros_(model.body[-2].bias)
    low = torch.full((1, 1, 14, 14), 0.3)
    changed = low.clone()
    changed[0, 0, 0, 0] = 0.9
    difference = (model(changed) - model(low)).abs()[0, 0]
    # Deux convolutions 3 × 3 : le pixel (0, 0) n'influence pas la correction au-delà de 2 pixels
    # en basse résolution ; le noyau bicubique, au-delà de 2 pixels non plus.
    assert difference[6:, :].max() == 0 and difference[:, 6:].max() == 0
    assert difference[:2, :2].min() > 0


@pytest.mark.parametrize("kwargs, message", [
    ({"depth": 1}, "depth = 1 : il faut au moins deux convolutions."),
    ({"channels": 0}, None),
])
def test_super_resolution_arguments(kwargs, message):
    with pytest.raises(ValueError, match=exactly(message) if message else "channels"):
        SuperResolutionNet(**kwargs)


@pytest.mark.parametrize("images", [torch.rand(2, 196), torch.rand(2, 3, 14, 14)])
def test_super_resolution_refuses_other_shapes(images):
    with pytest.raises(ValueError, match="attendu des images \\(N, 1, H, W\\)"):
        SuperResolutionNet()(images)


def test_super_resolution_objective_compares_the_output_of_the_block_means_with_x():
    torch.manual_seed(0)
    model = SuperResolutionNet(channels=4, depth=2)
    images = _random_images(3)
    low = images.reshape(3, 1, 14, 2, 14, 2).mean(dim=(3, 5))
    expected = (model(low) - images).pow(2).mean()
    torch.testing.assert_close(SuperResolutionObjective()(model, images), expected)


# --- MaskingObjective --------------------------------------------------------------------------


@pytest.mark.parametrize("flat", [False, True])
def test_masking_objective_feeds_images_with_one_grey_square_and_compares_with_clean_ones(flat):
    seen = []

    class Recording(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.tensor(0.5))

        def forward(self, x):
            seen.append(x.detach().clone())
            return self.scale * x

    images = _random_images(6)
    batch = images.flatten(1) if flat else images
    model = Recording()
    value = MaskingObjective(size=5, fill=0.75)(model, batch)
    fed = seen[0].reshape(6, 1, 28, 28)
    hidden = fed != images
    assert torch.all(hidden.sum(dim=(1, 2, 3)) <= 25) and torch.all(fed[hidden] == 0.75)
    expected = (0.5 * seen[0].reshape(batch.shape) - batch).pow(2).mean()
    torch.testing.assert_close(value, expected)


def test_masking_objective_size_is_checked_at_creation():
    with pytest.raises(ValueError, match=exactly("Carré de côté 21 : au plus 20 pixels.")):
        MaskingObjective(size=21)


def test_masking_objective_trains_a_dense_autoencoder():
    torch.manual_seed(0)
    model = DenseAutoencoder(4, hidden=(16,))
    objective = MaskingObjective(size=8)
    images = _random_images(16)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    torch.manual_seed(1)
    before = objective(model, images).item()
    for _ in range(30):
        optimizer.zero_grad()
        objective(model, images).backward()
        optimizer.step()
    torch.manual_seed(1)
    assert objective(model, images).item() < before


# --- Inversion sur les pixels visibles ---------------------------------------------------------


@pytest.fixture
def decoder_and_targets():
    torch.manual_seed(0)
    decoder = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 10), nn.Sigmoid())
    decoder.requires_grad_(False)
    targets = torch.rand(5, 10)
    init = torch.randn(5, 3)
    return decoder, targets, init


def test_decoding_errors_on_visible_pixels_by_hand(decoder_and_targets):
    decoder, targets, init = decoder_and_targets
    visible = torch.rand(5, 10) > 0.4
    expected = torch.stack([(decoder(h[None])[0] - x)[v].pow(2).sum()
                            for h, x, v in zip(init, targets, visible)])
    torch.testing.assert_close(inversion.decoding_errors(decoder, init, targets, visible), expected)
    torch.testing.assert_close(inversion.decoding_errors(decoder, init, targets, visible.float()),
                               expected)


def test_inversion_on_visible_pixels_is_the_inversion_of_the_visible_part(decoder_and_targets):
    """Même masque pour toutes les images : c'est l'inversion du décodeur suivi de la sélection
    des pixels visibles, sur les seuls pixels visibles des cibles."""
    decoder, targets, init = decoder_and_targets
    keep = torch.tensor([0, 2, 3, 7, 8, 9])
    visible = torch.zeros(5, 10, dtype=torch.bool)
    visible[:, keep] = True
    masked = inversion.invert_batched(decoder, targets, init, steps=30, lr=0.05, chunk_size=2,
                                      visible=visible)
    selected = inversion.invert_batched(lambda h: decoder(h)[:, keep], targets[:, keep], init,
                                        steps=30, lr=0.05)
    torch.testing.assert_close(masked.codes, selected.codes)
    torch.testing.assert_close(masked.errors, selected.errors)


def test_hidden_target_pixels_do_not_matter(decoder_and_targets):
    decoder, targets, init = decoder_and_targets
    visible = torch.rand(5, 10) > 0.5
    other = torch.where(visible, targets, torch.rand(5, 10))
    first = inversion.invert_batched(decoder, targets, init, steps=20, visible=visible)
    second = inversion.invert_batched(decoder, other, init, steps=20, visible=visible)
    assert torch.equal(first.codes, second.codes)
    plain = inversion.invert_batched(decoder, targets, init, steps=20)
    assert not torch.allclose(first.codes, plain.codes)


def test_visible_mask_must_have_the_shape_of_the_targets(decoder_and_targets):
    decoder, targets, init = decoder_and_targets
    with pytest.raises(ValueError, match=exactly(
            "Masque visible de forme (5, 9) pour des cibles de forme (5, 10) : il faut la même "
            "forme.")):
        inversion.invert_batched(decoder, targets, init, visible=torch.ones(5, 9, dtype=torch.bool))
