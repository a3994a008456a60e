"""Le PDF du cours (``make pdf`` puis ``make test-pdf``) : chaque page du livre y est, aucun renvoi
ni citation n'est resté sans cible, les figures exécutées y sont, le texte est en français, les
quiz renvoient au site et les solutions sont en fin de chapitre (absentes de la version
« énoncés »). Quelques pages sont rendues en PNG à côté du PDF, pour les regarder."""

import re
import subprocess
import unicodedata
from pathlib import Path

import matplotlib.image
import pytest

from sitepages import toc_pages

ROOT = Path(__file__).resolve().parents[2]


def _compact(text: str) -> str:
    """Texte comparable : ligatures et espaces spéciales normalisées, sans aucun blanc."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def pdf(pytestconfig) -> Path:
    path = Path(pytestconfig.getoption("--pdf")).resolve()
    if not path.is_file():
        pytest.fail(f"Pas de PDF {path} : lancez d'abord « make pdf » (mêmes AE_FAST, AE_ENONCES).")
    return path


@pytest.fixture(scope="module")
def enonces(pytestconfig) -> bool:
    return pytestconfig.getoption("--enonces")


@pytest.fixture(scope="module")
def text(pdf) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def _pages() -> list[Path]:
    return [ROOT / f"{name}.md" for name in toc_pages()]


def _title(page: Path) -> str:
    return next(line[2:].replace("`", "") for line in page.read_text(encoding="utf-8").split("\n")
                if line.startswith("# "))


def test_every_chapter_of_the_book_is_in_the_pdf(text):
    compact = _compact(text)
    missing = [_title(page) for page in _pages()[1:] if _compact(_title(page)) not in compact]
    assert not missing, f"Pages absentes du PDF : {missing}"


def test_every_reference_and_citation_is_resolved(pdf, text):
    assert "??" not in text, "renvoi non résolu (« ?? ») dans le PDF"
    log = pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    undefined = re.findall(r"(?:Reference|Citation) `[^']*' on page \d+ undefined", log)
    assert not undefined and "There were undefined references" not in log, undefined


def test_executed_figures_are_in_the_pdf(pdf):
    tex = pdf.with_suffix(".tex").read_text(encoding="utf-8")
    included = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{([^}]+)\}\.(\w+)\}", tex)
    assert {"autoencodeur", "vae"} <= {name for name, kind in included if kind == "pdf"}  # schémas
    included = [name for name, kind in included if kind in ("png", "jpg")]
    assert len(included) >= 30, f"seulement {len(included)} figures calculées incluses"
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True,
                             text=True).stdout.split("\n")[2:]
    images = [row for row in listing if row.split()[2:3] == ["image"]]
    assert len(images) >= len(included)


def test_the_pdf_is_in_french(text):
    for words in ("Théorème", "Démonstration", "Exercice", "Bibliographie"):
        assert _compact(words) in _compact(text), words
    months = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    assert re.search(rf"\b\d{{1,2}} ({months}) \d{{4}}\b", text[:300]), "date de la page de titre"
    for english in ("Contents", "Theorem", "Chapter", "Exercise", "Solution to"):
        assert english not in text, english


def test_quizzes_point_to_the_site(text):
    quizzes = sum(page.read_text(encoding="utf-8").count("show_quiz(") for page in _pages())
    assert quizzes and _compact(text).count(_compact("Ce quiz est interactif")) == quizzes
    assert "IPython.core.display" not in text


def test_solutions_are_at_the_end_of_each_chapter_or_absent(text, enonces):
    with_solutions = [p for p in _pages() if "{solution-start}" in p.read_text(encoding="utf-8")
                      or "{solution}" in p.read_text(encoding="utf-8")]
    headings = _compact(text).count(_compact("Solutions des exercices"))
    if enonces:
        assert headings == 0 and "Solution :" not in text
        return
    assert headings >= len(with_solutions)
    compact = _compact(text)
    for page in with_solutions:  # le titre du chapitre suivant vient après ses solutions
        start = compact.index(_compact(_title(page)))
        assert compact.find(_compact("Solutions des exercices"), start) > start, page.name


def test_pages_render_with_ink(pdf, text):
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout).group(1))
    assert pages > 100
    out = pdf.parent / "pages"
    out.mkdir(exist_ok=True)
    for number in (1, 5, pages // 3, pages // 2):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(number), "-l", str(number),
                        "-singlefile", str(pdf), str(out / f"page-{number:03d}")], check=True)
        image = matplotlib.image.imread(out / f"page-{number:03d}.png")
        assert image.std() > 0.02, f"page {number} blanche"
