"""Boucle d'entraînement sur des tenseurs en mémoire, avec historique et barre de progression."""

from __future__ import annotations

import functools
import math
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.std import tqdm

from .checkpoints import checkpoint_path, fingerprint, load, save_atomic
from .models import check_pixels, check_positive_int

Loss = Callable[..., torch.Tensor]


def reconstruction_mse(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Erreur quadratique moyenne par pixel entre ``x`` et sa reconstruction ``model(x)``."""
    return F.mse_loss(model(x), x)


def classification_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Entropie croisée entre les logits ``model(x)`` et les étiquettes ``y``."""
    return F.cross_entropy(model(x), y)


@dataclass
class History:
    """Pertes moyennes par époque (entraînement et, si fourni, test) et durée totale en secondes."""

    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0


def minibatches(
    n: int, batch_size: int, generator: torch.Generator | None = None
) -> Iterator[torch.Tensor]:
    """Indices de mini-lots d'une permutation aléatoire de ``range(n)`` (le dernier peut être court)."""
    order = torch.randperm(n, generator=generator)
    yield from order.split(batch_size)


def fit(
    model: nn.Module,
    images: torch.Tensor,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    loss: Loss = reconstruction_mse,
    test_images: torch.Tensor | None = None,
    targets: torch.Tensor | None = None,
    on_epoch_end: Callable[[int, nn.Module], None] | None = None,
    seed: int = 0,
    cosine: bool = False,
    progress: bool = True,
) -> History:
    """Entraîne ``model`` avec Adam en minimisant ``loss(model, lot)`` ; renvoie l'historique.

    Les données restent en mémoire et sont parcourues par mini-lots dans un ordre aléatoire fixé
    par ``seed``. Si ``batch_size`` dépasse la taille des données, chaque époque fait un seul lot.
    Avec ``cosine=True``, le taux d'apprentissage décroît de ``lr`` à 0 en cosinus au fil des pas.
    ``on_epoch_end(epoch, model)`` est appelé après chaque époque (époques numérotées à partir de 1).
    Avec des étiquettes ``targets`` (apprentissage supervisé), la perte est ``loss(model, x, y)``.
    Des images entières ou à l'échelle [0, 255] sont refusées d'emblée (voir ``check_pixels``).
    """
    check_positive_int("epochs", epochs)
    check_positive_int("batch_size", batch_size)
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(
            f"Le taux d'apprentissage lr doit être un réel strictement positif (reçu : {lr})."
        )
    if len(images) == 0:
        raise ValueError("L'ensemble d'entraînement est vide : impossible d'entraîner le modèle.")
    check_pixels(images)
    if targets is not None and len(targets) != len(images):
        raise ValueError(f"{len(images)} images mais {len(targets)} étiquettes.")

    device = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * math.ceil(len(images) / batch_size)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps) if cosine else None
    generator = torch.Generator().manual_seed(seed)
    history = History()
    start = time.perf_counter()
    bar = tqdm(range(1, epochs + 1), desc="Entraînement", unit="époque", disable=not progress,
               leave=False, mininterval=1.0)
    for epoch in bar:
        model.train()
        total = 0.0
        for idx in minibatches(len(images), batch_size, generator):
            batch = images[idx].to(device)
            optimizer.zero_grad(set_to_none=True)
            if targets is None:
                value = loss(model, batch)
            else:
                value = loss(model, batch, targets[idx].to(device))
            value.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total += value.item() * len(idx)
        history.train_loss.append(_finite(total / len(images), epoch))
        if test_images is not None:
            history.test_loss.append(evaluate(model, test_images, loss=loss))
        bar.set_postfix(perte=f"{history.train_loss[-1]:.4g}")
        if on_epoch_end is not None:
            on_epoch_end(epoch, model)
    history.seconds = time.perf_counter() - start
    model.eval()
    return history


def fit_cached(
    name: str,
    model: nn.Module,
    images: torch.Tensor,
    *,
    test_images: torch.Tensor | None = None,
    loss: Loss = reconstruction_mse,
    **options,
) -> History:
    """Comme :func:`fit`, mais recharge le modèle du cache disque si la même configuration a déjà
    été entraînée (même architecture et mêmes poids initiaux, même perte, mêmes données, mêmes
    options). Le rappel ``on_epoch_end`` n'est appelé que lors d'un véritable entraînement.

    Si le dossier du cache n'est pas accessible en écriture, le modèle est entraîné normalement mais
    n'est pas sauvegardé (avec un avertissement)."""
    config = {
        "model": repr(model),
        "initial_weights": fingerprint(torch.cat([w.detach().flatten().cpu() for w in model.parameters()])),
        "loss": describe(loss),
        "images": fingerprint(images),
        "test_images": None if test_images is None else fingerprint(test_images),
        **{k: fingerprint(v) if isinstance(v, torch.Tensor) else v
           for k, v in options.items() if k not in ("progress", "on_epoch_end")},
    }
    path = checkpoint_path(name, config)
    saved = load(path)
    if saved is not None:
        model.load_state_dict(saved["state_dict"])
        model.eval()
        return History(**saved["history"])
    history = fit(model, images, test_images=test_images, loss=loss, **options)
    try:
        save_atomic({"state_dict": model.state_dict(), "history": asdict(history)}, path)
    except OSError as error:  # dossier en lecture seule, inaccessible, disque plein…
        warnings.warn(
            f"Impossible d'écrire dans le cache {path.parent} ({type(error).__name__}) : le modèle "
            "entraîné ne sera pas sauvegardé et sera ré-entraîné la prochaine fois. Faites pointer "
            "AE_CACHE_DIR vers un dossier accessible en écriture.",
            stacklevel=2,
        )
    return history


def describe(function: Callable) -> str:
    """Description stable d'une fonction de perte (nom, arguments liés, constantes capturées)."""
    if isinstance(function, functools.partial):
        return f"partial({describe(function.func)}, {function.args!r}, {sorted(function.keywords.items())!r})"
    name = f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', repr(function))}"
    captured = [
        repr(cell.cell_contents) if isinstance(cell.cell_contents, (int, float, str, bool, tuple))
        else type(cell.cell_contents).__name__
        for cell in getattr(function, "__closure__", None) or ()
    ]
    return f"{name}{captured}" if captured else name


def _finite(value: float, epoch: int) -> float:
    if not math.isfinite(value):
        raise FloatingPointError(
            f"La perte vaut {value} à l'époque {epoch} : l'entraînement a divergé. "
            "Réduisez le taux d'apprentissage lr ou vérifiez que les données sont dans [0, 1]."
        )
    return value


@torch.no_grad()
def evaluate(
    model: nn.Module, images: torch.Tensor, *, loss: Loss = reconstruction_mse, batch_size: int = 1000
) -> float:
    """Perte moyenne de ``model`` sur ``images`` (moyenne pondérée par la taille des lots)."""
    if len(images) == 0:
        raise ValueError("Impossible d'évaluer sur un ensemble vide.")
    model.eval()
    device = next(model.parameters()).device
    total = sum(
        loss(model, batch.to(device)).item() * len(batch) for batch in images.split(batch_size)
    )
    return total / len(images)


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Classes prédites (argmax des logits) pour toutes les images, sur le CPU."""
    model.eval()
    device = next(model.parameters()).device
    return torch.cat([model(b.to(device)).argmax(dim=1).cpu() for b in images.split(batch_size)])


@torch.no_grad()
def encode(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Codes ``model.encode(x)`` de toutes les images, calculés par lots, sur le CPU."""
    model.eval()
    device = next(model.parameters()).device
    return torch.cat([model.encode(b.to(device)).cpu() for b in images.split(batch_size)])


@torch.no_grad()
def reconstruct(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Reconstructions ``model(x)`` de toutes les images, calculées par lots, sur le CPU."""
    model.eval()
    device = next(model.parameters()).device
    return torch.cat([model(b.to(device)).cpu() for b in images.split(batch_size)])
