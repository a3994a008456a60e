"""Mécanique commune des vérifications d'exercices.

Une vérification reçoit la réponse de l'étudiant (le plus souvent sa fonction), l'essaie sur des
entrées connues et :

- affiche « ✅ … » si la réponse est juste ;
- affiche « ⏳ … » si la fonction est encore l'ébauche (``NotImplementedError``), sans interrompre
  l'exécution du notebook ;
- lève :class:`WrongAnswer`, avec un message en français qui dit ce qui ne va pas sans donner la
  solution, si la réponse est fausse.
"""

from __future__ import annotations

import functools
from typing import Callable

import torch


class WrongAnswer(AssertionError):
    """Réponse incorrecte ; le message explique en français ce qui ne va pas."""


def exercise_check(verify: Callable[..., str]) -> Callable[..., None]:
    """Fait de ``verify(answer, ...)``, qui lève :class:`WrongAnswer` ou renvoie le message de
    réussite, la vérification appelée dans le notebook. Elle affiche son verdict et ne renvoie
    rien (le notebook n'affiche donc pas de valeur sous le message)."""

    @functools.wraps(verify)
    def check(answer, *args, **kwargs) -> None:
        try:
            message = verify(answer, *args, **kwargs)
        except NotImplementedError:
            name = getattr(answer, "__name__", "la réponse")
            print(f"⏳ {name} n'est pas encore écrite : remplacez « raise NotImplementedError » "
                  "par votre code, puis relancez la cellule de la fonction et celle-ci.")
            return
        except WrongAnswer as error:
            raise WrongAnswer(f"❌ {error}") from None
        print(f"✅ {message}")

    return check


def as_float(value, what: str) -> float:
    """``value`` converti en nombre ; sinon une erreur qui dit ce qui était attendu."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise WrongAnswer(f"{what} doit être un nombre, pas un tenseur de forme "
                              f"{tuple(value.shape)}.")
        return float(value.detach())
    try:
        return float(value)
    except (TypeError, ValueError):
        raise WrongAnswer(f"{what} doit être un nombre, pas un objet {type(value).__name__}.") from None


def as_tensor(value, what: str, shape: tuple[int, ...] | None = None) -> torch.Tensor:
    """``value`` sous forme de tenseur flottant, de forme ``shape`` si elle est donnée."""
    if not isinstance(value, torch.Tensor):
        raise WrongAnswer(f"{what} doit être un tenseur torch, pas un objet {type(value).__name__}.")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise WrongAnswer(f"{what} a la forme {tuple(value.shape)} ; la forme attendue est "
                          f"{tuple(shape)}.")
    return value.detach().double()


def close(actual, expected, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    """Vrai si ``actual`` et ``expected`` (nombres ou tenseurs) sont égaux aux tolérances près."""
    actual = torch.as_tensor(actual, dtype=torch.float64)
    expected = torch.as_tensor(expected, dtype=torch.float64)
    return actual.shape == expected.shape and torch.allclose(actual, expected, rtol=rtol, atol=atol)
