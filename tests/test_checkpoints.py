"""Poids en float16 versionnés (entraînement long) : aller-retour, fichier absent, illisible ou
d'un autre modèle."""

import os
import time

import pytest
import torch

from helpers.checkpoints import STALE_SECONDS, load, load_half, save_atomic, save_half
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


def test_save_atomic_file_mode_stale_temporaries_and_failure(tmp_path, monkeypatch):
    """Écriture atomique : fichier lisible par tous (cache partageable), fichiers temporaires
    d'écritures tuées effacés s'ils ont plus de STALE_SECONDS, rien laissé si l'écriture échoue."""
    old = time.time() - STALE_SECONDS - 60
    stale, recent, unrelated = (tmp_path / ".a.pt.x1.tmp", tmp_path / ".b.pt.x2.tmp", tmp_path / "notes.tmp")
    for path in (stale, recent, unrelated):
        path.write_bytes(b"partiel")
    for path in (stale, unrelated):
        os.utime(path, (old, old))
    target = tmp_path / "c.pt"
    save_atomic({"x": 1}, target)
    assert load(target) == {"x": 1} and target.stat().st_mode & 0o777 == 0o644
    assert not stale.exists() and recent.exists() and unrelated.exists()

    def disk_full(obj, handle):
        handle.write(b"debut")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_atomic({"x": 2}, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".b.pt.x2.tmp", "c.pt", "notes.tmp"]
    assert load(target) == {"x": 1}
