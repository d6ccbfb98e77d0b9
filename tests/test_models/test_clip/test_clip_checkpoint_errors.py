"""Wrong FGCLIP weights are errors that say what is wrong and how to fix it."""
import pytest
import torch

from fgclip_det.models.clip import KeyRule, apply_key_map
from fgclip_det.testing import build_tiny_fgclip
from fgclip_det.utils.state_dict_check import CheckpointMismatchError


def test_pretrainer_checkpoint_error_names_the_prefix_option(tmp_path):
    model = build_tiny_fgclip(seed=1)
    path = tmp_path / 'pretrain.pth'
    torch.save({'state_dict': {f'clip.{k}': v for k, v in model.state_dict().items()},
                'meta': {}}, path)
    with pytest.raises(CheckpointMismatchError) as info:
        build_tiny_fgclip(seed=2).load_checkpoint(str(path))
    text = str(info.value)
    assert "prefix='clip.'" in text and 'clip_checkpoint_prefix' in text
    assert '\n' in text and '\\n' not in text
    assert '... and' in text  # long key lists are cut, with a count
    report = build_tiny_fgclip(seed=2).load_checkpoint(str(path), prefix='clip.')
    assert report.ok


def test_integer_tensor_for_a_float_parameter_is_a_mismatch():
    target = {'w': torch.zeros(2)}
    rules = [KeyRule('w', ('w',))]
    shapes = {'w': (2,)}
    dtypes = {'w': torch.float32}
    with pytest.raises(CheckpointMismatchError, match='w: torch.int64'):
        apply_key_map({'w': torch.ones(2, dtype=torch.int64)}, rules, shapes,
                      target_dtypes=dtypes)
    with pytest.raises(CheckpointMismatchError, match='w: torch.bool'):
        apply_key_map({'w': torch.ones(2, dtype=torch.bool)}, rules, shapes,
                      target_dtypes=dtypes)
    converted, report = apply_key_map({'w': torch.ones(2).half()}, rules, shapes,
                                      target_dtypes=dtypes)
    assert report.ok and converted['w'].dtype == torch.float16
    assert set(target) == set(converted)


def test_toolkit_checkpoint_with_an_integer_tensor_is_refused(tmp_path):
    model = build_tiny_fgclip()
    state = model.state_dict()
    state['logit_scale_region'] = torch.tensor(3, dtype=torch.int64)
    path = tmp_path / 'typed.pth'
    torch.save({'state_dict': state}, path)
    with pytest.raises(CheckpointMismatchError,
                       match='logit_scale_region: torch.int64'):
        model.load_checkpoint(str(path))
