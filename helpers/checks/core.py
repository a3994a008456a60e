"""Vocabulaire commun des vérifications d'exercices.

Une vérification ``check_<nom>(réponse)`` essaie la fonction de l'étudiant sur des cas connus et :

- affiche « ✅ … » si elle est juste ;
- affiche « ⏳ … » si elle est encore l'ébauche (``NotImplementedError("À compléter")``), sans
  interrompre l'exécution du notebook ;
- lève :class:`WrongAnswer` sinon, avec un message en français qui dit ce qui ne va pas sans donner
  la solution.

Toutes s'écrivent de la même façon : :func:`expect` compare la réponse à une fonction de référence
sur plusieurs cas (plusieurs valeurs de chaque argument), puis, si elle diffère, à chaque erreur
typique (:class:`Mistake`) : une fonction fausse qui reproduit l'erreur et porte son message. La
réponse est appelée par :func:`call`, qui refuse qu'elle délègue le calcul demandé à la fonction du
cours qui le fait déjà (``forbidden``) et explique les erreurs de périphérique. Les calculs de la
vérification se font sur le CPU en float64, quel que soit le périphérique de la réponse, et l'état
aléatoire du notebook est rendu intact.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import random
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np
import torch

from .. import config

STUB_MESSAGE = "À compléter"


class WrongAnswer(AssertionError):
    """Réponse incorrecte ; le message explique en français ce qui ne va pas."""


@dataclass(frozen=True)
class Mistake:
    """Une erreur typique : ``answer`` la reproduit (une réponse fausse, de même signature que celle
    demandée à l'étudiant) et ``message`` la nomme, sans donner la solution."""

    answer: Callable
    message: str


DELEGATION = ("Votre fonction appelle {name}, la fonction du cours qui calcule justement ce qui est "
              "demandé : écrivez le calcul vous-même (les autres fonctions de helpers restent "
              "permises).")
OBSERVATION_SEED = 12345  # état aléatoire global pendant chaque appel comparé (voir expect)

_forbidden: ContextVar[dict[Callable, str]] = ContextVar("forbidden", default={})
_declared: ContextVar[list[Mistake] | None] = ContextVar("declared", default=None)


def exercise_check(verify: Callable[..., str] | None = None, *,
                   forbidden: Sequence[Callable] | Mapping[Callable, str] = ()) -> Callable:
    """Fait de ``verify(answer)``, qui lève :class:`WrongAnswer` ou renvoie le message de réussite,
    la vérification appelée dans le notebook : elle affiche son verdict et ne renvoie rien.

    ``forbidden`` : les fonctions qui calculent justement ce que l'exercice demande (celles du cours,
    ou d'une bibliothèque quand l'exercice demande de s'en passer) ; une réponse qui les appelle est
    refusée, avec le message :data:`DELEGATION`, ou celui que donne ``forbidden`` (un dictionnaire
    fonction → message, où ``{name}`` est le nom de la fonction). Pendant la vérification, l'état
    aléatoire global (torch, NumPy, random) est emprunté puis rendu tel quel au notebook."""
    if verify is None:
        return functools.partial(exercise_check, forbidden=forbidden)
    messages = dict(forbidden) if isinstance(forbidden, Mapping) else \
        dict.fromkeys(forbidden, DELEGATION)

    @functools.wraps(verify)
    def check(answer) -> None:
        token = _forbidden.set(messages)
        try:
            with seeded(0):
                message = verify(answer)
        except NotImplementedError as error:
            if str(error) != STUB_MESSAGE:
                raise
            name = getattr(answer, "__name__", "la réponse")
            print(f"⏳ {name} n'est pas encore écrite : remplacez « raise NotImplementedError » "
                  "par votre code, puis relancez la cellule de la fonction et celle-ci.")
            return
        except WrongAnswer as error:
            raise WrongAnswer(f"❌ {error}") from None
        finally:
            _forbidden.reset(token)
        print(f"✅ {message}")

    check.forbidden = tuple(messages)
    return check


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Graines fixées pour torch, NumPy et ``random`` le temps du bloc ; l'état d'avant est rendu
    ensuite (sur le CPU et sur le périphérique du cours)."""
    kind = config.device().type
    fork = (torch.random.fork_rng(device_type=kind) if kind in ("cuda", "mps")
            else torch.random.fork_rng(devices=[]))
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        with fork:
            torch.manual_seed(seed)
            np.random.seed(seed)
            random.seed(seed)
            yield
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)


# --- Appeler la réponse ----------------------------------------------------------------------


def call(answer: Callable, *args, **kwargs):
    """Appelle la réponse de l'étudiant : signature vérifiée, appels aux fonctions du cours
    interdites surveillés, erreurs de périphérique expliquées."""
    name = getattr(answer, "__name__", "la fonction")
    try:
        inspect.signature(answer).bind(*args, **kwargs)
    except TypeError as error:
        raise WrongAnswer(f"L'appel {name}({describe_args(args, kwargs)}) ne correspond pas à la "
                          f"signature de votre fonction ({error}) : gardez celle de l'énoncé.") from None
    except ValueError:  # fonction sans signature lisible (fonction C) : on l'appelle telle quelle
        pass
    forbidden = _forbidden.get()
    with _watching(forbidden) as used:
        try:
            result = answer(*args, **kwargs)
        except RuntimeError as error:
            if not _is_device_error(error):
                raise
            raise WrongAnswer(
                f"Votre fonction mélange des tenseurs de deux périphériques ({_first_line(error)}). "
                f"Comme dans le notebook, le modèle est sur `device` ({config.device()}) et les "
                "images restent sur le CPU : envoyez chaque lot sur le périphérique du modèle avec "
                ".to(device) avant de le lui donner.") from None
    if used:
        raise WrongAnswer(forbidden[used[0]].format(name=_qualified_name(used[0])))
    return result


@contextlib.contextmanager
def _watching(functions) -> Iterator[list[Callable]]:
    """Note, pendant le bloc, les appels à l'une des ``functions`` (même importée sous un autre
    nom) : le profileur de Python voit chaque appel de fonction."""
    codes = {inspect.unwrap(f).__code__: f for f in functions}
    used: list[Callable] = []
    if not codes:
        yield used
        return

    def profiler(frame, event, _arg):
        if event == "call" and frame.f_code in codes and codes[frame.f_code] not in used:
            used.append(codes[frame.f_code])

    previous = sys.getprofile()
    sys.setprofile(profiler)
    try:
        yield used
    finally:
        sys.setprofile(previous)


def _qualified_name(function: Callable) -> str:
    function = inspect.unwrap(function)
    return f"{function.__module__}.{function.__qualname__.removesuffix('.__init__')}"


def _is_device_error(error: RuntimeError) -> bool:
    """Les messages de PyTorch pour des tenseurs sur deux périphériques (CUDA, MPS, meta)."""
    text = str(error)
    return any(sign in text for sign in ("same device", "expected device",
                                         "Placeholder storage has not been allocated on MPS"))


def _first_line(error: Exception) -> str:
    return str(error).strip().split("\n")[0]


def describe_args(args: tuple, kwargs: dict | None = None) -> str:
    """Les arguments d'un appel, lisibles dans un message : formes des tenseurs et des tableaux."""
    def show(value) -> str:
        if isinstance(value, torch.Tensor):
            return f"tenseur {tuple(value.shape)}" if value.ndim else f"{value.item():g}"
        if isinstance(value, np.ndarray):
            return f"tableau {value.shape}"
        if isinstance(value, torch.nn.Module):
            return type(value).__name__
        if isinstance(value, torch.Generator):
            return "générateur"
        return repr(value)

    parts = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in (kwargs or {}).items()]
    return ", ".join(parts)


# --- Comparer à la référence et aux erreurs typiques -----------------------------------------


def expect(answer: Callable, reference: Callable, cases: Sequence[tuple], *,
           mistakes: Sequence[Mistake] = (), otherwise: str | Callable[..., str],
           run: Callable | None = None, what: str = "La valeur renvoyée",
           rtol: float = 1e-4, atol: float = 1e-6) -> None:
    """Accepte ``answer`` si, sur chaque cas, elle donne ce que donne ``reference`` ; sinon lève
    :class:`WrongAnswer` avec le message de la première erreur typique de ``mistakes`` qui donne
    exactement ce que donne la réponse sur tous les cas, ou à défaut un message neutre.

    ``cases`` : les arguments de chaque appel (une copie neuve pour chaque fonction appelée).
    ``run(function, case)`` : ce qu'on observe d'une fonction sur un cas (par défaut
    ``function(*case)``), toujours dans le même état aléatoire global : une erreur typique qui tire
    au hasard sans le générateur demandé donne ainsi exactement ce que donne la réponse. ``otherwise`` : le message neutre, ou une fonction
    ``(case, observé, attendu) -> message`` du premier cas faux. Les observations sont comparées
    sur le CPU en float64, aux tolérances ``rtol`` et ``atol`` près.
    """
    declared = _declared.get()
    if declared is not None:
        declared.extend(mistakes)
    def observe(function, case):
        with seeded(OBSERVATION_SEED):
            return numeric((run or _call_with)(function, case))

    observed = [observe(functools.partial(call, answer), case) for case in cases]
    expected = [observe(reference, case) for case in cases]
    wrong = [i for i, (o, e) in enumerate(zip(observed, expected)) if not same(o, e, rtol, atol)]
    if not wrong:
        return
    for mistake in mistakes:
        reproduced = (observe(mistake.answer, case) for case in cases)
        if all(same(o, m, rtol, atol) for o, m in zip(observed, reproduced)):
            raise WrongAnswer(mistake.message)
    first = wrong[0]
    mismatch = shape_mismatch(observed[first], expected[first], what)
    if mismatch:
        raise WrongAnswer(mismatch)
    if callable(otherwise):
        raise WrongAnswer(otherwise(cases[first], observed[first], expected[first]))
    raise WrongAnswer(otherwise)


def _call_with(function: Callable, case: tuple):
    return function(*fresh(case))


def fresh(value):
    """Copie neuve des arguments d'un appel, pour que chaque fonction comparée reçoive les mêmes :
    tenseurs, tableaux, modules et générateurs sont copiés, le reste est partagé."""
    if isinstance(value, tuple):
        return tuple(fresh(v) for v in value)
    if isinstance(value, list):
        return [fresh(v) for v in value]
    if isinstance(value, torch.Tensor):
        return value.detach().clone().requires_grad_(value.requires_grad)
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, torch.nn.Module):
        return copy.deepcopy(value)
    if isinstance(value, torch.Generator):
        twin = torch.Generator(device=value.device)
        twin.set_state(value.get_state())
        return twin
    return value


def numeric(value):
    """Une observation sous forme comparable : nombres et tableaux en tenseurs float64 sur le CPU
    (la conversion se fait après le passage sur le CPU : MPS ne connaît pas float64), n-uplets et
    listes élément par élément ; le reste tel quel."""
    if isinstance(value, (tuple, list)):
        return tuple(numeric(v) for v in value)
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().to(torch.float64)
    if isinstance(value, (bool, int, float, np.number, np.bool_)):
        return torch.tensor(float(value), dtype=torch.float64)
    if isinstance(value, np.ndarray) and value.dtype != object:
        try:
            return torch.from_numpy(value.astype(np.float64))
        except (TypeError, ValueError):
            return value
    return value


def same(observed, expected, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    """Vrai si deux observations (voir :func:`numeric`) sont égales aux tolérances près ; un
    tenseur à un élément vaut un nombre."""
    if isinstance(expected, tuple):
        return (isinstance(observed, tuple) and len(observed) == len(expected)
                and all(same(o, e, rtol, atol) for o, e in zip(observed, expected)))
    if isinstance(expected, torch.Tensor):
        if not isinstance(observed, torch.Tensor):
            return False
        if expected.ndim == 0 and observed.numel() == 1:
            observed = observed.reshape(())
        return (observed.shape == expected.shape
                and bool(torch.allclose(observed, expected, rtol=rtol, atol=atol)))
    return observed == expected


def shape_mismatch(observed, expected, what: str) -> str | None:
    """Le message qui décrit une différence de type ou de forme entre deux observations, ou
    ``None`` si elles ont la même forme (seules leurs valeurs diffèrent)."""
    if isinstance(expected, tuple):
        if not isinstance(observed, tuple):
            return f"{what} doit être une suite de {len(expected)} éléments, pas {_kind(observed)}."
        if len(observed) != len(expected):
            return f"{what} doit avoir {len(expected)} éléments, pas {len(observed)}."
        for index, (o, e) in enumerate(zip(observed, expected), 1):
            mismatch = shape_mismatch(o, e, f"L'élément {index} de {what.lower()}")
            if mismatch:
                return mismatch
        return None
    if isinstance(expected, torch.Tensor):
        if not isinstance(observed, torch.Tensor):
            return f"{what} doit être {_kind(expected)}, pas {_kind(observed)}."
        if expected.ndim == 0 and observed.numel() == 1:
            return None
        if observed.shape != expected.shape:
            return f"{what} est {_kind(observed)} ; attendu : {_kind(expected)}."
    return None


def _kind(value) -> str:
    if isinstance(value, torch.Tensor):
        return "un nombre" if value.ndim == 0 else f"un tableau de forme {tuple(value.shape)}"
    if isinstance(value, tuple):
        return f"un n-uplet de {len(value)} éléments"
    return f"un objet {type(value).__name__}"


@contextlib.contextmanager
def declared_mistakes() -> Iterator[list[Mistake]]:
    """Recueille les erreurs typiques que déclarent les appels à :func:`expect` du bloc (pour les
    tests : chacune doit être reconnue par son propre message)."""
    mistakes: list[Mistake] = []
    token = _declared.set(mistakes)
    try:
        yield mistakes
    finally:
        _declared.reset(token)

