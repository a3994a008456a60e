"""Le vocabulaire commun des vérifications (``helpers.checks.core``) et ``check_all``."""

import pytest
import torch

from helpers.checks import WrongAnswer, check_all
from helpers.checks.core import Mistake, call, exercise_check, expect, numeric, same

from checkutils import FakeMPSTensor, outcome


def _square(x):
    return x * x


@exercise_check
def check_square(square):
    """Une vérification minimale : le carré de 2 et de 3."""
    expect(square, _square, [(2.0,), (3.0,)], mistakes=[
        Mistake(lambda x: 2 * x, "Vous doublez au lieu d'élever au carré."),
        Mistake(lambda x: x + x, "Jamais atteinte : même observation que la précédente."),
    ], otherwise="Ce n'est pas le carré.")
    return "Carré juste."


def test_expect_names_the_first_mistake_that_reproduces_the_answer():
    assert outcome(check_square, lambda x: x ** 2) == "✅ Carré juste.\n"
    with pytest.raises(WrongAnswer, match="^❌ Vous doublez"):
        check_square(lambda x: x + x)
    with pytest.raises(WrongAnswer, match="^❌ Ce n'est pas le carré.$"):
        check_square(lambda x: x ** 3)


def test_a_wrong_shape_is_described_before_any_value():
    with pytest.raises(WrongAnswer, match=r"^❌ La valeur renvoyée est un tableau de forme \(2,\) ; "
                                          "attendu : un nombre."):
        check_square(lambda x: torch.tensor([x, x]))
    with pytest.raises(WrongAnswer, match="doit être un nombre, pas un objet str"):
        check_square(lambda x: "quatre")


def test_numbers_tensors_and_arrays_compare_alike():
    assert outcome(check_square, lambda x: torch.tensor([x * x])).startswith("✅")  # un élément
    assert outcome(check_square, lambda x: torch.tensor(x * x, dtype=torch.float16)).startswith("✅")
    assert same(numeric((1, [2.0, 3])), numeric((torch.tensor(1), (2, 3.0))))
    assert not same(numeric((1, 2)), numeric((1, 2, 3)))


def test_a_stub_is_pending_but_another_not_implemented_error_is_not_hidden():
    def square(x):
        raise NotImplementedError("À compléter")

    assert outcome(check_square, square).startswith("⏳ square n'est pas encore écrite")

    def square_on_mps(x):
        raise NotImplementedError("The operator 'aten::foo' is not currently implemented for MPS")

    with pytest.raises(NotImplementedError, match="MPS"):
        check_square(square_on_mps)


def test_a_wrong_signature_is_explained():
    with pytest.raises(WrongAnswer, match=r"L'appel <lambda>\(2\.0\) ne correspond pas à la signature"):
        check_square(lambda x, y: x * y)


def test_answers_on_a_device_without_float64_are_compared_on_the_cpu():
    on_mps = torch.tensor(9.0).as_subclass(FakeMPSTensor)
    with pytest.raises(TypeError, match="float64"):
        on_mps.double()
    assert same(numeric(on_mps), numeric(9))
    assert outcome(check_square, lambda x: torch.tensor(x * x).as_subclass(FakeMPSTensor)) \
        .startswith("✅")


def test_call_refuses_forbidden_functions_under_any_name():
    @exercise_check(forbidden=[_square])
    def check_fourth_power(answer):
        expect(answer, lambda x: x ** 4, [(2.0,), (3.0,)], otherwise="Non.")
        return "Juste."

    alias = _square
    with pytest.raises(WrongAnswer, match=r"appelle test_checks_core\._square, la fonction du cours"):
        check_fourth_power(lambda x: alias(alias(x)))
    assert outcome(check_fourth_power, lambda x: (x * x) ** 2).startswith("✅")
    assert call(lambda x: alias(x), 3.0) == 9.0  # hors d'une vérification : rien d'interdit


def test_check_all_gives_every_verdict_then_fails(capsys, all_solutions):
    def zero_fraction(codes):
        return 0.5

    def dead_units(codes):
        raise NotImplementedError("À compléter")

    with pytest.raises(WrongAnswer, match="^❌ À corriger : zero_fraction "):
        check_all(zero_fraction, dead_units, all_solutions["dense_params"])
    out = capsys.readouterr().out
    assert out.count("❌") == 1 and "⏳ dead_units" in out and out.count("✅") == 1


def test_check_all_refuses_an_unknown_name():
    def mean(x):
        return x

    with pytest.raises(WrongAnswer, match="Aucune vérification pour mean"):
        check_all(mean)
