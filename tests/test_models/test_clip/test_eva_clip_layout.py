"""EVA-CLIP-layout checkpoints (CLIPSelf's releases) into F-ViT's EVA tower."""
import pytest
import torch

from fgclip_det.models.backbones import FViTCLIPBackbone
from fgclip_det.models.clip import FGCLIP
from fgclip_det.models.clip.eva_clip_layout import eva_clip_to_open_clip
from fgclip_det.testing.tiny_towers import tiny_family_fgclip_cfg, tiny_tower_cfg

#: timm Eva names -> EVA-CLIP's, the renaming CLIPSelf's files carry.
TO_EVA_CLIP = (('mlp.fc1_g', 'mlp.w1'), ('mlp.fc1_x', 'mlp.w2'),
               ('mlp.fc2', 'mlp.w3'), ('mlp.norm', 'mlp.ffn_ln'),
               ('attn.norm', 'attn.inner_attn_ln'),
               ('attn.q_proj.bias', 'attn.q_bias'),
               ('attn.v_proj.bias', 'attn.v_bias'))


def eva_clip_state_dict(model: FGCLIP) -> dict:
    """``model``'s vision tower written as an EVA-CLIP checkpoint would be."""
    state_dict = {}
    for key, value in model.visual.trunk.state_dict().items():
        for timm_name, eva_clip_name in TO_EVA_CLIP:
            key = key.replace(timm_name, eva_clip_name)
        state_dict['visual.' + key] = value.clone()
    grid_rope = torch.randn(16, 8)  # buffers rebuilt from the config
    state_dict['visual.rope.freqs_cos'] = grid_rope
    state_dict['visual.blocks.0.attn.rope.freqs_sin'] = grid_rope
    state_dict['text.token_embedding.weight'] = torch.randn(10, 4)
    state_dict['logit_scale'] = torch.tensor(4.6)
    return state_dict


def test_clipself_layout_loads_into_the_eva_tower(tmp_path):
    torch.manual_seed(0)
    source = FGCLIP(model_cfg=tiny_tower_cfg('eva02'))
    path = tmp_path / 'eva_vitb16_coco_clipself_proposals.pt'
    torch.save(dict(state_dict=eva_clip_state_dict(source), epoch=6), path)
    torch.manual_seed(1)  # another initialisation, overwritten by the file
    backbone = FViTCLIPBackbone(
        clip=tiny_family_fgclip_cfg('eva02'), out_indices=(0, 1, 2, 3),
        norm_cfg=dict(type='BN'), clip_checkpoint=str(path),
        clip_checkpoint_prefix='visual.', clip_checkpoint_layout='eva_clip')
    backbone.init_weights()
    for key, value in source.visual.state_dict().items():
        torch.testing.assert_close(backbone.visual.state_dict()[key], value)
    images = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(
            backbone.eval().forward_with_dense(images)[1],
            source.eval().encode_dense(images, normalize=True))


def test_the_layout_is_checked(tmp_path):
    torch.manual_seed(0)
    model = FGCLIP(model_cfg=tiny_tower_cfg('eva02'))
    with pytest.raises(ValueError, match="it is in open_clip's layout"):
        eva_clip_to_open_clip(model.clip.state_dict(), model.visual)
    vit = FGCLIP(model_cfg=tiny_tower_cfg('openai'))
    with pytest.raises(ValueError, match='loads into an open_clip EVA tower'):
        eva_clip_to_open_clip(eva_clip_state_dict(model), vit.visual)
    with pytest.raises(ValueError, match='clip_checkpoint_layout must be one of'):
        FViTCLIPBackbone(clip=tiny_family_fgclip_cfg('eva02'),
                         out_indices=(0, 1, 2, 3), norm_cfg=dict(type='BN'),
                         clip_checkpoint_layout='hf')
