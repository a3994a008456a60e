"""Cache des modèles entraînés : une clé qui change avec chacune de ses entrées (code de helpers
compris), rechargement sans ré-entraînement, écriture atomique, fichier illisible ré-entraîné,
dossier inutilisable ; poids float16 versionnés de l'entraînement long."""

import dataclasses
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.checkpoints import (cache_dir, cache_key, fit_cached, load, load_half, save_atomic,
                                 save_half)
from helpers.models import DenseAutoencoder
from helpers.objectives import DenoisingObjective, SparseKLObjective, SparseL1Objective
from helpers.train import classification_loss, fit, reconstruction_mse

ROOT = Path(__file__).resolve().parent.parent


def _model(seed=0, code_dim=3):
    torch.manual_seed(seed)
    return DenseAutoencoder(code_dim=code_dim, hidden=(16,), code_activation="sigmoid")


def _key(images, model=None, test_images=None, loss=reconstruction_mse, **options):
    options = {"epochs": 2, **options}
    return cache_key(model or _model(), images, test_images, loss, options)


# --- La clé ----------------------------------------------------------------------------------


def test_the_key_is_stable(images):
    assert _key(images) == _key(images.clone())
    assert _key(images, progress=False) == _key(images, progress=True)  # l'affichage ne compte pas


@pytest.mark.parametrize("change", [
    {"model": _model(code_dim=4)},           # architecture
    {"model": DenseAutoencoder(3, (16,), activation="tanh", code_activation="sigmoid")},
    {"model": _model(seed=1)},               # poids initiaux
    {"loss": SparseL1Objective(0.1)},        # perte
    {"loss": classification_loss},
    {"epochs": 3}, {"batch_size": 32}, {"lr": 2e-3}, {"seed": 1}, {"cosine": True},
    {"targets": torch.arange(64) % 2},
], ids=lambda change: next(iter(change)))
def test_each_input_changes_the_key(images, change):
    assert _key(images, **change) != _key(images)


def test_an_activation_alone_changes_the_key(images):
    """Mêmes poids initiaux, autre architecture : seul le repr du modèle les distingue."""
    torch.manual_seed(0)
    relu = DenseAutoencoder(3, (16,))
    torch.manual_seed(0)
    tanh = DenseAutoencoder(3, (16,), activation="tanh")
    assert all(torch.equal(a, b) for a, b in zip(relu.parameters(), tanh.parameters()))
    assert _key(images, model=relu) != _key(images, model=tanh)


def test_the_order_and_the_type_of_the_options_do_not_matter(images):
    model = _model()
    assert cache_key(model, images, None, reconstruction_mse, {"epochs": 2, "lr": 1e-3}) == \
        cache_key(model, images, None, reconstruction_mse, {"lr": 1e-3, "epochs": 2})
    numpy_lr = cache_key(model, images, None, reconstruction_mse, {"lr": np.float32(1e-3)})
    assert numpy_lr != cache_key(model, images, None, reconstruction_mse, {"lr": 2e-3})


def test_the_data_change_the_key(images):
    assert _key(images[:-1]) != _key(images)
    shifted = images.clone()
    shifted[0, 0, 0, 0] += 0.5
    assert _key(shifted) != _key(images)
    # mêmes sommes, mêmes sommes des carrés, autres images : pixels échangés, images transposées
    swapped = images.clone().flatten(1)
    lit, dark = swapped[0].argmax(), swapped[0].argmin()
    swapped[0, lit], swapped[0, dark] = swapped[0, dark].item(), swapped[0, lit].item()
    swapped = swapped.reshape(images.shape)
    assert not torch.equal(swapped, images) and _key(swapped) != _key(images)
    assert _key(images.transpose(2, 3)) != _key(images)
    assert _key(images.double()) != _key(images)
    assert _key(images, test_images=images[:8]) != _key(images)
    assert _key(images, test_images=images[:8]) != _key(images, test_images=images[8:16])


def test_the_hyperparameters_of_an_objective_change_the_key(images):
    keys = {_key(images, loss=loss) for loss in (
        SparseKLObjective(rho=0.05, beta=0.1), SparseKLObjective(rho=0.05, beta=0.2),
        SparseKLObjective(rho=0.1, beta=0.1), DenoisingObjective(0.5),
        DenoisingObjective(0.5, clip=False), DenoisingObjective(0.3))}
    assert len(keys) == 6


def test_the_training_code_changes_the_key(images, monkeypatch):
    before = _key(images)
    monkeypatch.setattr("helpers.checkpoints.source_hash", lambda training_only=False: "autre")
    assert _key(images) != before


def test_the_key_uses_the_hash_of_the_training_code_only(images, monkeypatch):
    calls = []
    monkeypatch.setattr("helpers.checkpoints.source_hash",
                        lambda training_only=False: calls.append(training_only) or "code")
    _key(images)
    assert calls == [True]


def test_tensor_options_are_fingerprinted_in_full(images):
    """Des étiquettes qui ne diffèrent qu'au milieu (là où repr() abrège un long tenseur)."""
    labels = torch.zeros(5000, dtype=torch.long)
    other = labels.clone()
    other[2500] = 1
    assert repr(labels) == repr(other)
    assert _key(images, targets=labels) != _key(images, targets=other)


def test_source_hash_covers_training_code_only(tmp_path):
    """Modifier une perte change l'empreinte « entraînement » ; modifier une figure ou un quiz ne
    change que l'empreinte de tout le paquet (celle du cache d'exécution des pages)."""
    copy = tmp_path / "helpers"
    shutil.copytree(ROOT / "helpers", copy, ignore=shutil.ignore_patterns("__pycache__"))

    def hashes():
        code = "import helpers; print(helpers.source_hash(True), helpers.source_hash())"
        result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                                text=True, check=True, env={**os.environ, "PYTHONPATH": ""})
        return result.stdout.split()

    training, everything = hashes()
    with open(copy / "plots.py", "a") as handle:
        handle.write("\n# une retouche de figure\n")
    after_plots = hashes()
    assert after_plots[0] == training and after_plots[1] != everything
    quiz = next((copy / "quizzes").glob("*.json"))
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("Non", "Non,", 1), encoding="utf-8")
    after_quiz = hashes()
    assert after_quiz[0] == training and after_quiz[1] != after_plots[1]
    with open(copy / "losses.py", "a") as handle:
        handle.write("\n# une retouche de perte\n")
    assert hashes()[0] != training


def module_loss(model, x):
    """Une perte définie dans un module hors de helpers, comme dans un notebook."""
    return F.mse_loss(model(x), x)


@dataclasses.dataclass(frozen=True)
class NotebookObjective:
    beta: float

    def __call__(self, model, x):
        return self.beta * F.mse_loss(model(x), x)


def test_losses_without_a_stable_description_are_refused(images):
    def local_loss(model, x):
        return reconstruction_mse(model, x)

    helpers_lambda = lambda model, x: reconstruction_mse(model, x)  # noqa: E731
    helpers_lambda.__module__ = "helpers.train"
    for loss in (lambda model, x: reconstruction_mse(model, x), local_loss, module_loss,
                 NotebookObjective(0.5), helpers_lambda):
        with pytest.raises(ValueError, match=r"^fit_cached ne sait pas décrire la perte .* de façon "
                                             r"sûre .* entraînez le modèle avec fit, sans cache\.$"):
            _key(images, loss=loss)


def test_the_default_cache_dir_is_under_the_build_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("AE_CACHE_DIR", raising=False)
    assert cache_dir() == ROOT / "_build" / "checkpoints"
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "ailleurs"))
    assert cache_dir() == tmp_path / "ailleurs"


# --- fit_cached ------------------------------------------------------------------------------


def test_fit_cached_trains_once_then_loads(images, tmp_path, monkeypatch):
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path))
    first = _model()
    h1 = fit_cached("ae", first, images, epochs=2, progress=False)
    assert len(list(tmp_path.glob("ae-*.pt"))) == 1
    second, calls = _model(), []
    h2 = fit_cached("ae", second, images, epochs=2, progress=False,
                    on_epoch_end=lambda epoch, model: calls.append(epoch))
    assert calls == [] and h2 == h1 and not second.training
    for a, b in zip(first.parameters(), second.parameters()):
        assert torch.equal(a, b)
    fit_cached("ae", _model(), images, epochs=1, progress=False)  # une autre configuration
    assert len(list(tmp_path.glob("ae-*.pt"))) == 2


def test_fit_cached_trains_like_fit_with_the_loss_and_test_images(images, tmp_path, monkeypatch):
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path))
    options = {"epochs": 2, "batch_size": 16, "loss": SparseL1Objective(0.01), "progress": False}
    reference = fit(_model(), images, test_images=images[:8], **options)
    cached = fit_cached("ae", _model(), images, test_images=images[:8], **options)
    assert cached.train_loss == reference.train_loss and cached.test_loss == reference.test_loss
    fit_cached("ae", _model(), images, test_images=images[8:16], **options)
    assert len(list(tmp_path.glob("ae-*.pt"))) == 2  # d'autres images de test, un autre modèle


EDIT_A_LOSS_AND_TRAIN = """
import sys, torch
sys.path.insert(0, sys.argv[1])
from helpers.checkpoints import fit_cached
from helpers.models import DenseAutoencoder
from helpers.objectives import SparseL1Objective
torch.manual_seed(0)
model = DenseAutoencoder(code_dim=3, hidden=(16,))
images = torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(0))
epochs = []
history = fit_cached("copie", model, images, epochs=1, batch_size=8, progress=False,
                     loss=SparseL1Objective(0.1), on_epoch_end=lambda e, m: epochs.append(e))
print("entraîné" if epochs else "rechargé", history.train_loss[0])
"""


def test_editing_a_loss_retrains_the_cached_model(tmp_path):
    """Sur une copie de helpers : même code → rechargé ; figure modifiée → rechargé aussi ; perte
    modifiée → ré-entraîné, avec la nouvelle perte (et non le modèle et l'historique de l'ancien
    code)."""
    copy = tmp_path / "code"
    shutil.copytree(ROOT / "helpers", copy / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "AE_CACHE_DIR": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}

    def run():
        result = subprocess.run([sys.executable, "-c", EDIT_A_LOSS_AND_TRAIN, str(copy)], env=env,
                                capture_output=True, text=True, check=True)
        status, loss = result.stdout.split()
        return status, float(loss)

    first = run()
    assert first[0] == "entraîné" and run() == ("rechargé", first[1])
    with open(copy / "helpers" / "plots.py", "a", encoding="utf-8") as handle:
        handle.write("\n# une retouche de figure\n")
    assert run() == ("rechargé", first[1])
    losses = copy / "helpers" / "losses.py"
    text = losses.read_text(encoding="utf-8")
    edited = text.replace("return h.abs().sum(dim=1).mean()", "return 10 * h.abs().sum(dim=1).mean()")
    assert edited != text
    losses.write_text(edited, encoding="utf-8")
    status, loss = run()
    assert status == "entraîné" and loss > first[1]


def test_corrupted_cache_is_retrained_with_a_warning(images, tmp_path, monkeypatch):
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path))
    fit_cached("ae", _model(), images, epochs=1, progress=False)
    (path,) = tmp_path.glob("ae-*.pt")
    path.write_bytes(path.read_bytes()[:100])
    try:
        torch.load(path, weights_only=True)
    except Exception as error:  # noqa: BLE001 — le type exact dépend de la version de torch
        kind = type(error).__name__
    epochs = []
    with pytest.warns(UserWarning) as caught:
        history = fit_cached("ae", _model(), images, epochs=1, progress=False,
                             on_epoch_end=lambda epoch, model: epochs.append(epoch))
    (warning,) = caught
    assert str(warning.message) == f"Le modèle en cache {path} est illisible ({kind}) : il est ré-entraîné."
    assert epochs == [1] and math.isfinite(history.train_loss[0])
    assert load(path)["history"]["train_loss"] == history.train_loss  # réécrit en entier


def test_unusable_cache_dir_trains_without_saving(images, tmp_path, monkeypatch):
    a_file = tmp_path / "cache"
    a_file.write_text("pas un dossier")
    monkeypatch.setenv("AE_CACHE_DIR", str(a_file))
    with pytest.warns(UserWarning) as caught:
        history = fit_cached("ae", _model(), images, epochs=1, progress=False)
    (warning,) = caught
    assert str(warning.message) == (
        f"Impossible d'écrire dans le cache {a_file} (FileExistsError) : le modèle entraîné ne sera "
        "pas sauvegardé et sera ré-entraîné la prochaine fois. Faites pointer AE_CACHE_DIR vers un "
        "dossier accessible en écriture.")
    assert math.isfinite(history.train_loss[0])


# --- Écriture atomique et poids float16 ------------------------------------------------------


def test_the_write_goes_through_a_temporary_file_beside_the_target(tmp_path, monkeypatch):
    """Le fichier temporaire est dans le même dossier (os.replace ne traverse pas les systèmes de
    fichiers), caché et reconnaissable ; les dossiers manquants sont créés."""
    target = tmp_path / "a" / "b" / "c.pt"
    real_save, seen = torch.save, []

    def spying_save(obj, handle):
        seen.extend(target.parent.iterdir())  # pendant l'écriture
        real_save(obj, handle)

    monkeypatch.setattr(torch, "save", spying_save)
    save_atomic({"x": 1}, target)
    (temporary,) = seen
    assert temporary.name.startswith(".c.pt.") and temporary.name.endswith(".tmp")
    assert [p.name for p in target.parent.iterdir()] == ["c.pt"] and load(target) == {"x": 1}


class Unsafe:
    """Un objet quelconque : torch.load(weights_only=True) refuse de le reconstruire."""


def test_only_weights_are_loaded_from_a_cache_file(tmp_path):
    path = tmp_path / "piège.pt"
    torch.save({"state_dict": {}, "history": Unsafe()}, path)
    with pytest.warns(UserWarning, match="illisible"):
        assert load(path) is None


def test_a_failed_write_leaves_the_previous_file_and_nothing_else(tmp_path, monkeypatch):
    target = tmp_path / "c.pt"
    save_atomic({"x": 1}, target)
    assert load(target) == {"x": 1}

    def disk_full(obj, handle):
        handle.write(b"debut")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_atomic({"x": 2}, target)
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]
    assert load(target) == {"x": 1}


def test_half_weights_round_trip(tmp_path):
    model = _model()
    path = tmp_path / "weights.pt"
    save_half(model, path, {"epochs": 3})
    assert path.stat().st_size < 2 * 4 * sum(w.numel() for w in model.parameters())
    copy = _model(seed=1)
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
