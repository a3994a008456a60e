"""Rassemble les résultats de référence du site complet dans ``results/reference.json``.

Usage : ``python tools/collect_results.py [--build DOSSIER]`` après ``make book`` (``make results``
fait les deux) ; ``--build _build/bench/_build`` relit plutôt la construction à froid de
``make bench``. Les valeurs sont celles que les pages ont calculées et insérées dans leur texte
(``glue``) : elles sont lues, non formatées, dans ``<DOSSIER>/jupyter_execute/chapters/<page>.glue.json``. Les durées
viennent de ``results/benchmarks.json`` (``make bench``). La page « Résultats de référence »
(``resultats.md``) affiche ce fichier à côté des chiffres publiés.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "results" / "reference.json"
BENCHMARKS = ROOT / "results" / "benchmarks.json"

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
                                            "tp4_regularises_debruitage", "tp5_vae", "tp6_inversion")}

    def get(page: str, name: str):
        return _get(pages[page], name, page)

    tp1, tp2, tp4, tp5, tp6 = pages
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
        },
    }
    if BENCHMARKS.exists():
        benchmarks = json.loads(BENCHMARKS.read_text(encoding="utf-8"))
        book = benchmarks.get("book", {})
        result["timings_s"] = {**book.get("pages_s", {}),
                               "book_full_cold": book.get("book_full_cold_s"),
                               "make_test": benchmarks.get("test", {}).get("make_test_s")}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, default=ROOT / "_build",
                        help="dossier de construction (contient jupyter_execute/)")
    try:
        result = collect(parser.parse_args().build.resolve())
    except MissingValue as error:
        print(f"Résultats incomplets : {error.args[0]}", file=sys.stderr)
        return 1
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)} écrit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
