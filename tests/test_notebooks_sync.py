"""Les notebooks .ipynb ouverts par le bouton Colab doivent suivre leurs sources MyST."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_committed_notebooks_match_their_sources():
    result = subprocess.run([sys.executable, "tools/make_notebooks.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_committed_notebooks_have_no_outputs():
    for path in (ROOT / "chapters").glob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


def test_notebooks_contain_plain_markdown_only():
    """Jupyter et Colab n'interprètent pas MyST : ni directive, ni rôle, ni cible ne doit rester."""
    myst = ("```{", ":::{", "{glue", "{doc}", "{eq}", "{prf:", "{cite", "{ref}", "{numref}", ")=\n")
    for path in (ROOT / "chapters").glob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"]) + "\n"
                assert not [m for m in myst if m in text], (path.name, text[:200])


def test_plain_markdown_conversion():
    sys.path.insert(0, str(ROOT / "tools"))
    from make_notebooks import plain_markdown

    source = ("(tp)=\n```{exercise} Titre\n:label: ex-1\n\nVoir {doc}`le TP 2 <tp2>` et "
              "{cite:t}`hinton2006` ; valeur {glue:md}`x`.\n```\n$$\nx\n$$ (eq-a)")
    assert plain_markdown(source) == ("**Exercice — Titre.**\n\nVoir le TP 2 et Hinton et "
                                      "Salakhutdinov (2006) ; valeur ….\n$$\nx\n$$")
