"""Chargement de MNIST par ``load_mnist`` : formes, valeurs, et chaque panne des données (absentes
sans réseau, tronquées, altérées, dossier en lecture seule, AE_DATA_DIR vers un fichier) donne
une ``DataError`` en français qui dit quoi faire."""

import shutil
import urllib.error
import urllib.request

import pytest
import torch

from helpers import data
from helpers.config import data_dir
from unprivileged import run_unprivileged


@pytest.fixture(scope="module")
def real_raw():
    """Dossier des fichiers bruts réels (AE_DATA_DIR doit pointer vers un dossier qui les contient)."""
    return data.ensure_raw_files(data_dir())


def test_test_split_shapes_and_range(real_raw):
    split = data.load_mnist(train=False)
    assert split.images.shape == (10_000, 1, 28, 28)
    assert split.images.dtype == torch.float32
    assert split.images.min() == 0 and split.images.max() == 1
    assert split.labels.dtype == torch.int64
    # Effectifs connus de l'ensemble de test de MNIST.
    assert torch.bincount(split.labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_train_split_and_limit(real_raw):
    full = data.load_mnist(train=True)
    assert full.images.shape == (60_000, 1, 28, 28)
    part = data.load_mnist(train=True, limit=100)
    assert torch.equal(part.images, full.images[:100])
    with pytest.raises(ValueError, match="limit"):
        data.load_mnist(limit=0)


def _raw_dir(real_raw, root, copies=()):
    """Dossier ``root/MNIST/raw`` : liens symboliques vers les fichiers réels, sauf ``copies``
    (les fichiers à abîmer), copiés ; ``copies="all"`` copie tout."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.RAW_MD5:
        if copies == "all" or name in copies:
            shutil.copyfile(real_raw / name, raw / name)
        else:
            (raw / name).symlink_to(real_raw / name)
    return raw


def test_flipped_byte_is_reported_with_file_name(real_raw, tmp_path, monkeypatch):
    path = _raw_dir(real_raw, tmp_path, copies=["t10k-labels-idx1-ubyte"]) / "t10k-labels-idx1-ubyte"
    content = bytearray(path.read_bytes())
    content[100] ^= 0xFF
    path.write_bytes(bytes(content))
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    with pytest.raises(data.DataError, match="t10k-labels-idx1-ubyte.*MD5.*Supprimez-le"):
        data.load_mnist(train=False)


def test_truncated_file_is_reported(real_raw, tmp_path, monkeypatch):
    path = _raw_dir(real_raw, tmp_path, copies=["train-images-idx3-ubyte"]) / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:1000])
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    with pytest.raises(data.DataError, match="train-images-idx3-ubyte.*tronqué.*Supprimez-le"):
        data.load_mnist(train=False)


@pytest.fixture
def offline(monkeypatch):
    """Pas de réseau : torchvision essaie vraiment de télécharger, chaque connexion échoue."""
    def no_network(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)


@pytest.mark.parametrize("present", [
    (),
    ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte"),
], ids=["dossier-absent", "un-fichier-absent"])
def test_missing_data_offline_gives_french_advice(real_raw, tmp_path, monkeypatch, offline, present):
    root = tmp_path / "vide"
    if present:
        raw = root / "MNIST" / "raw"
        raw.mkdir(parents=True)
        for name in present:
            (raw / name).symlink_to(real_raw / name)
    monkeypatch.setenv("AE_DATA_DIR", str(root))
    with pytest.raises(data.DataError) as info:
        data.load_mnist(train=False)
    message = str(info.value)
    assert f"introuvables dans {root / 'MNIST' / 'raw'}" in message
    missing = sorted(set(data.RAW_MD5) - set(present))
    assert f"fichiers manquants : {', '.join(missing)})" in message
    assert "le téléchargement a échoué" in message and "connectez-vous à Internet" in message
    assert "AE_DATA_DIR" in message


def test_data_dir_pointing_at_a_file(tmp_path, monkeypatch):
    a_file = tmp_path / "mnist.zip"
    a_file.write_text("pas un dossier")
    monkeypatch.setenv("AE_DATA_DIR", str(a_file))
    with pytest.raises(data.DataError, match="AE_DATA_DIR désigne un fichier.*Faites pointer"):
        data.load_mnist(train=False)


# --- Droits d'accès : sous l'utilisateur nobody si l'on est root (voir test_interruption) ------


def _read_only(root):
    for path in sorted(root.rglob("*"), reverse=True) + [root]:  # le contenu avant les dossiers
        path.chmod(0o555 if path.is_dir() else 0o444)


def test_read_only_data_dir_with_the_data_loads(real_raw, open_tmp, monkeypatch):
    """Le chargement n'écrit rien dans le dossier des données : il peut être en lecture seule."""
    reference = data.load_mnist(train=False)
    root = open_tmp / "data"
    _raw_dir(real_raw, root, copies="all")
    _read_only(root)
    monkeypatch.setenv("AE_DATA_DIR", str(root))
    status, split = run_unprivileged(data.load_mnist, False)
    assert status == "ok"
    assert torch.equal(split.images, reference.images) and torch.equal(split.labels, reference.labels)


def test_read_only_data_dir_without_the_data(open_tmp, monkeypatch):
    root = open_tmp / "vide"
    root.mkdir()
    _read_only(root)
    monkeypatch.setenv("AE_DATA_DIR", str(root))
    status, kind, message = run_unprivileged(data.load_mnist, False, expected=data.DataError)
    assert (status, kind) == ("error", "DataError")
    assert f"le dossier {root} n'est pas accessible en écriture" in message
    assert "copiez les quatre fichiers bruts" in message and "AE_DATA_DIR" in message


def test_unreadable_raw_file(real_raw, open_tmp, monkeypatch):
    root = open_tmp / "data"
    raw = _raw_dir(real_raw, root, copies=["t10k-images-idx3-ubyte"])
    (raw / "t10k-images-idx3-ubyte").chmod(0o000)
    monkeypatch.setenv("AE_DATA_DIR", str(root))
    status, kind, message = run_unprivileged(data.load_mnist, False, expected=data.DataError)
    assert (status, kind) == ("error", "DataError")
    assert "t10k-images-idx3-ubyte n'est pas lisible" in message and "AE_DATA_DIR" in message
