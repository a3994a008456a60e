"""Ce que les tests du site et du PDF attendent, lu dans les sources du livre (``_toc.yml``, ``_config.yml``)."""

import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_pages() -> list[str]:
    """Les pages de la table des matières (``_toc.yml``), dans l'ordre du livre."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                yield entry["file"]
            yield from walk(entry.get("sections", []))
            yield from walk(entry.get("chapters", []))

    return [toc["root"], *walk(toc.get("parts", [])), *walk(toc.get("chapters", []))]


def tracked_in_git(path: str) -> bool:
    """Vrai si ``path`` (relatif à la racine) est versionné : le bouton Colab l'ouvre depuis GitHub."""
    result = subprocess.run(["git", "ls-files", "--error-unmatch", path], cwd=ROOT,
                            capture_output=True, check=False)
    return result.returncode == 0


def expected_colab_link(page: str) -> str | None:
    """Lien Colab attendu : le notebook étudiant ``<page>.ipynb`` versionné, sinon aucun bouton."""
    notebook = f"{page}.ipynb"
    if not (ROOT / notebook).is_file():
        return None
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repository = config["repository"]
    org_repo = repository["url"].removeprefix("https://github.com/").strip("/")
    return (f"https://colab.research.google.com/github/{org_repo}/blob/"
            f"{repository['branch']}/{notebook}")
