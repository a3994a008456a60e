"""Cache des modèles entraînés : :func:`fit_cached` entraîne un modèle une fois, puis le recharge.

La clé d'un modèle en cache réunit tout ce qui détermine le résultat de l'entraînement :
l'architecture (``repr`` du modèle), ses poids initiaux, la perte, les images d'entraînement et de
test, les options de :func:`~helpers.train.fit`, et l'empreinte du code de ``helpers`` qui façonne
un modèle entraîné (``helpers.source_hash()``) : modifier une perte, un modèle ou la boucle
d'entraînement ré-entraîne tout. Le dossier est ``AE_CACHE_DIR`` s'il est défini, sinon
``_build/checkpoints`` à la racine du projet (``make clean`` l'efface).
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import os
import tempfile
import warnings
from pathlib import Path

import torch
from torch import nn

from . import source_hash
from .config import project_root
from .train import History, Loss, fit, reconstruction_mse


def cache_dir() -> Path:
    """Dossier des modèles en cache : ``AE_CACHE_DIR``, sinon ``_build/checkpoints`` du projet.

    Renvoie : un chemin absolu ; ``AE_CACHE_DIR`` est pris s'il est défini, sinon
    ``_build/checkpoints`` à la racine du projet (voir :func:`helpers.config.project_root`). Le
    dossier n'est pas forcément créé.
    """
    env = os.environ.get("AE_CACHE_DIR")
    return Path(env).expanduser().resolve() if env else project_root() / "_build" / "checkpoints"


def fit_cached(name: str, model: nn.Module, images: torch.Tensor, *,
               test_images: torch.Tensor | None = None, loss: Loss = reconstruction_mse,
               **options) -> History:
    """Comme :func:`~helpers.train.fit`, mais recharge le modèle du cache disque s'il y est déjà.

    Le modèle est rechargé si la même configuration a déjà été entraînée par le même code (voir la
    clé en tête du module). Le rappel ``on_epoch_end`` n'est appelé que lors d'un véritable
    entraînement.

    Un fichier de cache illisible est ré-entraîné (avec un avertissement) ; si le dossier n'est pas
    accessible en écriture, le modèle est entraîné normalement mais n'est pas sauvegardé.

    Arguments :

    - ``name`` : début du nom du fichier de cache (``<name>-<clé>.pt``), par exemple
      ``"tp3-Conv"`` ;
    - ``model`` : le modèle tout juste créé, sur son périphérique ; ses poids initiaux font partie
      de la clé (d'où l'intérêt de fixer la graine avant de le créer) ;
    - ``images``, ``test_images`` : comme pour :func:`~helpers.train.fit` ;
    - ``loss`` : une perte de ``helpers`` (fonction de :mod:`helpers.train` ou objectif de
      :mod:`helpers.objectives`), la seule sorte que le cache sait décrire ;
    - ``options`` : les autres arguments nommés de :func:`~helpers.train.fit` (``epochs``,
      ``batch_size``, ``lr``, ``cosine``, ``seed``, ``targets``…), tous dans la clé sauf
      ``progress`` et ``on_epoch_end``.

    Renvoie : le :class:`~helpers.train.History` de l'entraînement (celui qui est enregistré, pour
    un modèle rechargé) ; dans les deux cas, le modèle porte les poids entraînés et est en mode
    évaluation.

    Lève : ``ValueError`` pour une perte que le cache ne sait pas décrire (lambda, fonction du
    notebook : utilisez alors :func:`~helpers.train.fit`), et les erreurs de
    :func:`~helpers.train.fit`.

    Exemple : ::

        history = fit_cached("tp5-vae-2", vae, x_train, epochs=15, loss=VAEObjective())
    """
    path = cache_dir() / f"{name}-{cache_key(model, images, test_images, loss, options)}.pt"
    saved = load(path)
    if saved is not None:
        model.load_state_dict(saved["state_dict"])
        model.eval()
        return History(**saved["history"])
    history = fit(model, images, test_images=test_images, loss=loss, **options)
    try:
        save_atomic({"state_dict": model.state_dict(), "history": dataclasses.asdict(history)}, path)
    except OSError as error:  # dossier en lecture seule, inaccessible, disque plein…
        warnings.warn(
            f"Impossible d'écrire dans le cache {path.parent} ({type(error).__name__}) : le modèle "
            "entraîné ne sera pas sauvegardé et sera ré-entraîné la prochaine fois. Faites pointer "
            "AE_CACHE_DIR vers un dossier accessible en écriture.",
            stacklevel=2,
        )
    return history


def cache_key(model: nn.Module, images: torch.Tensor, test_images: torch.Tensor | None,
              loss: Loss, options: dict) -> str:
    """Empreinte (16 chiffres hexadécimaux) de tout ce qui détermine le modèle entraîné.

    Réunit l'empreinte du code de ``helpers``, le ``repr`` du modèle, ses poids initiaux, la perte
    (:func:`loss_key`), les images et les ``options`` de :func:`~helpers.train.fit` (sauf
    ``progress`` et ``on_epoch_end``).

    Renvoie : une chaîne de 16 caractères.
    """
    weights = torch.cat([w.detach().flatten().cpu() for w in model.parameters()])
    key = {
        "code": source_hash(training_only=True),
        "model": repr(model),
        "initial_weights": fingerprint(weights),
        "loss": loss_key(loss),
        "images": fingerprint(images),
        "test_images": None if test_images is None else fingerprint(test_images),
        "options": {k: fingerprint(v) if isinstance(v, torch.Tensor) else v
                    for k, v in options.items() if k not in ("progress", "on_epoch_end")},
    }
    payload = json.dumps(key, sort_keys=True, default=repr)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def loss_key(loss: Loss) -> str:
    """Description stable d'une perte de ``helpers``, pour la clé du cache.

    C'est le nom d'une fonction, ou le ``repr`` d'un objectif de :mod:`helpers.objectives` (ses
    hyperparamètres). Leur code est couvert par l'empreinte du code source ; une autre perte
    (fonction du notebook, lambda) est refusée, car rien ne garantirait qu'elle n'a pas changé :
    entraînez-la avec ``fit``.

    Lève : ``ValueError`` pour une telle perte.
    """
    if dataclasses.is_dataclass(loss) and type(loss).__module__.startswith("helpers."):
        return f"{type(loss).__module__}.{loss!r}"
    if inspect.isfunction(loss) and loss.__module__.startswith("helpers.") and \
            "<" not in loss.__qualname__:  # fonction du module, ni lambda ni fonction locale
        return f"{loss.__module__}.{loss.__qualname__}"
    raise ValueError(
        f"fit_cached ne sait pas décrire la perte {loss!r} de façon sûre pour son cache : "
        "utilisez une perte de helpers (helpers.train, helpers.objectives), ou entraînez le modèle "
        "avec fit, sans cache."
    )


def fingerprint(tensor: torch.Tensor) -> str:
    """Empreinte exacte d'un tenseur : son type, sa forme et l'empreinte sha256 de ses octets.

    Un pixel changé ou déplacé la change ; 0,15 s pour les 60 000 images de MNIST.

    Renvoie : une chaîne ``"<dtype>[<forme>]:<16 chiffres hexadécimaux>"``.
    """
    data = tensor.detach().cpu().contiguous()
    digest = hashlib.sha256(data.reshape(-1).view(torch.uint8).numpy()).hexdigest()[:16]
    return f"{data.dtype}{list(data.shape)}:{digest}"


def save_atomic(obj: dict, path: Path) -> None:
    """Écrit ``obj`` avec ``torch.save`` dans un fichier temporaire, puis le renomme en ``path``.

    Un arrêt brutal pendant l'écriture ne laisse jamais de fichier de cache à moitié écrit. Le
    dossier de ``path`` est créé au besoin.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(obj, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> dict | None:
    """Contenu d'un fichier de cache, ou ``None`` s'il est absent ou illisible.

    Un fichier illisible donne un avertissement ; les tenseurs sont chargés sur le CPU.
    """
    if not os.path.isfile(path):  # absent, ou dossier du cache inaccessible
        return None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # fichier tronqué, corrompu ou d'un autre format
        warnings.warn(
            f"Le modèle en cache {path} est illisible ({type(error).__name__}) : il est ré-entraîné.",
            stacklevel=3,  # le code qui a appelé fit_cached ou load_half
        )
        return None


def save_half(model: nn.Module, path: Path, info: dict) -> None:
    """Écrit atomiquement les poids de ``model`` en float16, avec des informations ``info``.

    En float16, le fichier est deux fois plus petit (à versionner) ; ``info`` donne les réglages,
    la durée, l'erreur…

    Arguments :

    - ``path`` : le fichier à écrire (``.pt``) ;
    - ``info`` : dictionnaire que :func:`load_half` renverra.
    """
    weights = {name: w.detach().cpu().half() for name, w in model.state_dict().items()}
    save_atomic({"state_dict": weights, "info": info}, path)


def load_half(model: nn.Module, path: Path) -> dict | None:
    """Charge dans ``model`` les poids float16 écrits par :func:`save_half`.

    Les poids sont convertis en float32 et copiés dans ``model``, qui garde son périphérique et
    est mis en mode évaluation. Des poids qui ne correspondent pas au modèle sont ignorés (avec un
    avertissement).

    Renvoie : les informations ``info`` enregistrées avec les poids, ou ``None`` si le fichier est
    absent ou illisible (avec un avertissement) ou si les poids ont été ignorés.

    Exemple : ::

        info = load_half(model, config.project_root() / "results" / "ae30_conv_long.pt")
    """
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
    return saved.get("info")
