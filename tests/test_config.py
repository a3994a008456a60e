from pathlib import Path

import pytest
import torch

from helpers import config


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
