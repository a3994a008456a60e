"""Rassemble les résultats de référence du site complet dans ``results/`` : ``reference.json``
(les chiffres du cours), et ce que les notebooks étudiants reprennent du site (voir
``tools/course_data.py``) : ``glued.json``, ``site-index.json`` et ``expected/``.

Usage : ``python -m tools.collect_results [--build DOSSIER]`` après ``make book`` (``make results``
fait les deux) ; ``--build _build/bench/_build`` relit plutôt la construction à froid de
``make bench`` ; ``--index-only`` ne copie que l'index des cibles (``make site-index``, depuis le
site rapide). Les valeurs sont celles que les pages ont calculées et insérées dans leur texte
(``glue``) : elles sont lues, non formatées, dans ``<DOSSIER>/jupyter_execute/chapters/<page>.glue.json``. Les durées
viennent de ``results/benchmarks.json`` (``make bench``). La page « Résultats de référence »
(``resultats.md``) affiche ce fichier à côté des chiffres publiés.
"""

from __future__ import annotations

import argparse
import ast
import base64
import datetime
import io
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from PIL import Image

from tools import myst
from tools.course_data import EXPECTED, GLUED, ROOT, SITE_INDEX

OUTPUT = ROOT / "results" / "reference.json"
BENCHMARKS = ROOT / "results" / "benchmarks.json"
EXPECTED_WIDTH = 640  # pixels : les figures attendues, réduites, gardent les notebooks légers

CODE_SIZES = (2, 16, 32, 64)
SIGMAS = ("0.25", "0.5", "0.75")


class MissingValue(KeyError):
    """Une valeur attendue n'a pas été calculée par la page (ou le site n'est pas construit)."""


def glued(page: str, build: Path) -> dict:
    """Valeurs brutes (nombres ou textes) glued par ``page``, lues dans leur représentation
    ``text/plain`` (voir ``helpers.report.glue``)."""
    path = build / "jupyter_execute" / "chapters" / f"{page}.glue.json"
    if not path.exists():
        raise MissingValue(f"{path.relative_to(ROOT)} absent : construisez d'abord le site (make book).")
    values = {}
    for name, output in json.loads(path.read_text(encoding="utf-8")).items():
        text = output.get("data", {}).get("text/plain", "")
        try:
            values[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue  # figures et objets sans valeur littérale
    return values


def _get(values: dict, name: str, page: str):
    if name not in values:
        raise MissingValue(f"la page {page} ne glue pas « {name} » (site construit en mode rapide, "
                           "ou page modifiée ?)")
    return values[name]


def collect(build: Path) -> dict:
    pages = {page: glued(page, build) for page in ("tp1_premier_autoencodeur", "tp2_acp_ae_lineaire",
                                            "tp4_regularises_debruitage", "tp5_vae", "tp6_inversion",
                                            "tp7_applications")}

    def get(page: str, name: str):
        return _get(pages[page], name, page)

    tp1, tp2, tp4, tp5, tp6, tp7 = pages
    if get(tp1, "mode") != "complet":
        raise MissingValue("le site a été construit en mode rapide : lancez make book sans AE_FAST.")
    result = {
        "date": datetime.date.today().isoformat(),
        "pca_mse": {str(k): get(tp2, f"pca_mse_k{k}") for k in CODE_SIZES},
        "ae_mse": {str(k): get(tp2, f"ae_mse_k{k}") for k in CODE_SIZES},
        "pca_psnr": {str(k): get(tp2, f"pca_psnr_k{k}") for k in CODE_SIZES},
        "ae_psnr": {str(k): get(tp2, f"ae_psnr_k{k}") for k in CODE_SIZES},
        "sse30": {"pca": get(tp2, "pca30_sse"), "ae": get(tp2, "best30_sse"),
                  "ae_model": get(tp2, "best30_model")},
        "vae_elbo": {"2": get(tp5, "elbo_2"), "20": get(tp5, "elbo_20")},
        "denoise": {sigma: {"noisy_psnr": get(tp4, f"dae_noisy_psnr_s{sigma}"),
                            "denoised_psnr": get(tp4, f"dae_psnr_s{sigma}"),
                            "noisy_ssim": get(tp4, f"dae_noisy_ssim_s{sigma}"),
                            "ssim": get(tp4, f"dae_ssim_s{sigma}")} for sigma in SIGMAS},
        "knn10": {"pixels": get(tp1, "knn_pixels"), "pca": get(tp1, "knn_pca"),
                  "ae": get(tp1, "knn_ae")},
        "inversion": {
            "delta_mean_pct": get(tp6, "delta_mean"),
            "agreement_encoder_pct": get(tp6, "agree_before"),
            "agreement_inverted_pct": get(tp6, "agree_after"),
            "speedup_batched_vs_loop": get(tp6, "speedup"),
            "seconds_per_image_batched": get(tp6, "batched_ms_per_image") / 1000,
            "thesis_agreement_encoder_pct": get(tp6, "thesis_before"),
            "thesis_agreement_inverted_pct": get(tp6, "thesis_after"),
        },
        # Le VAE entraîné longuement (make long-run LONG_RUN=vae2), face au mémoire.
        "inversion_long": {
            "delta_mean_pct": get(tp6, "long_delta_mean"),
            "agreement_encoder_pct": get(tp6, "long_agree_before"),
            "agreement_inverted_pct": get(tp6, "long_agree_after"),
            "thesis_agreement_encoder_pct": get(tp6, "long_thesis_before"),
            "thesis_agreement_inverted_pct": get(tp6, "long_thesis_after"),
        },
        "super_resolution": {"bicubic_psnr": get(tp7, "sr_bicubic_psnr"),
                             "network_psnr": get(tp7, "sr_net_psnr"),
                             "bicubic_ssim": get(tp7, "sr_bicubic_ssim"),
                             "network_ssim": get(tp7, "sr_net_ssim")},
        "anomaly_auc": {"ae": get(tp7, "auc_ae"), "pca": get(tp7, "auc_pca"),
                        "ae_relative": get(tp7, "auc_ae_relative")},
        "inpainting_mse": {method: get(tp7, f"inpaint_{method}")
                           for method in ("gray", "plain", "masked", "inversion")},
    }
    if BENCHMARKS.exists():
        benchmarks = json.loads(BENCHMARKS.read_text(encoding="utf-8"))
        book = benchmarks.get("book", {})
        result["timings_s"] = {**book.get("pages_s", {}),
                               "book_full_cold": book.get("book_full_cold_s"),
                               "make_test": benchmarks.get("test", {}).get("make_test_s")}
    return result


def glued_texts(build: Path) -> dict[str, dict[str, str]]:
    """Le texte (Markdown français) de chaque valeur glued, page par page."""
    result = {}
    for path in sorted((build / "jupyter_execute" / "chapters").glob("*.glue.json")):
        outputs = json.loads(path.read_text(encoding="utf-8"))
        result[path.name.removesuffix(".glue.json")] = {
            name: output["data"]["text/markdown"] for name, output in sorted(outputs.items())
            if "text/markdown" in output.get("data", {})}
    return result


def small_png(data: str) -> bytes:
    """Une figure PNG (base64) réduite à ``EXPECTED_WIDTH`` pixels de large, en 256 couleurs."""
    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    if image.width > EXPECTED_WIDTH:
        height = round(image.height * EXPECTED_WIDTH / image.width)
        image = image.resize((EXPECTED_WIDTH, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.quantize(256).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def plain_table(html: str) -> str:
    """Le tableau HTML d'un ``Styler`` pandas, sans feuille de style ni identifiants aléatoires."""
    table = re.search(r"<table.*</table>", html, re.S).group(0)
    return re.sub(r"\s(?:id|class)=\"[^\"]*\"", "", table).replace(" >", ">")


def executed_notebook(path: Path, build: Path) -> nbformat.NotebookNode:
    """Le notebook exécuté d'une page. Une construction incrémentale réécrit sans sorties les pages
    qu'elle n'a pas réexécutées : leurs sorties sont alors reprises du cache d'exécution."""
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if not code or any(cell.outputs for cell in code):
        return notebook
    try:
        return get_cache(build / ".jupyter_cache").merge_match_into_notebook(notebook)[1]
    except KeyError:
        raise MissingValue(f"{path.name} n'a aucune sortie et n'est pas dans le cache d'exécution "
                           "de cette construction : reconstruisez le site.") from None


def expected_results(notebook: nbformat.NotebookNode) -> dict[str, bytes | str]:
    """Figures et tableaux produits par les cellules de solution d'un notebook exécuté, nommés
    ``<exercice>-<rang de la cellule dans la solution>-<rang de la sortie>.png|html``."""
    files, label, rank = {}, None, 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for block in myst.blocks(cell.source):
                marker = myst.solution_marker(block)
                if marker:
                    label, rank = (block.argument, 0) if marker == "solution-start" else (None, 0)
            continue
        if label is None:
            continue
        outputs = [o for o in cell.outputs if o.get("output_type") in {"display_data", "execute_result"}]
        for number, output in enumerate(outputs):
            name = f"{label}-{rank:02d}-{number:02d}"
            if "image/png" in output.data:
                files[f"{name}.png"] = small_png(output.data["image/png"])
            elif "<table" in output.data.get("text/html", ""):
                files[f"{name}.html"] = plain_table(output.data["text/html"]) + "\n"
        rank += 1
    return files


def write_notebook_data(build: Path, index_only: bool = False) -> None:
    """``site-index.json`` (copie de l'index écrit par ``sphinx_course``) et, sauf
    ``index_only``, ``glued.json`` et ``expected/`` : ce que les notebooks étudiants reprennent."""
    index = build / "html" / "course-index.json"
    if not index.exists():
        raise MissingValue(f"{index} absent : construisez d'abord le site.")
    shutil.copyfile(index, SITE_INDEX)
    if index_only:
        return
    expected = {executed.stem: expected_results(executed_notebook(executed, build))
                for executed in sorted((build / "jupyter_execute" / "chapters").glob("*.ipynb"))}
    GLUED.write_text(json.dumps(glued_texts(build), indent=1, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for page, files in expected.items():
        for name, content in files.items():
            path = EXPECTED / page / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, default=ROOT / "_build",
                        help="dossier de construction (contient jupyter_execute/)")
    parser.add_argument("--index-only", action="store_true",
                        help="ne copier que l'index des cibles du site")
    args = parser.parse_args()
    build = args.build.resolve()
    try:
        if not args.index_only:
            result = collect(build)
        write_notebook_data(build, args.index_only)
    except MissingValue as error:
        print(f"Résultats incomplets : {error.args[0]}", file=sys.stderr)
        return 1
    if not args.index_only:
        OUTPUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                          encoding="utf-8")
    print("Relevés écrits dans results/ : lancez `make notebooks`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
