"""Quiz d'auto-évaluation : les questions de ``helpers/quizzes/<page>.json``, affichées par
jupyterquiz, interactives sur le site, dans Jupyter et dans Colab, sans accès au réseau.

Chaque fichier suit le format de jupyterquiz (questions à choix unique et numériques, une
explication par réponse). Les textes que jupyterquiz écrit en anglais sont traduits ici.
"""

import json
import re
from importlib import resources

from IPython.display import HTML, Javascript, display
from jupyterquiz.dynamic.loader import load_questions_script
from jupyterquiz.dynamic.renderer import build_script, build_styles, render_div

# Textes affichés par le JavaScript de jupyterquiz, et leur traduction.
_FRENCH = {
    "Type numeric answer here:": "Votre réponse (avec un point décimal)\u00a0:",
    "Type your answer here:": "Votre réponse\u00a0:",
    "Incorrect -- try again.": "Non, réessayez.",
    "Incorrect. Try again.": "Non, réessayez.",
    '"Correct!"': '"Exact\u202f!"',
    '"Correct"': '"Exact\u202f!"',
}
# Accessibilité : l'étiquette du champ numérique désigne son champ (lecteurs d'écran), et garde le
# fond de la question, sinon elle flotte en blanc sur le fond de la page.
_LABELLED_INPUT = ('lab.className = "InpLabel";',
                   'lab.className = "InpLabel"; lab.htmlFor = id + "-0";')
_LABEL_STYLE = ("<style>#{div_id} .InpLabel {{ background-color: var(--jq-numeric-bg); "
                "padding: 0 0.4em; border-radius: 4px; }}</style>")
# Palette de jupyterquiz (toutes ses variables CSS), fond plus sombre et couleurs de réponse plus
# contrastées : texte clair sur fond foncé, au moins 4,5:1 (WCAG AA).
_COLORS = {
    "--jq-multiple-choice-bg": "#2f4b7c",
    "--jq-mc-button-bg": "#fafafa",
    "--jq-mc-button-border": "#e0e0e0e0",
    "--jq-mc-button-inset-shadow": "#555555",
    "--jq-many-choice-bg": "#2f4b7c",
    "--jq-numeric-bg": "#2f4b7c",
    "--jq-numeric-input-bg": "#1d2f4f",
    "--jq-numeric-input-label": "#fafafa",
    "--jq-numeric-input-shadow": "#999999",
    "--jq-string-bg": "#2f4b7c",
    "--jq-incorrect-color": "#b00020",
    "--jq-correct-color": "#006b1f",
    "--jq-text-color": "#fafafa",
    "--jq-link-color": "#cfe0ff",
}


def available() -> list[str]:
    """Noms des quiz fournis (celui d'une page est le nom de son fichier, sans extension).

    Renvoie : la liste triée des noms, par exemple ``"03_vae"`` ou ``"tp5_vae"``.
    """
    return sorted(path.name.removesuffix(".json")
                  for path in resources.files("helpers.quizzes").iterdir()
                  if path.name.endswith(".json"))


def questions(page: str) -> list[dict]:
    """Questions du quiz ``page`` (par exemple « 03_vae »), au format de jupyterquiz.

    Renvoie : la liste des questions, un dictionnaire par question.

    Lève : ``ValueError`` si aucun quiz ne porte ce nom (le message donne la liste des quiz).
    """
    if page not in available():
        raise ValueError(f"Aucun quiz nommé « {page} ». Quiz disponibles : {', '.join(available())}.")
    return json.loads(resources.files("helpers.quizzes").joinpath(f"{page}.json")
                      .read_text(encoding="utf-8"))


def quiz_parts(page: str) -> tuple[str, str]:
    """Le HTML (conteneur et styles) et le JavaScript du quiz ``page``, textes en français.

    Renvoie : un couple de chaînes ``(html, script)``, que :func:`show_quiz` affiche.

    Lève : ``ValueError`` si aucun quiz ne porte ce nom.
    """
    div_id = "quiz_" + re.sub(r"\W", "_", page)
    prefix, static, url = load_questions_script(questions(page), div_id)
    html = render_div(div_id, shuffle_questions=False, shuffle_answers=True,
                      preserve_responses=False, num=1_000_000, max_width=700,
                      border_radius=10, question_alignment="left")
    html += build_styles(div_id, _COLORS) + _LABEL_STYLE.format(div_id=div_id) + "</div>"
    script = build_script(prefix, static, url, div_id, load_js=True)
    for english, french in (*_FRENCH.items(), _LABELLED_INPUT):
        script = script.replace(english, french)
    return html, script


def show_quiz(page: str) -> None:
    """Affiche le quiz ``page`` : cliquez sur une réponse, ou tapez un nombre puis Entrée.

    Arguments :

    - ``page`` : le nom du quiz, celui de la page sans extension (voir :func:`available`).

    Lève : ``ValueError`` si aucun quiz ne porte ce nom.

    Exemple : ::

        show_quiz("tp1_premier_autoencodeur")
    """
    html, script = quiz_parts(page)
    display(HTML(html))
    display(Javascript(script))
