"""Dans chaque TP, la première mention d'un outil de ``helpers`` dans le texte est un lien vers son
entrée de la page « La bibliothèque helpers » (un rôle {py:func}, {py:class} ou {py:mod})."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TPS = sorted((ROOT / "chapters").glob("tp*.md"))
CODE_CELL = re.compile(r"```\{code-cell\}.*?\n(.*?)```", re.S)
IMPORT = re.compile(r"^from helpers(?:\.(\w+))? import (\([^)]*\)|.*)$", re.M)


def imported_tools(source: str) -> dict[str, str]:
    """Nom → nom complet des outils de ``helpers`` importés par les cellules de la page (sans les
    vérifications d'exercice, propres à chaque TP, ni le quiz)."""
    code = "\n".join(CODE_CELL.findall(source))
    tools = {}
    for module, names in IMPORT.findall(code):
        for name in re.split(r"[,\s]+", names.strip("()").strip()):
            if name and name != "show_quiz" and not (name.startswith("check_") and name != "check_all"):
                tools[name] = f"helpers.{module}.{name}" if module else f"helpers.{name}"
    return tools


@pytest.mark.parametrize("page", TPS, ids=lambda p: p.stem)
def test_first_mention_of_each_helpers_tool_is_a_link(page):
    source = page.read_text(encoding="utf-8")
    prose = CODE_CELL.sub("", source)
    tools = imported_tools(source)
    assert tools
    for name, full in tools.items():
        link = re.search(r"\{py:\w+\}`~?" + re.escape(full) + "`", prose)
        assert link, f"{page.name} : {name} n'a pas de lien vers la bibliothèque"
        plain = re.search(r"(?<![.~\w])`" + re.escape(name) + r"(\(\))?`", prose)
        assert plain is None or plain.start() > link.start(), \
            f"{page.name} : « {name} » est cité avant son lien vers la bibliothèque"


def test_tool_list_is_read_from_the_imports():
    source = "```{code-cell} ipython3\nfrom helpers import config\nfrom helpers.train import (fit,\n    encode)\nfrom helpers.checks import check_all, check_x\n```\n"
    assert imported_tools(source) == {"config": "helpers.config", "fit": "helpers.train.fit",
                                      "encode": "helpers.train.encode",
                                      "check_all": "helpers.checks.check_all"}
