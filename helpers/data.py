"""MNIST chargé une fois pour toutes en mémoire, sous forme de tenseurs flottants dans [0, 1].

Les fichiers bruts sont ceux que ``torchvision.datasets.MNIST`` range dans
``<dossier des données>/MNIST/raw`` ; leur somme de contrôle MD5 est vérifiée avant lecture.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import torch
from torchvision.datasets import MNIST
from torchvision.datasets.utils import check_integrity

from .config import data_dir
from .validation import require_nonnegative

# Sommes MD5 des fichiers bruts décompressés (publiées avec le jeu de données).
RAW_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}


class MNISTSplit(NamedTuple):
    """Une partie de MNIST : ``images`` (N, 1, 28, 28) dans [0, 1] et ``labels`` (N,) entiers.

    C'est un ``NamedTuple`` : on lit ``split.images`` et ``split.labels``, ou on le décompose
    (``images, labels = load_mnist()``).

    Attributs :

    - ``images`` : tenseur ``float32`` de forme (N, 1, 28, 28), pixels dans [0, 1], sur le CPU ;
    - ``labels`` : tenseur ``int64`` de forme (N,), le chiffre (0 à 9) de chaque image.
    """

    images: torch.Tensor
    labels: torch.Tensor


class DataError(RuntimeError):
    """Données absentes, corrompues ou inaccessibles : le message en français dit quoi faire."""


def load_mnist(train: bool = True, limit: int | None = None) -> MNISTSplit:
    """Charge la partie d'entraînement (60 000 images) ou de test (10 000) de MNIST.

    Les fichiers sont téléchargés par torchvision s'ils manquent et que le réseau le permet, puis
    vérifiés par leur somme MD5. Les fichiers ne sont lus qu'une fois ; chaque appel renvoie des
    tenseurs neufs, que l'appelant peut modifier.

    Arguments :

    - ``train`` : ``True`` pour la partie d'entraînement, ``False`` pour celle de test ;
    - ``limit`` : garde les ``limit`` premières images (``None`` : toutes).

    Renvoie : un :class:`MNISTSplit`, avec ``images`` de forme (N, 1, 28, 28) (``float32`` dans
    [0, 1], sur le CPU) et ``labels`` de forme (N,) (``int64``).

    Lève : ``ValueError`` si ``limit`` n'est pas strictement positif ; :class:`DataError` si les
    données manquent et ne peuvent être téléchargées, sont illisibles ou corrompues.

    Exemple : ::

        train = load_mnist(train=True, limit=config.pick(None, 2000))
    """
    if limit is not None and limit <= 0:
        raise ValueError(f"limit doit être un entier strictement positif (reçu : {limit}).")
    pixels, labels = _read_split(str(data_dir()), train)
    return MNISTSplit(pixels[:limit].unsqueeze(1).float().div_(255.0), labels[:limit].clone())


@lru_cache(maxsize=4)
def _read_split(root: str, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Les pixels (uint8) et les étiquettes d'une partie de MNIST, lus une seule fois."""
    raw = ensure_raw_files(Path(root))
    dataset = MNIST(str(raw.parent.parent), train=train, download=False)
    return dataset.data, dataset.targets.long()


def ensure_raw_files(root: Path) -> Path:
    """Vérifie (et télécharge au besoin) les quatre fichiers bruts ; renvoie leur dossier.

    Arguments :

    - ``root`` : le dossier des données (celui de :func:`helpers.config.data_dir`).

    Renvoie : le dossier ``root / "MNIST" / "raw"``, dont les fichiers sont présents, lisibles et
    de somme MD5 correcte.

    Lève : :class:`DataError` sinon, avec un message qui dit comment corriger.
    """
    if os.path.exists(root) and not os.path.isdir(root):
        raise DataError(
            f"AE_DATA_DIR désigne un fichier ({root}) et non un dossier. Faites pointer AE_DATA_DIR "
            "vers le dossier qui contient MNIST/raw/, ou supprimez la variable pour utiliser data/."
        )
    raw = root / "MNIST" / "raw"
    if not all(os.path.isfile(raw / name) for name in RAW_MD5):
        _download(root, raw)
    for name, md5 in RAW_MD5.items():
        if not os.access(raw / name, os.R_OK):
            raise DataError(
                f"Le fichier {raw / name} n'est pas lisible (droits d'accès insuffisants). "
                "Rendez-le lisible (chmod a+r), ou copiez les quatre fichiers bruts dans un dossier "
                "à vous et définissez AE_DATA_DIR=<dossier>."
            )
        if not check_integrity(str(raw / name), md5):
            raise DataError(
                f"Le fichier {raw / name} est corrompu ou tronqué : sa somme de contrôle MD5 "
                f"n'est pas {md5}. Supprimez-le pour qu'il soit téléchargé de nouveau, ou "
                "remplacez-le par une copie intacte."
            )
    return raw


def _download(root: Path, raw: Path) -> None:
    missing = sorted(name for name in RAW_MD5 if not os.path.isfile(raw / name))
    existing = next(folder for folder in (raw, *raw.parents) if os.path.isdir(folder))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise DataError(
            f"Données MNIST introuvables dans {raw} (fichiers manquants : {', '.join(missing)}), "
            f"et le dossier {existing} n'est pas accessible en écriture : impossible d'y "
            "télécharger MNIST.\nPour corriger : copiez les quatre fichiers bruts dans "
            f"{raw}/, ou définissez la variable d'environnement AE_DATA_DIR=<dossier> vers un "
            "dossier accessible en écriture (ou qui contient déjà MNIST/raw/)."
        )
    try:
        MNIST(str(root), train=True, download=True)
    except Exception as error:  # réseau absent, dossier en lecture seule, miroir indisponible…
        raise DataError(
            f"Données MNIST introuvables dans {raw} (fichiers manquants : {', '.join(missing)}) "
            f"et le téléchargement a échoué ({type(error).__name__}: {error}).\n"
            "Pour corriger : connectez-vous à Internet pour que torchvision télécharge MNIST, ou "
            "copiez les quatre fichiers bruts dans <dossier>/MNIST/raw/ et définissez la variable "
            "d'environnement AE_DATA_DIR=<dossier> (vérifiez aussi que le dossier est accessible "
            "en écriture si le téléchargement doit y écrire)."
        ) from None


def add_gaussian_noise(
    images: torch.Tensor, sigma: float, clip: bool = True, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Bruite des images : x̃ = x + σ ε avec ε ~ N(0, I), ramené dans [0, 1] si ``clip``.

    Arguments :

    - ``images`` : tenseur de forme quelconque, par exemple (N, 1, 28, 28), pixels dans [0, 1] ;
    - ``sigma`` : écart-type σ ≥ 0 du bruit ;
    - ``clip`` : ramène x̃ dans [0, 1] (l'image reste une image) ;
    - ``generator`` : générateur ``torch.Generator`` **sur le CPU**, pour un bruit reproductible
      (``None`` : le générateur global de PyTorch). Le bruit est tiré sur le CPU puis envoyé sur
      le périphérique des images.

    Renvoie : un nouveau tenseur x̃, de la forme, du type et du périphérique de ``images``.

    Lève : ``ValueError`` si ``sigma`` n'est pas un réel positif ou nul.

    Exemple : ::

        noisy = add_gaussian_noise(x_test, 0.5, generator=torch.Generator().manual_seed(1))
    """
    require_nonnegative("L'écart-type du bruit sigma", sigma)
    noise = torch.randn(images.shape, generator=generator, dtype=images.dtype).to(images.device)
    noisy = images + sigma * noise
    return noisy.clamp(0.0, 1.0) if clip else noisy
