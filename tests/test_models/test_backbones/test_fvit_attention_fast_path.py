"""The MHA fast-path switch of the frozen F-ViT tower: choice and equality."""
import pytest
import torch

from fgclip_det.models.backbones import FViTCLIPBackbone
from fgclip_det.models.clip.attention_fast_path import (
    CPU_FAST_PATH_MAX_TOKENS,
    mha_fast_path,
    use_fast_path,
)
from fgclip_det.testing import tiny_fgclip_cfg

NATIVE_MHA = 'aten::_native_multi_head_attention'
CPU, CUDA = torch.device('cpu'), torch.device('cuda')


def test_auto_takes_the_fast_path_only_where_it_was_measured_faster():
    assert use_fast_path('auto', CPU_FAST_PATH_MAX_TOKENS, CPU)
    assert not use_fast_path('auto', CPU_FAST_PATH_MAX_TOKENS + 1, CPU)
    assert use_fast_path('auto', 10_000, CUDA)  # torch's default elsewhere
    assert use_fast_path('on', 10_000, CPU)
    assert not use_fast_path('off', 10, CPU)
    with pytest.raises(ValueError, match="attention_fast_path must be one of"):
        use_fast_path('fast', 10, CPU)


def test_the_flag_is_restored_after_the_block_and_on_errors():
    before = torch.backends.mha.get_fastpath_enabled()
    with pytest.raises(RuntimeError):
        with mha_fast_path(not before):
            assert torch.backends.mha.get_fastpath_enabled() is (not before)
            raise RuntimeError
    assert torch.backends.mha.get_fastpath_enabled() is before


def build_backbone(mode):
    cfg = tiny_fgclip_cfg()
    cfg['model_cfg']['vision_cfg'].update(patch_size=16, layers=4, image_size=64)
    torch.manual_seed(0)
    return FViTCLIPBackbone(clip=cfg, out_indices=(0, 1, 2, 3),
                            norm_cfg=dict(type='BN'),
                            attention_fast_path=mode).eval()


def native_mha_calls(backbone, images):
    with torch.profiler.profile(
            activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        outputs = backbone.forward_with_dense(images)
    calls = sum(e.count for e in prof.key_averages() if e.key == NATIVE_MHA)
    return outputs, calls


def test_on_and_off_run_different_kernels_with_the_same_outputs():
    images = torch.randn(2, 3, 64, 96)
    (levels_on, dense_on), calls_on = native_mha_calls(build_backbone('on'), images)
    (levels_off, dense_off), calls_off = native_mha_calls(build_backbone('off'), images)
    assert calls_on == 4 and calls_off == 0  # one a block, with 'on' only
    for on, off in zip(levels_on, levels_off):
        torch.testing.assert_close(on, off, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(dense_on, dense_off, rtol=1e-5, atol=1e-5)


def test_invalid_mode_names_the_argument():
    with pytest.raises(ValueError, match="attention_fast_path must be one of"):
        build_backbone('sometimes')
