"""Poids en float16 versionnés (entraînement long) : aller-retour, fichier absent, illisible ou
d'un autre modèle."""

import pytest
import torch

from helpers.checkpoints import load_half, save_half
from helpers.models import DenseAutoencoder


def test_half_weights_round_trip(tmp_path):
    torch.manual_seed(0)
    model = DenseAutoencoder(code_dim=4, hidden=(16,))
    path = tmp_path / "weights.pt"
    save_half(model, path, {"epochs": 3})
    assert path.stat().st_size < 2 * 4 * sum(w.numel() for w in model.parameters())
    copy = DenseAutoencoder(code_dim=4, hidden=(16,))
    assert load_half(copy, path) == {"epochs": 3}
    for a, b in zip(model.parameters(), copy.parameters()):
        assert b.dtype == torch.float32
        assert torch.allclose(a, b, rtol=1e-3, atol=1e-4)


def test_missing_file_gives_none(tmp_path):
    assert load_half(DenseAutoencoder(code_dim=4), tmp_path / "absent.pt") is None


def test_corrupted_or_mismatched_file_is_ignored_with_a_warning(tmp_path):
    path = tmp_path / "weights.pt"
    save_half(DenseAutoencoder(code_dim=4, hidden=(16,)), path, {})
    with pytest.warns(UserWarning, match="ne correspondent pas"):
        assert load_half(DenseAutoencoder(code_dim=8, hidden=(16,)), path) is None
    path.write_bytes(path.read_bytes()[:100])
    with pytest.warns(UserWarning, match="illisible"):
        assert load_half(DenseAutoencoder(code_dim=4, hidden=(16,)), path) is None
