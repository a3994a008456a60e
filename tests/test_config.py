import subprocess
from pathlib import Path

import pytest
import torch

from helpers import config, environment

ROOT = Path(__file__).resolve().parent.parent


def test_fast_mode_switch(monkeypatch):
    monkeypatch.setenv("AE_FAST", "1")
    assert config.fast_mode() and config.pick(full=100, fast=3) == 3
    monkeypatch.setenv("AE_FAST", "0")
    assert not config.fast_mode() and config.pick(full=100, fast=3) == 100
    monkeypatch.delenv("AE_FAST")
    assert not config.fast_mode()


def test_fast_mode_rejects_unknown_values(monkeypatch):
    monkeypatch.setenv("AE_FAST", "peut-être")
    with pytest.raises(ValueError, match="AE_FAST"):
        config.fast_mode()


@pytest.mark.parametrize("value, expected", [("1", True), (" Oui ", True), ("TRUE", True),
                                             ("on", True), ("0", False), ("", False),
                                             ("Non", False), ("off", False)])
def test_switches_are_read_one_way(monkeypatch, value, expected):
    monkeypatch.setenv("AE_ENONCES", value)
    assert environment.flag("AE_ENONCES") is expected
    monkeypatch.delenv("AE_ENONCES")
    assert environment.flag("AE_ENONCES") is False


@pytest.mark.parametrize("value, fast", [("yes", True), ("OUI", True), ("0", False), ("non", False)])
def test_makefile_reads_ae_fast_like_helpers(value, fast):
    """Le Makefile choisit le cache du site rapide exactement quand helpers passe en mode rapide."""
    plan = subprocess.run(["make", "-n", "book-enonces"], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "AE_FAST": value}, check=True).stdout
    assert ("_build/enonces-fast" in plan) is fast


def test_makefile_stops_on_an_unknown_switch_value():
    run = subprocess.run(["make", "-n", "book-enonces"], cwd=ROOT, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "AE_FAST": "peut-être"})
    assert run.returncode != 0 and "AE_FAST='peut-être' n'est pas compris" in run.stderr


def test_data_dir_default_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv("AE_DATA_DIR", raising=False)
    assert config.data_dir() == Path(config.__file__).resolve().parent.parent / "data"
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    assert config.data_dir() == tmp_path.resolve()


def test_seed_everything_is_reproducible():
    config.seed_everything(3)
    a = torch.rand(5)
    config.seed_everything(3)
    assert torch.equal(a, torch.rand(5))


@pytest.mark.parametrize("cuda, mps, expected", [
    (True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu"),
])
def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    """L'ordre de préférence, sur une machine simulée (ni GPU ni Mac n'est nécessaire)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert config.device() == torch.device(expected)


@pytest.mark.parametrize("amx, avx512_bf16, expected", [
    (True, False, True), (False, True, True), (False, False, False),
])
def test_native_bfloat16_on_the_cpu(monkeypatch, amx, avx512_bf16, expected):
    """Sur le CPU, le bfloat16 est natif avec AMX ou AVX-512 BF16 (machine simulée)."""
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    assert config.native_bfloat16(torch.device("cpu")) is expected
    assert config.native_bfloat16("cpu") is expected


def test_native_bfloat16_is_false_when_pytorch_cannot_tell(monkeypatch):
    """Ces fonctions de PyTorch sont privées : si une version ne les a pas, pas de bfloat16."""
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported")
    monkeypatch.delattr(torch.cpu, "_is_avx512_bf16_supported")
    assert config.native_bfloat16("cpu") is False


@pytest.mark.parametrize("native", [True, False])
def test_native_bfloat16_on_cuda_excludes_emulation_and_never_on_mps(monkeypatch, native):
    calls = []

    def is_bf16_supported(including_emulation=True):
        calls.append(including_emulation)
        return native

    monkeypatch.setattr(torch.cuda, "is_bf16_supported", is_bf16_supported)
    assert config.native_bfloat16("cuda") is native and calls == [False]
    assert config.native_bfloat16("mps") is False
