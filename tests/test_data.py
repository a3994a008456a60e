"""Chargement de MNIST par ``load_mnist`` : formes, valeurs, et chaque panne des données (absentes
sans réseau, tronquées, altérées, dossier en lecture seule, AE_DATA_DIR vers un fichier) donne
une ``DataError`` en français qui dit quoi faire."""

import re
import shutil
import urllib.error
import urllib.request

import pytest
import torch

from helpers import data
from helpers.config import data_dir
from unprivileged import run_unprivileged


def exactly(message: str) -> str:
    """Motif de ``pytest.raises(match=…)`` pour ce message exactement."""
    return "^" + re.escape(message) + "$"


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


@pytest.mark.parametrize("limit", [None, 5], ids=["tout", "limit"])
def test_each_call_returns_tensors_the_caller_may_modify(real_raw, limit):
    """Une opération en place dans un notebook (x.mul_, labels[0] = …) ne change pas ce que
    renvoient les appels suivants de load_mnist."""
    first = data.load_mnist(train=False, limit=limit)
    images, labels = first.images.clone(), first.labels.clone()
    first.images.mul_(0).add_(7)
    first.labels.fill_(-1)
    second = data.load_mnist(train=False, limit=limit)
    assert torch.equal(second.images, images) and torch.equal(second.labels, labels)
    assert second.images.data_ptr() != first.images.data_ptr()
    assert second.labels.data_ptr() != first.labels.data_ptr()


def test_the_first_images_and_labels_of_the_test_split():
    """Valeurs connues de MNIST (indépendantes du code) : premières étiquettes et pixels bruts
    (entiers de 0 à 255) divisés par 255."""
    split = data.load_mnist(train=False, limit=3)
    assert split.labels.tolist() == [7, 2, 1]
    pixels = split.images * 255
    assert torch.equal(pixels, pixels.round()) and split.images.max() == 1.0
    assert data.load_mnist(limit=3).labels.tolist() == [5, 0, 4]  # entraînement par défaut
    one = data.load_mnist(train=False, limit=1)
    assert one.images.shape == (1, 1, 28, 28) and one.labels.tolist() == [7]


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
    with pytest.raises(data.DataError, match=exactly(
            f"Le fichier {path} est corrompu ou tronqué : sa somme de contrôle MD5 n'est pas "
            f"{data.RAW_MD5['t10k-labels-idx1-ubyte']}. Supprimez-le pour qu'il soit téléchargé de "
            "nouveau, ou remplacez-le par une copie intacte.")):
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
    missing = sorted(set(data.RAW_MD5) - set(present))
    # Le début et la fin exacts ; au milieu, l'erreur de torchvision (type et texte).
    assert re.fullmatch(re.escape(
        f"Données MNIST introuvables dans {root / 'MNIST' / 'raw'} (fichiers manquants : "
        f"{', '.join(missing)}) et le téléchargement a échoué (") + r"\w+Error: .+" + re.escape(
        ").\nPour corriger : connectez-vous à Internet pour que torchvision télécharge MNIST, ou "
        "copiez les quatre fichiers bruts dans <dossier>/MNIST/raw/ et définissez la variable "
        "d'environnement AE_DATA_DIR=<dossier> (vérifiez aussi que le dossier est accessible en "
        "écriture si le téléchargement doit y écrire)."), message, re.S), message


def test_data_dir_pointing_at_a_file(tmp_path, monkeypatch):
    a_file = tmp_path / "mnist.zip"
    a_file.write_text("pas un dossier")
    monkeypatch.setenv("AE_DATA_DIR", str(a_file))
    with pytest.raises(data.DataError, match=exactly(
            f"AE_DATA_DIR désigne un fichier ({a_file}) et non un dossier. Faites pointer AE_DATA_DIR "
            "vers le dossier qui contient MNIST/raw/, ou supprimez la variable pour utiliser data/.")):
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
    raw = root / "MNIST" / "raw"
    assert message == (
        f"Données MNIST introuvables dans {raw} (fichiers manquants : {', '.join(sorted(data.RAW_MD5))}), "
        f"et le dossier {root} n'est pas accessible en écriture : impossible d'y télécharger MNIST.\n"
        f"Pour corriger : copiez les quatre fichiers bruts dans {raw}/, ou définissez la variable "
        "d'environnement AE_DATA_DIR=<dossier> vers un dossier accessible en écriture (ou qui "
        "contient déjà MNIST/raw/).")


def test_unreadable_raw_file(real_raw, open_tmp, monkeypatch):
    root = open_tmp / "data"
    raw = _raw_dir(real_raw, root, copies=["t10k-images-idx3-ubyte"])
    (raw / "t10k-images-idx3-ubyte").chmod(0o000)
    monkeypatch.setenv("AE_DATA_DIR", str(root))
    status, kind, message = run_unprivileged(data.load_mnist, False, expected=data.DataError)
    assert (status, kind) == ("error", "DataError")
    assert message == (
        f"Le fichier {raw / 't10k-images-idx3-ubyte'} n'est pas lisible (droits d'accès "
        "insuffisants). Rendez-le lisible (chmod a+r), ou copiez les quatre fichiers bruts dans un "
        "dossier à vous et définissez AE_DATA_DIR=<dossier>.")


# --- Bruit gaussien -------------------------------------------------------------------------


def test_gaussian_noise_is_sigma_times_the_generators_draw():
    """Oracle : le tirage N(0, 1) du même générateur, multiplié par σ, dans le type des images ;
    ramené dans [0, 1] par défaut."""
    x = torch.rand(4, 1, 28, 28, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    eps = torch.randn(x.shape, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    noisy = data.add_gaussian_noise(x, 0.3, clip=False, generator=torch.Generator().manual_seed(2))
    assert noisy.dtype == torch.float64 and torch.allclose(noisy, x + 0.3 * eps)
    assert noisy.min() < 0 and noisy.max() > 1
    clipped = data.add_gaussian_noise(x, 0.3, generator=torch.Generator().manual_seed(2))
    assert torch.equal(clipped, (x + 0.3 * eps).clamp(0, 1))


def test_noise_is_drawn_on_the_device_of_the_images():
    """« meta » joue un GPU : un bruit resté sur le CPU ne pourrait pas s'y ajouter aux images."""
    images = torch.zeros(2, 1, 28, 28, device="meta")
    assert data.add_gaussian_noise(images, 0.1, generator=torch.Generator().manual_seed(0)).device.type == "meta"


def test_missing_files_are_downloaded_then_loaded(real_raw, tmp_path, monkeypatch):
    """Avec le réseau (simulé : un faux torchvision.datasets.MNIST qui « télécharge » en copiant les
    fichiers réels, comme le vrai les quatre à la fois), les fichiers manquants sont téléchargés
    dans AE_DATA_DIR puis lus."""
    calls = []
    real_mnist = data.MNIST

    def fake_mnist(root, train=True, download=False):
        calls.append((root, download))
        if download:
            raw = tmp_path / "MNIST" / "raw"
            raw.mkdir(parents=True, exist_ok=True)
            for name in data.RAW_MD5:
                shutil.copyfile(real_raw / name, raw / name)
        return real_mnist(root, train=train, download=False)

    monkeypatch.setattr(data, "MNIST", fake_mnist)
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    split = data.load_mnist(train=False, limit=2)
    assert calls[0] == (str(tmp_path), True)
    assert split.labels.tolist() == [7, 2]
    assert all(data.check_integrity(str(tmp_path / "MNIST" / "raw" / name), md5)
               for name, md5 in data.RAW_MD5.items())
