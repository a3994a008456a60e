"""Appels sous l'utilisateur ``nobody`` pour les tests de droits d'accès.

Root ignore les droits d'accès : chmod seul ne prouverait rien. L'interpréteur de l'environnement
virtuel pouvant être hors de portée de ``nobody`` (sous /root), le processus fils est obtenu par
``os.fork`` et ne lance aucun nouveau programme : il change d'utilisateur puis appelle la fonction.
"""

import os
import pickle
import traceback

import torch

NOBODY = 65534


def run_unprivileged(function, *args, expected=()):
    """Renvoie ``("ok", function(*args))``, ou ``("error", type, message)`` pour une exception
    ``expected``, l'appel se faisant sous ``nobody`` dans un processus fils si l'on est root (et
    directement sinon : les droits d'accès s'appliquent déjà). Toute autre exception fait échouer."""
    if os.geteuid() != 0:
        return _outcome(function, args, expected)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # processus fils : jamais de retour dans pytest
        status = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            torch.set_num_threads(1)
            outcome = _outcome(function, args, expected)
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(outcome, pipe)
            status = 0
        except BaseException:  # noqa: BLE001 — seulement affichée : le parent échoue (status 1)
            traceback.print_exc()
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "le processus fils a échoué (voir stderr)"
    return pickle.loads(payload)


def _outcome(function, args, expected):
    try:
        return "ok", function(*args)
    except expected as error:
        return "error", type(error).__name__, str(error)
