"""Une copie du cours se configure à un seul endroit, ``_config.yml`` : l'adresse du dépôt
(``repository.url`` et ``repository.branch``), celle du site publié (``html.baseurl``) et la version
à installer sur Colab (``sphinx.config.course_release``). Les notebooks étudiants en sont tirés
(``make notebooks``) ; les autres fichiers qui doivent écrire une adresse sont vérifiés ici."""

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from tools import course_data

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = re.compile(r"https?://[\w.-]*github[\w.-]*(?:/[\w.-]+){0,2}")
GENERATED = (".ipynb", ".png", ".pt", ".json")  # notebooks et relevés : tirés de _config.yml


def _config() -> dict:
    return course_data.book_config()


def _repository() -> str:
    return _config()["repository"]["url"].rstrip("/")


def _sources() -> list[Path]:
    """Les fichiers versionnés écrits à la main (ni notebooks générés ni relevés)."""
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    return [ROOT / name for name in names if not name.endswith(GENERATED)
            and (ROOT / name).is_file()]


def test_every_github_address_of_the_sources_is_the_configured_one():
    """Après un fork, ce test désigne toute ligne restée à l'ancienne adresse."""
    allowed = {_repository(), _config()["html"]["baseurl"].rstrip("/"), "https://github.com"}
    stray = [f"{path.relative_to(ROOT)} : {address}"
             for path in _sources()
             for address in ADDRESS.findall(path.read_text(encoding="utf-8", errors="ignore"))
             if address.rstrip("/") not in allowed]
    assert not stray, "adresses à remplacer par celles de _config.yml :\n" + "\n".join(stray)


def test_package_homepage_is_the_configured_repository():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Homepage"] == _repository()


def test_readme_installs_helpers_from_the_configured_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sources = re.findall(r'autoencodeurs-helpers @ git\+([^"@\s]+)', readme)
    assert sources and set(sources) == {_repository()}


@pytest.mark.parametrize("release, ref", [("", "trunk"), ("v2.1", "v2.1")])
def test_colab_installs_the_release_or_else_the_branch(monkeypatch, release, ref):
    config = {"repository": {"url": "https://forge.example.org/prof/cours", "branch": "trunk"},
              "sphinx": {"config": {"course_release": release}}}
    monkeypatch.setattr(course_data, "book_config", lambda: config)
    assert course_data.install_requirement() == (
        f"autoencodeurs-helpers @ git+https://forge.example.org/prof/cours@{ref}")


def test_site_address_ends_with_one_slash(monkeypatch):
    for baseurl in ("https://prof.example.org/cours", "https://prof.example.org/cours/"):
        monkeypatch.setattr(course_data, "book_config", lambda: {"html": {"baseurl": baseurl}})
        assert course_data.site_url() == "https://prof.example.org/cours/"
