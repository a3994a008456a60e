"""MNIST chargé une fois pour toutes en mémoire, sous forme de tenseurs flottants dans [0, 1].

Les fichiers bruts sont ceux que ``torchvision.datasets.MNIST`` range dans
``<dossier des données>/MNIST/raw`` ; leur somme de contrôle MD5 est vérifiée avant lecture.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw
from torchvision.datasets import MNIST
from torchvision.datasets.utils import check_integrity

from .config import data_dir
from .validation import require_nonnegative, require_positive_int

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


def downsample(images: torch.Tensor, factor: int = 2) -> torch.Tensor:
    """Images en basse résolution : chaque bloc ``factor`` × ``factor`` de pixels remplacé par sa
    moyenne (*average pooling*).

    Arguments :

    - ``images`` : lot d'images (N, 1, H, W), H et W multiples de ``factor`` ;
    - ``factor`` : facteur de réduction, entier strictement positif.

    Renvoie : un tenseur (N, 1, H / factor, W / factor), (N, 1, 14, 14) pour MNIST et
    ``factor=2``.

    Lève : ``ValueError`` pour une autre forme ou un facteur qui ne divise pas H et W.

    Exemple : ::

        low = downsample(x_test)
    """
    require_positive_int("factor", factor)
    if images.ndim != 4 or images.shape[-1] % factor or images.shape[-2] % factor:
        raise ValueError(f"Images de forme {tuple(images.shape)} : attendu un lot (N, C, H, W) "
                         f"dont la hauteur et la largeur sont des multiples de {factor}.")
    return F.avg_pool2d(images, factor)


def hide_squares(images: torch.Tensor, size: int = 10, fill: float = 0.5,
                 generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Cache un carré de ``size`` × ``size`` pixels de chaque image, à une position tirée au hasard.

    Le coin supérieur gauche du carré est tiré uniformément pour que le carré reste dans la boîte
    centrale 20 × 20 où MNIST place les chiffres : il cache donc presque toujours une partie du
    tracé. Les pixels cachés prennent la valeur ``fill`` (gris moyen par défaut, pour que le trou
    se voie).

    Arguments :

    - ``images`` : lot d'images (N, 1, 28, 28), pixels dans [0, 1] ;
    - ``size`` : côté du carré, de 1 à 20 pixels ;
    - ``fill`` : valeur des pixels cachés ;
    - ``generator`` : générateur ``torch.Generator`` **sur le CPU**, pour des positions
      reproductibles (``None`` : le générateur global de PyTorch).

    Renvoie : ``(masked, hole)``, les images masquées (même forme, type et périphérique que
    ``images``) et le masque booléen ``hole`` de même forme, vrai sur les pixels cachés.

    Lève : ``ValueError`` pour une autre forme ou une taille hors de [1, 20].

    Exemple : ::

        masked, hole = hide_squares(x_test, 10, generator=torch.Generator().manual_seed(1))
    """
    require_positive_int("size", size)
    if size > 20:
        raise ValueError(f"Carré de côté {size} : au plus 20 pixels, la taille de la boîte où "
                         "MNIST place les chiffres.")
    if images.ndim != 4 or tuple(images.shape[1:]) != (1, 28, 28):
        raise ValueError(f"Images de forme {tuple(images.shape)} : attendu (N, 1, 28, 28).")
    corners = torch.randint(4, 25 - size, (2, len(images)), generator=generator)
    pixels = torch.arange(28)
    rows, cols = ((pixels >= start[:, None]) & (pixels < start[:, None] + size) for start in corners)
    hole = (rows[:, :, None] & cols[:, None, :])[:, None].to(images.device)
    return images.masked_fill(hole, fill), hole


# Tracés des lettres de draw_letters, dans un carré [0, 1]² (x vers la droite, y vers le bas).
_STROKES = {
    "A": [[(0.1, 1), (0.5, 0), (0.9, 1)], [(0.28, 0.6), (0.72, 0.6)]],
    "E": [[(0.85, 0), (0.2, 0), (0.2, 1), (0.85, 1)], [(0.2, 0.5), (0.7, 0.5)]],
    "F": [[(0.85, 0), (0.2, 0), (0.2, 1)], [(0.2, 0.5), (0.7, 0.5)]],
    "H": [[(0.2, 0), (0.2, 1)], [(0.8, 0), (0.8, 1)], [(0.2, 0.5), (0.8, 0.5)]],
    "K": [[(0.2, 0), (0.2, 1)], [(0.85, 0), (0.2, 0.55)], [(0.4, 0.4), (0.85, 1)]],
    "L": [[(0.25, 0), (0.25, 1), (0.85, 1)]],
    "T": [[(0.1, 0), (0.9, 0)], [(0.5, 0), (0.5, 1)]],
    "X": [[(0.15, 0), (0.85, 1)], [(0.85, 0), (0.15, 1)]],
    "Y": [[(0.15, 0), (0.5, 0.5), (0.85, 0)], [(0.5, 0.5), (0.5, 1)]],
    "Z": [[(0.15, 0), (0.85, 0), (0.15, 1), (0.85, 1)]],
}
LETTERS = "".join(_STROKES)


def draw_letters(letters: str = LETTERS) -> torch.Tensor:
    """Des lettres capitales tracées au trait, comme des chiffres MNIST : traits blancs d'environ
    deux pixels et demi, anti-crénelés, sur fond noir, dans la boîte centrale 20 × 20 d'une image 28 × 28.

    Arguments :

    - ``letters`` : les lettres à tracer, parmi celles de ``LETTERS`` (« AEFHKLTXYZ »).

    Renvoie : un tenseur (len(letters), 1, 28, 28) de pixels dans [0, 1].

    Lève : ``ValueError`` pour une lettre inconnue.

    Exemple : ::

        letters = draw_letters("AHTX")
    """
    unknown = sorted(set(letters) - set(_STROKES))
    if unknown:
        raise ValueError(f"Lettres inconnues {', '.join(unknown)} : choisissez parmi {LETTERS}.")
    scale = 8  # tracé à 8 fois la résolution finale, puis réduit : des bords anti-crénelés
    images = []
    for letter in letters:
        canvas = Image.new("L", (28 * scale, 28 * scale))
        draw = ImageDraw.Draw(canvas)
        for stroke in _STROKES[letter]:
            points = [((4 + 20 * x) * scale, (4 + 20 * y) * scale) for x, y in stroke]
            draw.line(points, fill=255, width=5 * scale // 2, joint="curve")
        small = canvas.resize((28, 28), Image.Resampling.BOX)
        images.append(torch.from_numpy(np.asarray(small, dtype=np.float32) / 255))
    return torch.stack(images)[:, None] if images else torch.empty(0, 1, 28, 28)
