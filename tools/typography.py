"""Typographie française, la même sur le site (extension ``sphinx_course``) et dans les notebooks
étudiants (``student_markdown``) : espace insécable avant « : », espace fine insécable avant
« ; ! ? » et à l'intérieur des guillemets « ». Jamais dans le code ni dans les formules : ces
fonctions ne reçoivent que du texte."""

import re

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
