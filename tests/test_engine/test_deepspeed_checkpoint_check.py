"""A DeepSpeed checkpoint folder is read only when its files name no class
but DeepSpeed's own (DeepSpeed unpickles them in full)."""
import dataclasses

import pytest
import torch

from fgclip_det.engine.strategies.deepspeed_strategy import (
    DEEPSPEED_CHECKPOINT_GLOBALS,
    check_checkpoint_folder,
)


@dataclasses.dataclass
class Payload:
    """A class that is no DeepSpeed's: unpickling it runs this module."""

    value: int = 1


def test_tensors_and_plain_types_pass(tmp_path):
    torch.save(dict(module={'w': torch.ones(2)}, iter=3, name='x'),
               tmp_path / 'mp_rank_00_model_states.pt')
    check_checkpoint_folder(str(tmp_path))


def test_a_file_naming_another_class_is_refused(tmp_path):
    torch.save(dict(module={'w': torch.ones(2)}),
               tmp_path / 'mp_rank_00_model_states.pt')
    torch.save(dict(state=Payload()),
               tmp_path / 'zero_pp_rank_0_mp_rank_00_optim_states.pt')
    with pytest.raises(ValueError, match=r"optim_states\.pt names \[.*Payload'\]"):
        check_checkpoint_folder(str(tmp_path))


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match='no DeepSpeed checkpoint file'):
        check_checkpoint_folder(str(tmp_path))


def test_the_allowed_classes_are_deepspeeds():
    assert all(name.startswith('deepspeed.') for name in DEEPSPEED_CHECKPOINT_GLOBALS)
