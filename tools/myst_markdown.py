"""Conversion du Markdown MyST des pages en Markdown ordinaire, que Jupyter et Colab affichent :
les directives deviennent des titres en gras, les rôles du texte, les citations « Auteur (année) »,
les indices repliés des balises ``<details>``, et les solutions (directive ``{solution}``)
disparaissent."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parent.parent

# Titres français des directives, affichés en gras à la place du bloc MyST.
DIRECTIVE_TITLES = {
    "exercise": "Exercice", "prf:definition": "Définition", "prf:theorem": "Théorème",
    "prf:proposition": "Proposition", "prf:lemma": "Lemme", "prf:corollary": "Corollaire",
    "prf:remark": "Remarque", "prf:example": "Exemple", "prf:algorithm": "Algorithme",
    "prf:proof": "Démonstration", "figure": "Figure", "glue:figure": "Figure", "admonition": "",
}
UNTITLED = {"figure", "glue:figure"}  # leur argument est un chemin ou une étiquette
FENCE = re.compile(r"^(`{3,}|:{3,})\{([\w:-]+)\}\s*(.*)$")
OPTION = re.compile(r"^:([\w-]+):\s*(.*)$")
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
EQUATION_LABEL = re.compile(r"^\$\$\s*\([\w-]+\)\s*$")
TARGET = re.compile(r"^\([\w-]+\)=\s*$")
# Renvoi sans texte vers un énoncé de sphinx-proof, d'après le préfixe de son étiquette.
PROOF_KINDS = {"thm": "le théorème", "cor": "le corollaire", "prop": "la proposition",
               "lem": "le lemme", "rem": "la remarque", "def": "la définition",
               "alg": "l'algorithme"}


@lru_cache(maxsize=1)
def bibliography() -> dict[str, tuple[str, str]]:
    """Pour chaque clé de ``references.bib`` : (auteurs abrégés, année)."""
    entries = parse_file(str(ROOT / "references.bib")).entries
    result = {}
    for key, entry in entries.items():
        names = [" ".join(p.last_names) for p in entry.persons.get("author", [])]
        authors = names[0] + " et al." if len(names) > 2 else " et ".join(names)
        result[key] = (authors.replace("{", "").replace("}", ""), entry.fields.get("year", ""))
    return result


@lru_cache(maxsize=1)
def exercise_numbers() -> dict[str, int]:
    """Numéro de chaque exercice étiqueté, compté dans sa page comme sur le site."""
    numbers = {}
    for page in sorted((ROOT / "chapters").glob("*.md")):
        lines = page.read_text(encoding="utf-8").split("\n")
        count = 0
        for index, line in enumerate(lines):
            opening = FENCE.match(line)
            if opening and opening.group(2) == "exercise":
                count += 1
                label = _options(lines, index + 1)[0].get("label")
                if label:
                    numbers[label] = count
    return numbers


def _role(match: re.Match) -> str:
    """Texte ordinaire pour un rôle MyST : références, citations, valeurs calculées."""
    role, content = match.group(1), match.group(2)
    text = re.match(r"^(.*?)\s*<([^>]*)>$", content)
    if role == "glue:md":
        return "…"
    if role.startswith("cite"):
        cited = [bibliography().get(k.strip(), (k.strip(), "")) for k in content.split(",")]
        if role == "cite:t":
            return ", ".join(f"{a} ({y})" for a, y in cited)
        return "(" + " ; ".join(f"{a}, {y}" for a, y in cited) + ")"
    if text and role == "numref":  # « exercice %s <ex-…> » : le numéro de l'exercice, s'il est connu
        number = exercise_numbers().get(text.group(2))
        return re.sub(r"\s*(%s|\{number\})", f" {number}" if number else "", text.group(1))
    if text:  # {doc}`texte <cible>`, {ref}`texte <label>`…
        return text.group(1)
    if role == "eq":
        return "(équation du cours)"
    if role == "doc":
        return content.split("/")[-1]
    if role == "numref":
        return "figure"
    if role == "prf:ref" and content.split("-")[0] in PROOF_KINDS:
        return PROOF_KINDS[content.split("-")[0]] + " du cours"
    return "(voir le cours en ligne)"


def _options(lines: list[str], start: int) -> tuple[dict[str, str], int]:
    """Options ``:nom: valeur`` d'une directive à partir de la ligne ``start`` ; renvoie aussi
    l'indice de la première ligne de contenu."""
    options, index = {}, start
    while index < len(lines) and OPTION.match(lines[index]):
        name, value = OPTION.match(lines[index]).groups()
        options[name] = value
        index += 1
    return options, index


def _closing(lines: list[str], start: int, fence: str) -> int:
    """Indice de la ligne qui ferme la directive ouverte par ``fence`` avant ``start``."""
    depth = 1
    for index in range(start, len(lines)):
        opening = FENCE.match(lines[index])
        if opening and opening.group(1) == fence:
            depth += 1
        elif lines[index].strip() == fence:
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"directive non fermée par {fence} : {lines[start - 1][:60]!r}")


def plain_markdown(source: str) -> str:
    """Remplace directives, rôles, cibles et étiquettes d'équations MyST par du Markdown ordinaire ;
    supprime les solutions."""
    lines = source.split("\n")
    out, closers, index = [], [], 0
    while index < len(lines):
        line = lines[index]
        opening = FENCE.match(line)
        if opening:
            fence, name, argument = opening.groups()
            options, index = _options(lines, index + 1)
            if name == "solution":
                index = _closing(lines, index, fence) + 1
                continue
            if name == "admonition" and "dropdown" in options.get("class", ""):
                out.append(f"<details><summary>{argument.strip()}</summary>\n")
                closers.append((fence, "\n</details>"))
                continue
            title = DIRECTIVE_TITLES.get(name, name)
            if name == "exercise" and options.get("label") in exercise_numbers():
                title = f"{title} {exercise_numbers()[options['label']]}"  # comme sur le site
            heading = " — ".join(p for p in (title, "" if name in UNTITLED else argument.strip()) if p)
            if heading:
                out.append(f"**{heading}**" if heading[-1] in ".?!" else f"**{heading}.**")
            closers.append((fence, None))
            continue
        index += 1
        if closers and line.strip() == closers[-1][0]:
            closing = closers.pop()[1]
            if closing:
                out.append(closing)
            continue
        if TARGET.match(line):
            continue
        if EQUATION_LABEL.match(line):
            line = "$$"
        out.append(ROLE.sub(_role, line))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
