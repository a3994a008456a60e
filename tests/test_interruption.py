"""Pannes pendant l'entraînement et la sauvegarde du modèle en cache : processus tué (SIGKILL) en
pleine écriture ou en plein entraînement, dossier du cache en lecture seule ou inaccessible.

Les tests de droits d'accès tournent sous l'utilisateur ``nobody`` quand on est root (voir
``unprivileged.py``). Chaque test fait d'abord le même calcul dans le processus parent, comme
référence : cela charge aussi les modules que torch importe à la demande, que ``nobody`` ne
pourrait pas lire.
"""

import math
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
import torch

from helpers.checkpoints import STALE_SECONDS, load, save_atomic
from helpers.models import DenseAutoencoder
from helpers.train import fit_cached
from unprivileged import run_unprivileged

ROOT = Path(__file__).resolve().parent.parent


def train_tiny(**options):
    """Petit entraînement reproductible par ``fit_cached`` (même clé de cache à chaque appel)."""
    torch.manual_seed(0)
    images = torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    model = DenseAutoencoder(code_dim=4, hidden=(16,))
    history = fit_cached("tiny", model, images, epochs=2, batch_size=16, progress=False, **options)
    return model, history


def _train_and_report():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        epochs = []
        _, history = train_tiny(on_epoch_end=lambda epoch, model: epochs.append(epoch))
    return {"trained": epochs == [1, 2], "loss": history.train_loss,
            "warnings": [str(w.message) for w in caught]}


@pytest.mark.parametrize("mode", [0o555, 0o000], ids=["lecture-seule", "inaccessible"])
def test_unwritable_cache_trains_without_saving(open_tmp, monkeypatch, mode):
    monkeypatch.setenv("AE_CACHE_DIR", str(open_tmp / "reference"))
    _, reference = train_tiny()
    cache = open_tmp / "cache"
    cache.mkdir()
    cache.chmod(mode)
    monkeypatch.setenv("AE_CACHE_DIR", str(cache))
    status, report = run_unprivileged(_train_and_report)
    assert status == "ok" and report["trained"]
    # Entraînement normal, seulement pas sauvegardé (le fils calcule sur un seul fil : les sommes
    # en virgule flottante peuvent différer au dernier chiffre).
    assert report["loss"] == pytest.approx(reference.train_loss, rel=1e-6)
    (message,) = report["warnings"]
    assert "ne sera pas sauvegardé" in message and "AE_CACHE_DIR" in message
    cache.chmod(0o755)  # pour lister le dossier, même sans être root
    assert os.listdir(cache) == []


def test_cache_dir_pointing_at_a_file_trains_without_saving(tmp_path, monkeypatch):
    a_file = tmp_path / "cache"
    a_file.write_text("pas un dossier")
    monkeypatch.setenv("AE_CACHE_DIR", str(a_file))
    with pytest.warns(UserWarning, match="ne sera pas sauvegardé"):
        _, history = train_tiny()
    assert math.isfinite(history.train_loss[-1])


def test_read_only_cache_with_the_model_loads_it(open_tmp, monkeypatch):
    cache = open_tmp / "cache"
    monkeypatch.setenv("AE_CACHE_DIR", str(cache))
    _, history = train_tiny()  # remplit le cache
    cache.chmod(0o555)
    status, report = run_unprivileged(_train_and_report)
    assert status == "ok" and not report["trained"] and report["warnings"] == []
    assert report["loss"] == history.train_loss


# --- Processus tué ---------------------------------------------------------------------------

KILLED_WHILE_SAVING = """
import io, os, signal, torch
real_save = torch.save

def save_half_then_die(obj, handle):
    buffer = io.BytesIO()
    real_save(obj, buffer)
    handle.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    handle.flush()
    os.kill(os.getpid(), signal.SIGKILL)

torch.save = save_half_then_die
from test_interruption import train_tiny
train_tiny()
"""

KILLED_WHILE_TRAINING = """
import os, signal
from test_interruption import train_tiny
train_tiny(on_epoch_end=lambda epoch, model: os.kill(os.getpid(), signal.SIGKILL))
"""


def _run_killed(code: str, cache: Path) -> None:
    env = {**os.environ, "AE_CACHE_DIR": str(cache), "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, timeout=300,
                            capture_output=True, text=True)
    assert result.returncode == -signal.SIGKILL, result.stderr


def _recovers(cache: Path) -> Path:
    """Le processus suivant entraîne de nouveau et laisse un modèle complet et chargeable."""
    epochs = []
    model, history = train_tiny(on_epoch_end=lambda epoch, model: epochs.append(epoch))
    assert epochs == [1, 2] and all(math.isfinite(value) for value in history.train_loss)
    (checkpoint,) = cache.glob("tiny-*.pt")
    saved = load(checkpoint)
    for name, weights in model.state_dict().items():
        assert torch.equal(saved["state_dict"][name], weights)
    assert saved["history"]["train_loss"] == history.train_loss
    return checkpoint


def test_killed_while_saving_leaves_no_corrupt_checkpoint(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("AE_CACHE_DIR", str(cache))
    _run_killed(KILLED_WHILE_SAVING, cache)
    assert list(cache.glob("*.pt")) == []  # le nom définitif n'existe pas
    (partial,) = cache.glob(".tiny-*.pt.*.tmp")  # le fichier à moitié écrit est à part
    with pytest.raises((OSError, RuntimeError)):  # selon la version de torch
        torch.load(partial, weights_only=True)
    with pytest.warns(UserWarning, match="illisible"):
        assert load(partial) is None
    checkpoint = _recovers(cache)
    assert partial.name.startswith(f".{checkpoint.name}.")  # même configuration que le processus tué
    # Le fichier temporaire récent est laissé (une écriture en cours ?) ; vieux, il est effacé.
    assert partial.exists()
    old = time.time() - STALE_SECONDS - 60
    os.utime(partial, (old, old))
    save_atomic({"x": 1}, cache / "autre.pt")
    assert not partial.exists() and checkpoint.exists()


def test_killed_while_training_next_run_trains_and_saves(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("AE_CACHE_DIR", str(cache))
    _run_killed(KILLED_WHILE_TRAINING, cache)
    assert not cache.exists() or os.listdir(cache) == []
    _recovers(cache)
