"""Les résultats de référence versionnés (make results, make bench, make long-run) sont complets,
lisibles par la page « Résultats de référence », et tiennent les objectifs de qualité du cours.
Aucune durée n'est vérifiée ici : les durées sont des mesures, pas des tests."""

import json
from pathlib import Path

import pytest

from helpers.checkpoints import load_half
from helpers.data import load_mnist
from helpers.evaluation import per_image_sse, vae_elbo
from helpers.models import VAE, ConvAutoencoder, DenseAutoencoder
from helpers.train import reconstruct

RESULTS = Path(__file__).resolve().parent.parent / "results"


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads((RESULTS / "reference.json").read_text(encoding="utf-8"))


def test_reference_has_every_key_the_page_reads(reference):
    assert set(reference["pca_mse"]) == set(reference["ae_mse"]) == {"2", "16", "32", "64"}
    assert {"pca", "ae"} <= set(reference["sse30"])
    assert set(reference["vae_elbo"]) == {"2", "20"}
    assert all({"noisy_psnr", "denoised_psnr", "ssim"} <= set(d) for d in reference["denoise"].values())
    assert set(reference["knn10"]) == {"pixels", "pca", "ae"}
    assert set(reference["inversion"]) == {"delta_mean_pct", "agreement_encoder_pct",
                                           "agreement_inverted_pct", "speedup_batched_vs_loop",
                                           "seconds_per_image_batched", "thesis_agreement_encoder_pct",
                                           "thesis_agreement_inverted_pct"}
    assert set(reference["inversion_long"]) == {"delta_mean_pct", "agreement_encoder_pct",
                                                "agreement_inverted_pct", "thesis_agreement_encoder_pct",
                                                "thesis_agreement_inverted_pct"}
    assert {"book_full_cold", "make_test"} <= set(reference["timings_s"])
    assert set(reference["super_resolution"]) == {"bicubic_psnr", "network_psnr", "bicubic_ssim",
                                                  "network_ssim"}
    assert set(reference["anomaly_auc"]) == {"ae", "pca", "ae_relative"}
    assert set(reference["inpainting_mse"]) == {"gray", "plain", "masked", "inversion"}


def test_quality_goals(reference):
    assert all(reference["ae_mse"][k] < reference["pca_mse"][k] for k in reference["pca_mse"])
    assert reference["sse30"]["ae"] <= 3.00
    assert abs(reference["sse30"]["pca"] - 13.87) < 0.05  # l'ACP est exacte : le chiffre de l'article
    assert reference["vae_elbo"]["20"] >= -105 and reference["vae_elbo"]["2"] >= -150
    for d in reference["denoise"].values():
        assert d["denoised_psnr"] > d["noisy_psnr"] and d["ssim"] > d["noisy_ssim"]
    sr = reference["super_resolution"]
    assert sr["network_psnr"] >= sr["bicubic_psnr"] + 3 and sr["network_ssim"] > sr["bicubic_ssim"]
    assert reference["anomaly_auc"]["ae"] > reference["anomaly_auc"]["pca"]
    inpainting = reference["inpainting_mse"]
    assert inpainting["masked"] < inpainting["plain"] < inpainting["gray"]
    # Le mémoire de M1 du TP 6 : δ = −4,79 %, accord 86,08 % sur les codes inversés (seuil 0,5,
    # contre C(x)) ; le VAE entraîné longuement fait mieux, avec les deux protocoles d'accord.
    long = reference["inversion_long"]
    assert long["delta_mean_pct"] <= -4.79
    assert min(long["thesis_agreement_inverted_pct"], long["agreement_inverted_pct"]) >= 86.1


def test_benchmarks_describe_the_machine():
    benchmarks = json.loads((RESULTS / "benchmarks.json").read_text(encoding="utf-8"))
    assert {"cpu", "cores", "torch"} <= set(benchmarks["machine"]) and benchmarks["date"]
    assert {"epoch", "vae", "inversion", "book", "test"} <= set(benchmarks)
    # Des mesures, pas des objectifs de durée : seulement ce que la page « Résultats » affiche.
    vae = benchmarks["vae"]
    assert vae["test_negative_elbo"] <= vae["target"] and vae["epochs"] == len(vae["curve"])
    assert {"seconds", "epochs_to_target", "seconds_to_target", "test_negative_elbo"} <= set(vae["peer"])
    assert {"batched_gflops", "matmul_2048_gflops", "batched_vs_matmul"} <= set(benchmarks["inversion"])
    for measure in ("vae", "inversion"):
        assert {"load_average_before", "load_average_after"} <= set(benchmarks[measure])


@pytest.mark.parametrize("name, model, max_bytes", [
    ("ae30_dense_long.pt", lambda: DenseAutoencoder(code_dim=30, hidden=(1000, 500, 250),
                                                    batchnorm=True), 6_000_000),
    ("ae30_conv_long.pt", lambda: ConvAutoencoder(channels=(64, 128, 30)), 1_000_000),
])
def test_long_run_weights_load_and_beat_the_paper(name, model, max_bytes):
    """Les deux entraînements longs de make long-run, chargés comme le TP 2 les charge, passent
    sous l'erreur 3,00 par image de Hinton et Salakhutdinov (2006), mesurée ici à nouveau."""
    path = RESULTS / name
    assert path.stat().st_size < max_bytes
    network = model()
    info = load_half(network, path)
    test = load_mnist(train=False).images
    assert info is not None and info["test_sse"] <= 3.00
    assert per_image_sse(test, reconstruct(network, test)) == pytest.approx(info["test_sse"], abs=1e-3)


def test_long_run_vae_loads_as_tp6_loads_it():
    """Le VAE de dimension latente 2 de make long-run (LONG_RUN=vae2), chargé comme le TP 6 le
    charge : son −ELBO de test, mesuré ici à nouveau, est celui que l'entraînement a enregistré."""
    path = RESULTS / "vae2_long.pt"
    assert path.stat().st_size < 6_500_000
    vae = VAE(latent_dim=2, hidden=(1024, 512, 256))
    info = load_half(vae, path)
    assert info is not None and info["epochs"] >= 1 and not info["cosine"]
    test = load_mnist(train=False).images
    assert -vae_elbo(vae, test)["elbo"] == pytest.approx(info["test_negative_elbo"], abs=1e-3)
