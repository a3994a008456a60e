"""Vérifications automatiques des exercices des TP : ``check_<nom>(réponse)``.

Chaque vérification essaie la réponse de l'étudiant sur des entrées connues, affiche « ✅ » si elle
est juste, « ⏳ » si la fonction est encore l'ébauche, et lève :class:`WrongAnswer` avec un message
en français qui dit ce qui ne va pas. Un module par TP ; ``check_all(f, g, …)`` vérifie plusieurs
fonctions d'un même exercice et donne le verdict de chacune.
"""

from . import tp1, tp2, tp3, tp4, tp5, tp6, tp7
from .core import WrongAnswer
from .tp1 import *  # noqa: F403
from .tp2 import *  # noqa: F403
from .tp3 import *  # noqa: F403
from .tp4 import *  # noqa: F403
from .tp5 import *  # noqa: F403
from .tp6 import *  # noqa: F403
from .tp7 import *  # noqa: F403

CHECKS = {name.removeprefix("check_"): getattr(module, name)
          for module in (tp1, tp2, tp3, tp4, tp5, tp6, tp7) for name in module.__all__}


def check_all(*answers) -> None:
    """Vérifie plusieurs fonctions d'un même exercice et affiche le verdict de chacune.

    Chacune des fonctions ``answers`` est vérifiée par sa vérification (celle de son nom) ; tous
    les verdicts sont affichés, puis :class:`WrongAnswer` est levée si au moins une est fausse.

    Arguments :

    - ``answers`` : les fonctions écrites dans le notebook, sous le nom que leur donne l'énoncé
      (``per_image_sse`` est vérifiée par ``check_per_image_sse``).

    Lève : :class:`WrongAnswer` si une réponse est fausse, ou si aucune vérification ne porte le
    nom d'une fonction.

    Exemple : ::

        check_all(per_image_sse, discarded_variance)
    """
    wrong = []
    for answer in answers:
        name = getattr(answer, "__name__", repr(answer))
        if name not in CHECKS:
            raise WrongAnswer(f"❌ Aucune vérification pour {name} : gardez le nom de fonction "
                              "donné par l'énoncé.")
        try:
            CHECKS[name](answer)
        except WrongAnswer as error:
            print(error)
            wrong.append(name)
    if wrong:
        raise WrongAnswer(f"❌ À corriger : {', '.join(wrong)} (voir les messages ci-dessus).")


__all__ = ["WrongAnswer", "check_all", *(f"check_{name}" for name in CHECKS)]
