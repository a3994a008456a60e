"""Configuration : mode rapide, dossier des données, périphérique de calcul (et son support du
bfloat16), graines aléatoires.

Deux variables d'environnement pilotent le cours :

- ``AE_FAST=1`` active le *mode rapide* (petits sous-ensembles, une ou deux époques) utilisé par
  les tests et l'intégration continue ;
- ``AE_DATA_DIR`` désigne le dossier des données (par défaut ``data/`` à la racine du dépôt, ou du
  dossier courant si ``helpers`` est installé ailleurs).
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch

from .environment import flag

T = TypeVar("T")


def fast_mode() -> bool:
    """Dit si le mode rapide est demandé par la variable d'environnement ``AE_FAST``.

    Renvoie : ``True`` pour ``AE_FAST`` valant ``1``, ``true``, ``yes``, ``oui`` ou ``on``,
    ``False`` si elle est absente, vide ou vaut ``0``, ``false``, ``no``, ``non`` ou ``off``
    (majuscules et espaces autour ignorés ; voir :func:`helpers.environment.flag`).

    Lève : ``ValueError`` pour toute autre valeur.
    """
    return flag("AE_FAST")


def pick(full: T, fast: T) -> T:
    """Choisit une valeur selon le mode : ``fast`` en mode rapide, ``full`` sinon.

    Sert aux tailles de données, nombres d'époques, nombres de pas… (voir :func:`fast_mode`).

    Exemple : ::

        train = load_mnist(train=True, limit=config.pick(None, 2000))
    """
    return fast if fast_mode() else full


def data_dir() -> Path:
    """Dossier des données : ``AE_DATA_DIR`` s'il est défini, sinon ``data/`` du projet.

    Renvoie : un chemin absolu (``~`` développé) ; MNIST est rangé dans ``<dossier>/MNIST/raw``.
    Le dossier « du projet » est celui de :func:`project_root`.
    """
    env = os.environ.get("AE_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return project_root() / "data"


def project_root() -> Path:
    """Racine du dépôt si ``helpers`` y est (installation éditable), sinon le dossier courant.

    La racine est reconnue à son fichier ``_config.yml`` (celui du livre).
    """
    candidate = Path(__file__).resolve().parent.parent
    if (candidate / "_config.yml").exists():
        return candidate
    return Path.cwd()


def device() -> torch.device:
    """Le meilleur périphérique disponible : CUDA, puis MPS (Mac), puis CPU.

    Renvoie : un ``torch.device``, où placer les modèles (``model.to(device)``) ; les fonctions de
    :mod:`helpers.train` envoient ensuite chaque lot sur le périphérique du modèle.
    """
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def native_bfloat16(device: torch.device) -> bool:
    """Dit si ``device`` calcule nativement en bfloat16 : processeur avec AMX ou AVX-512 BF16,
    carte CUDA d'architecture Ampere ou plus récente. Ailleurs (MPS, anciens processeurs), le
    bfloat16 serait émulé, donc plus lent que le float32.

    Arguments :

    - ``device`` : le périphérique de calcul, ``torch.device`` ou chaîne (``"cpu"``, ``"cuda"``…).

    Renvoie : un booléen (voir l'option ``bfloat16`` de :func:`helpers.train.fit`).
    """
    kind = torch.device(device).type
    if kind == "cpu":  # fonctions privées de PyTorch : absentes d'une version, réponse « non »
        return any(getattr(torch.cpu, name, lambda: False)()
                   for name in ("_is_amx_tile_supported", "_is_avx512_bf16_supported"))
    if kind == "cuda":
        return torch.cuda.is_bf16_supported(including_emulation=False)
    return False


def seed_everything(seed: int = 0) -> None:
    """Fixe les graines de ``random``, NumPy et PyTorch, pour des résultats reproductibles.

    Arguments :

    - ``seed`` : la graine, la même pour les trois générateurs (``torch.manual_seed`` règle
      aussi ceux des GPU).

    Les fonctions qui reçoivent leur propre ``seed`` (:func:`helpers.train.fit`,
    :func:`helpers.evaluation.few_labels`…) ne dépendent pas de cette graine globale pour ce
    tirage-là ; l'initialisation des poids d'un modèle, elle, en dépend.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
