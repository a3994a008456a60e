"""Typographie française, la même sur le site (extension ``sphinx_course``) et dans les notebooks
étudiants (``student_markdown``) : espace insécable avant « : », espace fine insécable avant
« ; ! ? » et à l'intérieur des guillemets « ». Jamais dans le code ni dans les formules : ces
fonctions ne reçoivent que du texte."""

import json
import re
import sys
from pathlib import Path

NBSP, NNBSP = "\u00a0", "\u202f"
RULES = (
    (re.compile(r"[ \t\n]+:"), NBSP + ":"),
    (re.compile(r"[ \t\n]+([;!?])"), NNBSP + r"\1"),
    (re.compile(r"«[ \t\n]+"), "«" + NNBSP),
    (re.compile(r"[ \t\n]+»"), NNBSP + "»"),
)
# Ce que le Markdown d'un notebook ne doit pas toucher : code, formules, balises, adresses de liens.
PROTECTED = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$\n]*\$|<[^>]*>|\]\([^)]*\)", re.S)


def french_spacing(text: str) -> str:
    """``text`` (du texte seul) avec les espaces de la typographie française."""
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text


def french_spacing_markdown(markdown: str) -> str:
    """Les mêmes espaces dans du Markdown, hors code, formules, balises et adresses."""
    pieces, position = [], 0
    for match in PROTECTED.finditer(markdown):
        pieces += [french_spacing(markdown[position:match.start()]), match.group(0)]
        position = match.end()
    return "".join(pieces + [french_spacing(markdown[position:])])


def fix_json(path: Path) -> bool:
    """Applique ces espaces à toutes les chaînes d'un fichier JSON (les quiz) ; vrai s'il a changé."""
    def fix(value):
        if isinstance(value, str):
            return french_spacing_markdown(value)
        if isinstance(value, list):
            return [fix(item) for item in value]
        if isinstance(value, dict):
            return {key: fix(item) for key, item in value.items()}
        return value

    text = path.read_text(encoding="utf-8")
    fixed = json.dumps(fix(json.loads(text)), ensure_ascii=False, indent=2) + "\n"
    path.write_text(fixed, encoding="utf-8")
    return fixed != text


if __name__ == "__main__":
    # python -m tools.typography helpers/quizzes/*.json : après avoir écrit ou modifié un quiz.
    for name in sys.argv[1:]:
        if fix_json(Path(name)):
            print(f"{name} : espaces corrigées")
