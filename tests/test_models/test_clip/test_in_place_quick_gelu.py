"""InPlaceQuickGELU: open_clip's QuickGELU bit for bit, in place only where
no gradient is taken; FGCLIP uses it unless told not to."""
import torch
from open_clip.transformer import QuickGELU

from fgclip_det.models.clip import FGCLIP
from fgclip_det.models.clip.in_place_quick_gelu import (
    InPlaceQuickGELU,
    use_in_place_quick_gelu,
)
from fgclip_det.testing import tiny_open_clip_cfg


def test_bit_identical_without_grad_and_input_untouched():
    x = torch.randn(3, 7, 40).transpose(0, 1)  # non-contiguous too
    before = x.clone()
    with torch.no_grad():
        out = InPlaceQuickGELU()(x)
    assert torch.equal(out, QuickGELU()(x))
    assert torch.equal(x, before)


def test_gradient_is_open_clips():
    x = torch.randn(5, 9, requires_grad=True)
    y = x.detach().clone().requires_grad_()
    grad = torch.randn(5, 9)
    InPlaceQuickGELU()(x).backward(grad)
    QuickGELU()(y).backward(grad)
    assert torch.equal(x.grad, y.grad)


def test_fgclip_swaps_every_quick_gelu_and_keeps_outputs():
    cfg = dict(tiny_open_clip_cfg(), quick_gelu=True)
    torch.manual_seed(0)
    swapped = FGCLIP(model_cfg=cfg).eval()
    plain = FGCLIP(model_cfg=cfg, in_place_activation=False).eval()
    plain.load_state_dict(swapped.state_dict())
    kinds = [type(m) for m in swapped.modules()]
    layers = cfg['vision_cfg']['layers'] + cfg['text_cfg']['layers']
    assert QuickGELU not in kinds and kinds.count(InPlaceQuickGELU) == layers
    assert sum(type(m) is QuickGELU for m in plain.modules()) == layers
    images = torch.randn(2, 3, 64, 64)
    tokens = plain.tokenize(['a red star', 'two blue hearts'])
    with torch.no_grad():
        assert torch.equal(swapped.encode_image(images), plain.encode_image(images))
        assert torch.equal(swapped.encode_text(tokens), plain.encode_text(tokens))


def test_only_quick_gelu_is_replaced():
    def built(quick_gelu):
        return FGCLIP(model_cfg=dict(tiny_open_clip_cfg(), quick_gelu=quick_gelu),
                      in_place_activation=False).clip

    assert use_in_place_quick_gelu(built(False)) == 0  # GELU towers
    assert use_in_place_quick_gelu(built(True)) == 3 + 2  # one a block
