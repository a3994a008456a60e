"""Aides des tests de ``helpers.checks`` : l'issue d'une vérification, d'après ce qu'elle affiche."""

import contextlib
import io

import pytest
import torch

from helpers.checks import WrongAnswer


def outcome(check, *args) -> str:
    """Appelle ``check(*args)`` et renvoie ce qu'elle affiche (ré-affiché pour ``capsys``)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = check(*args)
    assert result is None, "une vérification ne renvoie rien : le notebook afficherait sa valeur"
    print(buffer.getvalue(), end="")
    return buffer.getvalue()


def passes(check, *args) -> bool:
    """Vrai si la vérification accepte la réponse (« ✅ »)."""
    return outcome(check, *args).startswith("✅")


def pending(check, *args) -> bool:
    """Vrai si la vérification signale une ébauche pas encore écrite (« ⏳ »)."""
    return outcome(check, *args).startswith("⏳")


def rejects(check, answer, fragment: str) -> str:
    """Vérifie que ``check`` refuse ``answer`` avec un message qui contient ``fragment`` ;
    renvoie le message."""
    with pytest.raises(WrongAnswer) as error:
        check(answer)
    assert fragment in str(error.value), str(error.value)
    return str(error.value)


class FakeMPSTensor(torch.Tensor):
    """Un tenseur qui, comme sur MPS, refuse float64 tant qu'il n'est pas passé sur le CPU."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.Tensor.cpu:
            return args[0].as_subclass(torch.Tensor).clone()
        if func in (torch.Tensor.double, torch.Tensor.to) and (
                func is torch.Tensor.double or torch.float64 in (*args[1:], kwargs.get("dtype"))):
            raise TypeError("Cannot convert a MPS Tensor to float64 dtype")
        return super().__torch_function__(func, types, args, kwargs)
