"""Lecture du Markdown MyST des pages, partagée par le générateur des notebooks étudiants, la
collecte des résultats et les tests : le découpage en blocs est celui de myst-parser lui-même
(markdown-it, avec les extensions de ``_config.yml``), les options d'une directive et les rôles du
texte sont lus ici."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

EXTENSIONS = {"amsmath", "colon_fence", "deflist", "dollarmath", "html_image", "substitution"}
DIRECTIVE = re.compile(r"^\{([\w:-]+)\}\s*(.*)$")
OPTION = re.compile(r"^:([\w-]+):\s*(.*)$")
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]*)>$", re.S)  # « texte <cible> » dans un rôle


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return create_md_parser(MdParserConfig(enable_extensions=EXTENSIONS), RendererHTML)


@dataclass
class Block:
    """Un bloc de premier niveau : ``kind`` vaut ``"directive"``, ``"target"`` (``(label)=``),
    ``"math"`` (``$$ … $$``, avec son étiquette éventuelle) ou ``"text"`` (tout le reste, tel
    qu'écrit). ``lines`` est le texte source du bloc ; pour une directive, ``body`` est son contenu
    sans les options."""

    kind: str
    lines: list[str]
    name: str = ""
    argument: str = ""
    options: dict[str, str] = field(default_factory=dict)
    body: str = ""
    label: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def split_options(content: str) -> tuple[dict[str, str], str]:
    """Options ``:nom: valeur`` en tête du contenu d'une directive, et le reste du contenu."""
    lines, options = content.split("\n"), {}
    while lines and OPTION.match(lines[0]):
        name, value = OPTION.match(lines[0]).groups()
        options[name] = value.strip()
        lines.pop(0)
    return options, "\n".join(lines).strip("\n")


def blocks(source: str) -> list[Block]:
    """Les blocs de premier niveau de ``source``, dans l'ordre ; les lignes vides qui les séparent
    sont des blocs de texte, si bien que la concaténation des blocs redonne la source."""
    lines = source.split("\n")
    result, position = [], 0
    for token in _parser().parse(source):
        if token.level != 0 or token.nesting == -1 or token.map is None:
            continue
        start, end = token.map
        if start < position:  # jeton inclus dans le précédent
            continue
        if start > position:
            result.append(Block("text", lines[position:start]))
        chunk = lines[start:end]
        directive = DIRECTIVE.match(token.info.strip()) if token.type in {"fence", "colon_fence"} \
            else None
        if directive:
            options, body = split_options(token.content)
            result.append(Block("directive", chunk, name=directive.group(1),
                                argument=directive.group(2).strip(), options=options, body=body,
                                label=options.get("label", "")))
        elif token.type == "myst_target":
            result.append(Block("target", chunk, label=token.content))
        elif token.type in {"math_block", "math_block_label"}:
            result.append(Block("math", chunk, body=token.content.strip("\n"),
                                label=token.info if token.type == "math_block_label" else ""))
        else:
            result.append(Block("text", chunk))
        position = end
    if position < len(lines):
        result.append(Block("text", lines[position:]))
    return result


def replace_roles(text: str, convert) -> str:
    """Remplace chaque rôle de ``text`` par ``convert(nom, texte explicite ou "", cible)``."""
    def substitute(match: re.Match) -> str:
        explicit = EXPLICIT.match(match.group(2))
        if explicit:
            return convert(match.group(1), explicit.group(1), explicit.group(2))
        return convert(match.group(1), "", match.group(2).strip())
    return ROLE.sub(substitute, text)


SOLUTION_MARKERS = {"solution-start", "solution-end"}


def solution_marker(block: Block) -> str:
    """``"solution-start"`` ou ``"solution-end"`` pour ces directives « gated », sinon ""."""
    return block.name if block.kind == "directive" and block.name in SOLUTION_MARKERS else ""
