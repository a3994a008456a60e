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


def test_device_is_usable():
    assert torch.zeros(1, device=config.device()).item() == 0
