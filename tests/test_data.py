"""Chargement de MNIST : formes, valeurs, sommes de contrôle et messages d'erreur."""

import shutil

import pytest
import torch
import torchvision

from helpers import data
from helpers.config import data_dir


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


def _copy_raw(real_raw, tmp_path):
    target = tmp_path / "MNIST" / "raw"
    shutil.copytree(real_raw, target)
    return target


def test_flipped_byte_is_reported_with_file_name(real_raw, tmp_path):
    raw = _copy_raw(real_raw, tmp_path)
    path = raw / "t10k-labels-idx1-ubyte"
    content = bytearray(path.read_bytes())
    content[100] ^= 0xFF
    path.write_bytes(bytes(content))
    with pytest.raises(data.DataError, match="t10k-labels-idx1-ubyte.*MD5"):
        data.ensure_raw_files(tmp_path)


def test_truncated_file_is_reported(real_raw, tmp_path):
    raw = _copy_raw(real_raw, tmp_path)
    path = raw / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(data.DataError, match="train-images-idx3-ubyte.*tronqué"):
        data.ensure_raw_files(tmp_path)


def test_missing_data_without_network_gives_french_advice(tmp_path, monkeypatch):
    def no_network(self):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setattr(torchvision.datasets.MNIST, "download", no_network)
    with pytest.raises(data.DataError) as info:
        data.ensure_raw_files(tmp_path / "vide")
    message = str(info.value)
    assert str(tmp_path / "vide" / "MNIST" / "raw") in message
    assert "AE_DATA_DIR" in message and "téléchargement a échoué" in message


def test_data_dir_pointing_at_a_file(tmp_path):
    a_file = tmp_path / "mnist.zip"
    a_file.write_text("pas un dossier")
    with pytest.raises(data.DataError, match="fichier"):
        data.ensure_raw_files(a_file)
