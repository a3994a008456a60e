"""Vérifications automatiques des exercices des TP : ``check_<nom>(réponse)``.

Chaque vérification essaie la réponse de l'étudiant sur des entrées connues, affiche « ✅ » si elle
est juste, « ⏳ » si la fonction est encore l'ébauche, et lève :class:`WrongAnswer` avec un message
en français qui dit ce qui ne va pas. Un module par TP.
"""

from .core import WrongAnswer
from .tp1 import *  # noqa: F401,F403
from .tp2 import *  # noqa: F401,F403
from .tp3 import *  # noqa: F401,F403
from .tp4 import *  # noqa: F401,F403
from .tp5 import *  # noqa: F401,F403
from .tp6 import *  # noqa: F401,F403
