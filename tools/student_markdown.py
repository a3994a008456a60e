"""Du Markdown MyST d'une page au Markdown ordinaire que Jupyter et Colab affichent.

Les directives deviennent des titres en gras numérotés comme sur le site (« **Théorème 2
(Eckart–Young).** »), les indices repliés des balises ``<details>``, les figures des images
jointes à la cellule avec leur légende. Les renvois (équations, énoncés, exercices, figures, pages)
et les citations deviennent des liens vers le site publié ; les valeurs calculées (``glue``), le
texte de leur valeur de référence, en gras. Les solutions rédigées (``{solution}``) laissent place
à une cellule de réponse, le contenu ``{only} html`` disparaît et le contenu ``{only} notebook``
apparaît. Tout autre élément MyST inconnu est une erreur : rien ne reste tel quel.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from dataclasses import dataclass, field
from functools import lru_cache

from pybtex.database import parse_file
from sphinx.util.tags import Tags

from tools import myst
from tools.course_data import ROOT, CourseData, MissingData
from tools.typography import french_spacing

KIND_NAMES = {
    "theorem": "Théorème", "definition": "Définition", "proposition": "Proposition",
    "lemma": "Lemme", "corollary": "Corollaire", "remark": "Remarque", "example": "Exemple",
    "algorithm": "Algorithme", "exercise": "Exercice", "figure": "Fig.",
}
ADMONITIONS = {"note": "Note", "tip": "Conseil", "warning": "Attention", "important": "Important",
               "caution": "Prudence", "hint": "Indice", "seealso": "Voir aussi"}
NOTEBOOK_TAGS = Tags(["notebook"])  # pour {only} : le notebook n'est ni « html » ni « latex »
ANSWER = french_spacing("**Votre réponse :** _double-cliquez ici pour écrire votre réponse._")


@dataclass
class Answer:
    """Place d'une cellule de réponse en Markdown (solution rédigée retirée)."""


@dataclass
class Converted:
    """Le Markdown d'une cellule, coupé là où une cellule de réponse s'insère, et les images
    jointes que ce Markdown affiche (``attachment:<nom>``)."""

    parts: list = field(default_factory=list)
    attachments: dict[str, dict[str, str]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def bibliography() -> dict[str, tuple[str, str]]:
    """Pour chaque clé de ``references.bib`` : (auteurs abrégés, année)."""
    result = {}
    for key, entry in parse_file(str(ROOT / "references.bib")).entries.items():
        names = [" ".join(p.last_names) for p in entry.persons.get("author", [])]
        authors = names[0] + " et al." if len(names) > 2 else " et ".join(names)
        result[key] = (authors.replace("{", "").replace("}", ""), entry.fields.get("year", ""))
    return result


def caption_cell_text(number: int, caption: str) -> str:
    """La légende d'une figure telle que le notebook l'affiche sous la figure."""
    return f"**Figure {number} —** {caption.strip()}"


class StudentMarkdown:
    """Convertit le Markdown MyST de la page ``chapters/<stem>.md``."""

    def __init__(self, data: CourseData):
        self.data = data

    # Rôles -------------------------------------------------------------------------------------

    def _link(self, text: str, url: str) -> str:
        return f"[{text}]({url})"

    def _cite(self, name: str, keys: str) -> str:
        cited = []
        for key in (k.strip() for k in keys.split(",")):
            if key not in bibliography():
                raise MissingData(f"citation « {key} » absente de references.bib")
            authors, year = bibliography()[key]
            url = self.data.citation_url(key)
            cited.append(f"{authors} ({self._link(year, url)})" if name == "cite:t"
                         else self._link(f"{authors}, {year}", url))
        return ", ".join(cited) if name == "cite:t" else "(" + " ; ".join(cited) + ")"

    def _numbered(self, label: str) -> str:
        target = self.data.target(label)
        return f"{KIND_NAMES[target['kind']]} {target['number']}"

    def _api(self, name: str, explicit: str, target: str) -> str:
        """Un objet de ``helpers`` ({py:func}, {py:class}…) : son nom en code, lien vers la page de
        la bibliothèque, comme sur le site (``~`` : dernier composant, parenthèses aux fonctions)."""
        full = target.lstrip("~")
        text = explicit or (full.rsplit(".", 1)[-1] if target.startswith("~") else full)
        if not explicit and name in {"py:func", "py:meth"}:
            text += "()"
        return self._link(f"`{text}`", self.data.api_url(full))

    def role(self, name: str, explicit: str, target: str) -> str:
        """Markdown ordinaire d'un rôle MyST (voir ``myst.replace_roles``)."""
        if name in {"glue:md", "glue:text", "glue"}:
            return f"**{self.data.glued_text(target)}**"
        if name.startswith("cite"):
            return self._cite(name, target)
        if name == "math":
            return f"${target}$"
        if name == "doc":
            docname = self.data.resolve_doc(target)
            return self._link(explicit or self.data.page_title(docname), self.data.url(docname))
        if name.startswith("py:"):
            return self._api(name, explicit, target)
        if name == "eq":
            text = explicit or f"({self.data.number(target)})"
        elif name == "prf:ref":
            text = explicit or self._numbered(target)
        elif name == "numref":
            number = str(self.data.number(target))
            text = re.sub(r"%s|\{number\}", number, explicit) if explicit else self._numbered(target)
        elif name == "ref":
            found = self.data.target(target)
            text = explicit or found.get("title") or self._numbered(target)
        else:
            raise MissingData(f"rôle MyST {{{name}}} non pris en charge par le notebook étudiant")
        return self._link(text, self.data.label_url(target))

    def inline(self, text: str) -> str:
        return myst.replace_roles(text, self.role)

    # Directives --------------------------------------------------------------------------------

    def _heading(self, block: myst.Block) -> str:
        name, title = block.name, self.inline(block.argument)
        if name == "admonition":
            return f"**{title}**" if title else ""
        if name in ADMONITIONS:
            return f"**{ADMONITIONS[name]}{f' — {title}' if title else ''}**"
        if name == "prf:proof":
            return "**Démonstration.**"
        kind = name.removeprefix("prf:")
        if kind not in KIND_NAMES:
            raise MissingData(f"directive MyST {{{name}}} non prise en charge par le notebook "
                              "étudiant")
        if not block.label:
            raise MissingData(f"directive {{{name}}} « {block.argument} » sans étiquette : "
                              "son numéro sur le site est inconnu")
        heading = f"{KIND_NAMES[kind]} {self.data.number(block.label)}"
        return f"**{heading} ({title}).**" if title else f"**{heading}.**"

    def _image(self, block: myst.Block, result: Converted) -> str:
        path = (ROOT / self.data.docname).parent / block.argument
        mime = mimetypes.guess_type(path.name)[0]
        result.attachments[path.name] = {mime: base64.b64encode(path.read_bytes()).decode()}
        alt = block.options.get("alt", "").replace("]", ")").replace("[", "(")
        return f"![{alt}](attachment:{path.name})"

    def directive(self, block: myst.Block, result: Converted) -> list:
        """Le Markdown (et les cellules de réponse) d'une directive."""
        name = block.name
        if name == "solution":
            return [Answer()]
        if name == "only":
            return self.convert(block.body, result) if NOTEBOOK_TAGS.eval_condition(
                block.argument) else []
        if name == "glue:figure":  # la légende suit la cellule qui trace la figure
            return []
        if name == "math":
            return [self._math(block.body, block.label)]
        if name == "figure":
            number = self.data.number(block.options["name"])
            return [self._image(block, result), caption_cell_text(number, self.inline(block.body))]
        heading = self._heading(block)
        if "dropdown" in block.options.get("class", ""):  # replié, comme sur le site
            summary = self.inline(block.argument) if name == "admonition" else \
                heading.strip("*").removesuffix(".")
            body = self.convert(block.body, result)
            return [f"<details><summary>{summary}</summary>\n", *body, "\n</details>"]
        return ([heading] if heading else []) + self.convert(block.body, result)

    def _math(self, body: str, label: str) -> str:
        tag = f" \\tag{{{self.data.number(label)}}}" if label else ""
        return f"$$\n{body.strip()}{tag}\n$$"

    # Cellules ----------------------------------------------------------------------------------

    def convert(self, source: str, result: Converted | None = None) -> list:
        """Les morceaux (textes et ``Answer``) du Markdown ordinaire de ``source``."""
        result = result if result is not None else Converted()
        pieces = []
        for block in myst.blocks(source):
            if block.kind == "directive":
                pieces += self.directive(block, result)
            elif block.kind == "math":
                pieces.append(self._math(block.body, block.label))
            elif block.kind == "text":
                pieces.append(self.inline(block.text))
        return pieces

    def cell(self, source: str) -> Converted:
        """Le Markdown d'une cellule, coupé aux cellules de réponse, et ses images jointes."""
        result = Converted()
        text, parts = [], []
        for piece in self.convert(source, result):
            if isinstance(piece, Answer):
                parts += [_tidy("\n\n".join(text)), piece]
                text = []
            else:
                text.append(piece)
        parts.append(_tidy("\n\n".join(text)))
        result.parts = [p for p in parts if p]
        return result


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip()
