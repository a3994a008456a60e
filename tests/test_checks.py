"""Chaque vérification d'exercice (``helpers.checks.__all__``) : elle accepte la solution du cours,
affiche ⏳ sur l'ébauche, refuse chacune de ses erreurs typiques avec le message de celle-ci (aucune
n'est masquée par une autre), refuse une réponse qui ignore l'un de ses arguments, et rend intact
l'état aléatoire du notebook."""

import functools
import inspect
import random

import numpy as np
import pytest
import torch

from helpers.checks import CHECKS, WrongAnswer
from helpers.checks.core import STUB_MESSAGE, declared_mistakes

from checkutils import FakeMPSTensor, outcome
from course_solutions import all_solutions


@pytest.fixture(scope="module")
def course(all_solutions):
    """La solution du cours de chaque exercice vérifié, par nom de fonction."""
    return {name: all_solutions[name] for name in CHECKS}


def test_every_check_has_a_course_solution(all_solutions):
    assert sorted(set(CHECKS) - set(all_solutions)) == []


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_course_solution_passes(name, course):
    assert outcome(CHECKS[name], course[name]).startswith("✅")


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_a_stub_is_pending(name, course):
    @functools.wraps(course[name])
    def stub(*args, **kwargs):
        raise NotImplementedError(STUB_MESSAGE)

    assert outcome(CHECKS[name], stub) == (
        f"⏳ {name} n'est pas encore écrite : remplacez « raise NotImplementedError » par votre "
        "code, puis relancez la cellule de la fonction et celle-ci.\n")


def _mistakes(name, course):
    with declared_mistakes() as mistakes:
        outcome(CHECKS[name], course[name])
    return mistakes


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_mistake_is_named_by_its_own_message(name, course):
    mistakes = _mistakes(name, course)
    assert mistakes, f"check_{name} ne déclare aucune erreur typique"
    for mistake in mistakes:
        answer = functools.wraps(course[name])(mistake.answer)
        with pytest.raises(WrongAnswer) as error:
            CHECKS[name](answer)
        assert str(error.value) == f"❌ {mistake.message}"


def _ignoring(solution, parameter: str):
    """La solution, mais qui garde pour ``parameter`` la valeur reçue au premier appel."""
    signature = inspect.signature(solution)
    first = []

    @functools.wraps(solution)
    def answer(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        if first:
            bound.arguments[parameter] = first[0]
        else:
            first.append(bound.arguments[parameter])
        return solution(*bound.args, **bound.kwargs)

    return answer


def _parameters():
    solutions = all_solutions()
    return [(name, parameter) for name in sorted(CHECKS)
            for parameter in inspect.signature(solutions[name]).parameters]


@pytest.mark.parametrize("name, parameter", _parameters())
def test_an_answer_that_ignores_an_argument_is_rejected(name, parameter, course):
    with pytest.raises(WrongAnswer):
        CHECKS[name](_ignoring(course[name], parameter))


def _random_state():
    return (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate())


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_notebook_random_state_is_left_untouched(name, course):
    torch.manual_seed(123)
    np.random.seed(123)
    random.seed(123)
    before = _random_state()
    outcome(CHECKS[name], course[name])
    after = _random_state()
    assert torch.equal(before[0], after[0])
    assert np.array_equal(before[1], after[1]) and before[2] == after[2]


def _on_fake_mps(value):
    """Les tenseurs d'un résultat, comme s'ils venaient de MPS (pas de float64 hors du CPU)."""
    if isinstance(value, torch.Tensor):
        return value.as_subclass(FakeMPSTensor)
    if isinstance(value, (tuple, list)):
        return type(value)(_on_fake_mps(v) for v in value)
    return value


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_a_right_answer_computed_on_mps_passes(name, course):
    """Sur un Mac, les réponses sont des tenseurs MPS, qui ne connaissent pas float64 : la
    vérification compare sur le CPU et accepte la solution."""
    solution = course[name]
    answer = functools.wraps(solution)(lambda *args, **kwargs: _on_fake_mps(solution(*args, **kwargs)))
    assert outcome(CHECKS[name], answer).startswith("✅")
