"""Cache des modèles entraînés sur disque : une clé par configuration, écriture atomique.

Un modèle est ré-entraîné seulement si sa configuration (architecture, hyperparamètres, données,
version de ``helpers``) change. Le dossier est ``AE_CACHE_DIR`` s'il est défini, sinon
``_build/checkpoints`` à la racine du projet (``make clean`` l'efface).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

import torch

from . import __version__
from .config import project_root

STALE_SECONDS = 3600  # un fichier temporaire plus ancien vient d'une écriture interrompue


def cache_dir() -> Path:
    """Dossier des modèles en cache."""
    env = os.environ.get("AE_CACHE_DIR")
    return Path(env).expanduser().resolve() if env else project_root() / "_build" / "checkpoints"


def fingerprint(tensor: torch.Tensor) -> list:
    """Empreinte bon marché d'un tenseur de données : forme et sommes de quelques tranches."""
    flat = tensor.detach().reshape(len(tensor), -1 if tensor.numel() else 0).double()
    step = max(1, len(flat) // 256)
    return [list(tensor.shape), round(flat.sum().item(), 6), round(flat[::step].pow(2).sum().item(), 6)]


def checkpoint_path(name: str, config: dict) -> Path:
    """Chemin du fichier de cache pour ``name`` et une configuration sérialisable en JSON."""
    payload = json.dumps({"helpers": __version__, **config}, sort_keys=True, default=str)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
    return cache_dir() / f"{name}-{digest}.pt"


def save_atomic(obj: dict, path: Path) -> None:
    """Écrit ``obj`` avec ``torch.save`` dans un fichier temporaire puis le renomme : un arrêt
    brutal pendant l'écriture ne laisse jamais de fichier de cache à moitié écrit.

    Le fichier temporaire ``.<nom>.…tmp`` d'une écriture tuée reste sur place, sans effet (il
    n'est jamais lu) ; ceux de plus de ``STALE_SECONDS`` sont effacés à l'écriture suivante dans
    le même dossier (un délai qui épargne les écritures en cours d'autres processus).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(".*.pt.*.tmp"):
        with contextlib.suppress(FileNotFoundError):  # effacé entre-temps par un autre processus
            if time.time() - stale.stat().st_mtime > STALE_SECONDS:
                stale.unlink()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(obj, handle)
        os.chmod(tmp, 0o644)  # mkstemp crée le fichier en 0600 : le cache doit rester partageable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> dict | None:
    """Contenu d'un fichier de cache, ou ``None`` s'il est absent ou illisible (avec un avertissement)."""
    if not os.path.isfile(path):  # absent, ou dossier du cache inaccessible
        return None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # fichier tronqué, corrompu ou d'un autre format
        warnings.warn(
            f"Le modèle en cache {path} est illisible ({type(error).__name__}) : il est ré-entraîné.",
            stacklevel=2,
        )
        return None


def save_half(model: torch.nn.Module, path: Path, info: dict) -> None:
    """Écrit les poids de ``model`` en float16 (fichier deux fois plus petit, à versionner) avec
    des informations ``info`` (réglages, durée, erreur), atomiquement."""
    weights = {name: w.detach().cpu().half() for name, w in model.state_dict().items()}
    save_atomic({"state_dict": weights, "info": info}, path)


def load_half(model: torch.nn.Module, path: Path) -> dict | None:
    """Charge dans ``model`` les poids float16 écrits par :func:`save_half` et renvoie leurs
    informations, ou ``None`` si le fichier est absent ou illisible (avec un avertissement)."""
    saved = load(path)
    if saved is None:
        return None
    try:
        model.load_state_dict({name: w.float() for name, w in saved["state_dict"].items()})
    except (KeyError, RuntimeError) as error:
        warnings.warn(f"Les poids de {path} ne correspondent pas au modèle ({error}) : ignorés.",
                      stacklevel=2)
        return None
    model.eval()
    return saved["info"]
