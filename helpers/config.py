"""Configuration : mode rapide, dossier des données, périphérique de calcul, graines aléatoires.

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

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "oui", "on"}
_FALSE = {"", "0", "false", "no", "non", "off"}


def fast_mode() -> bool:
    """Vrai si le mode rapide est demandé par ``AE_FAST``."""
    value = os.environ.get("AE_FAST", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"AE_FAST={value!r} n'est pas compris : utilisez AE_FAST=1 (mode rapide) ou AE_FAST=0."
    )


def pick(full: T, fast: T) -> T:
    """Renvoie ``fast`` en mode rapide et ``full`` sinon (tailles, nombres d'époques…)."""
    return fast if fast_mode() else full


def data_dir() -> Path:
    """Dossier des données : ``AE_DATA_DIR`` s'il est défini, sinon ``data/`` du projet."""
    env = os.environ.get("AE_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return project_root() / "data"


def project_root() -> Path:
    """Racine du dépôt si ``helpers`` y est (installation éditable), sinon le dossier courant."""
    candidate = Path(__file__).resolve().parent.parent
    if (candidate / "_config.yml").exists():
        return candidate
    return Path.cwd()


def device() -> torch.device:
    """Le meilleur périphérique disponible : CUDA, puis MPS (Mac), puis CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int = 0) -> None:
    """Fixe les graines de ``random``, NumPy et PyTorch."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
