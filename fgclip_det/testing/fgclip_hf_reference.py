"""FG-CLIP checkpoints in the released HF layout, and a plain-torch forward.

Tests write random checkpoints in the layout of ``qihoo360/fg-clip-*``
(transformers-CLIP key names plus FG-CLIP's keys) and compare the converted
model against :class:`FGCLIPHFReference`, a forward written directly on those
keys in plain torch. It shares no code with the converter or with open_clip.
"""
import json
import math
from pathlib import Path
from typing import Dict, List, Literal

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from torch import Tensor

EOT_TOKEN_ID = 49407
LONG_KEEP = 20
LONG_LENGTH = 248


def tiny_fgclip_hf_config(hidden_act: str = 'quick_gelu') -> dict:
    """``config.json`` of a tiny FG-CLIP (width 64, 64 px, 32-d output)."""
    common = dict(hidden_size=64, intermediate_size=256, num_attention_heads=4,
                  hidden_act=hidden_act, layer_norm_eps=1e-5)
    return dict(
        architectures=['FGCLIPModel'], model_type='clip', projection_dim=32,
        text_config=dict(common, vocab_size=49408, num_hidden_layers=2,
                         max_position_embeddings=77),
        vision_config=dict(common, num_hidden_layers=3, image_size=64,
                           patch_size=16, num_channels=3))


def _layer_keys(prefix: str, width: int, mlp: int) -> Dict[str, tuple]:
    linears = {'self_attn.q_proj': (width, width), 'self_attn.k_proj': (width, width),
               'self_attn.v_proj': (width, width), 'self_attn.out_proj': (width, width),
               'mlp.fc1': (mlp, width), 'mlp.fc2': (width, mlp)}
    shapes = {}
    for name in ('layer_norm1', 'layer_norm2'):
        shapes[f'{prefix}.{name}.weight'] = shapes[f'{prefix}.{name}.bias'] = (width,)
    for name, shape in linears.items():
        shapes[f'{prefix}.{name}.weight'] = shape
        shapes[f'{prefix}.{name}.bias'] = shape[:1]
    return shapes


def fgclip_hf_shapes(config: dict) -> Dict[str, tuple]:
    """Every key of the released layout with its shape."""
    text, vision = config['text_config'], config['vision_config']
    tw, vw, dim = text['hidden_size'], vision['hidden_size'], config['projection_dim']
    grid = vision['image_size'] // vision['patch_size']
    patch = vision['patch_size']
    shapes = {
        'vision_model.embeddings.class_embedding': (vw,),
        'vision_model.embeddings.patch_embedding.weight': (vw, 3, patch, patch),
        'vision_model.embeddings.position_embedding.weight': (grid * grid + 1, vw),
        'vision_model.pre_layrnorm.weight': (vw,),
        'vision_model.pre_layrnorm.bias': (vw,),
        'vision_model.post_layernorm.weight': (vw,),
        'vision_model.post_layernorm.bias': (vw,),
        'visual_projection.weight': (dim, vw),
        'text_model.embeddings.token_embedding.weight': (text['vocab_size'], tw),
        'text_model.embeddings.position_embedding.weight': (
            text['max_position_embeddings'], tw),
        'text_model.embeddings.position_embedding_ori.weight': (LONG_LENGTH, tw),
        'text_model.embeddings.position_embedding_res.weight': (LONG_LENGTH, tw),
        'text_model.final_layer_norm.weight': (tw,),
        'text_model.final_layer_norm.bias': (tw,),
        'text_projection.weight': (dim, tw), 'text_filip_projection.weight': (dim, tw),
        'logit_scale': (), 'logit_scale_finegraind': (), 'logit_scale_hardneg': (),
    }
    for n in range(vision['num_hidden_layers']):
        shapes.update(_layer_keys(f'vision_model.encoder.layers.{n}', vw,
                                  vision['intermediate_size']))
    for n in range(text['num_hidden_layers']):
        shapes.update(_layer_keys(f'text_model.encoder.layers.{n}', tw,
                                  text['intermediate_size']))
    return shapes


def random_fgclip_hf_state_dict(config: dict, seed: int = 0) -> Dict[str, Tensor]:
    """Random weights for every key; norms near 1, the rest ~N(0, 0.1^2)."""
    gen = torch.Generator().manual_seed(seed)
    state = {}
    for key, shape in fgclip_hf_shapes(config).items():
        value = 0.1 * torch.randn(shape, generator=gen)
        if 'norm' in key and key.endswith('weight'):
            value += 1.0
        state[key] = value
    state['logit_scale'] = torch.tensor(math.log(100.0))
    return state


def write_fgclip_hf_dir(folder: str, config: dict, state_dict: Dict[str, Tensor],
                        weights: Literal['safetensors', 'bin'] = 'safetensors') -> Path:
    """Write ``config.json`` and ``model.safetensors`` or ``pytorch_model.bin``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / 'config.json').write_text(json.dumps(config, indent=1))
    if weights == 'safetensors':
        save_file({k: v.contiguous() for k, v in state_dict.items()},
                  str(folder / 'model.safetensors'))
    else:
        torch.save(state_dict, folder / 'pytorch_model.bin')
    return folder


class FGCLIPHFReference:
    """Forward of the released FG-CLIP layout, written on its keys.

    Args:
        state_dict (dict): Keys as in :func:`fgclip_hf_shapes`.
        config (dict): The ``config.json``.
    """

    def __init__(self, state_dict: Dict[str, Tensor], config: dict) -> None:
        self.sd = state_dict
        self.config = config

    def _act(self, x: Tensor, tower: str) -> Tensor:
        if self.config[tower]['hidden_act'] == 'quick_gelu':
            return x * torch.sigmoid(1.702 * x)
        return F.gelu(x)

    def _linear(self, x: Tensor, key: str) -> Tensor:
        bias = self.sd.get(f'{key}.bias')
        return x @ self.sd[f'{key}.weight'].t() + (0 if bias is None else bias)

    def _norm(self, x: Tensor, key: str) -> Tensor:
        return F.layer_norm(x, x.shape[-1:], self.sd[f'{key}.weight'],
                            self.sd[f'{key}.bias'], eps=1e-5)

    def _attention(self, x: Tensor, key: str, heads: int, causal: bool,
                   value_only: bool) -> Tensor:
        v = self._linear(x, f'{key}.v_proj')
        if value_only:
            return self._linear(v, f'{key}.out_proj')
        batch, length, width = x.shape
        split = [self._linear(x, f'{key}.{n}_proj').reshape(batch, length, heads, -1)
                 .transpose(1, 2) for n in 'qk']
        q, k = split
        v = v.reshape(batch, length, heads, -1).transpose(1, 2)
        logits = q @ k.transpose(-1, -2) / math.sqrt(width // heads)
        if causal:
            logits = logits.masked_fill(
                torch.ones(length, length, dtype=torch.bool).triu(1), float('-inf'))
        out = (logits.softmax(-1) @ v).transpose(1, 2).reshape(batch, length, width)
        return self._linear(out, f'{key}.out_proj')

    def _layer(self, x: Tensor, key: str, tower: str, causal: bool = False,
               value_only: bool = False) -> Tensor:
        heads = self.config[tower]['num_attention_heads']
        x = x + self._attention(self._norm(x, f'{key}.layer_norm1'), f'{key}.self_attn',
                                heads, causal, value_only)
        hidden = self._act(self._linear(self._norm(x, f'{key}.layer_norm2'),
                                        f'{key}.mlp.fc1'), tower)
        return x + self._linear(hidden, f'{key}.mlp.fc2')

    def _vision_tokens(self, images: Tensor) -> List[Tensor]:
        """Tokens entering each layer, and the final ones."""
        cfg = self.config['vision_config']
        x = F.conv2d(images, self.sd['vision_model.embeddings.patch_embedding.weight'],
                     stride=cfg['patch_size']).flatten(2).transpose(1, 2)
        emb = 'vision_model.embeddings'
        cls = self.sd[f'{emb}.class_embedding'].expand(len(x), 1, -1)
        x = torch.cat([cls, x], 1) + self.sd[f'{emb}.position_embedding.weight']
        x = self._norm(x, 'vision_model.pre_layrnorm')
        tokens = [x]
        for n in range(cfg['num_hidden_layers']):
            tokens.append(self._layer(tokens[-1], f'vision_model.encoder.layers.{n}',
                                      'vision_config'))
        return tokens

    def image(self, images: Tensor) -> Tensor:
        """``(B, D)`` global embeddings of ``(B, 3, S, S)`` images."""
        x = self._vision_tokens(images)[-1][:, 0]
        x = self._norm(x, 'vision_model.post_layernorm')
        return x @ self.sd['visual_projection.weight'].t()

    def dense(self, images: Tensor) -> Tensor:
        """``(B, h * w, D)`` dense embeddings, grid row-major."""
        last = self.config['vision_config']['num_hidden_layers'] - 1
        x = self._layer(self._vision_tokens(images)[-2],
                        f'vision_model.encoder.layers.{last}', 'vision_config',
                        value_only=True)
        x = self._norm(x, 'vision_model.post_layernorm')
        return (x @ self.sd['visual_projection.weight'].t())[:, 1:]

    def regions(self, images: Tensor, boxes_norm: Tensor) -> Tensor:
        """``(B, D)``: one normalised xyxy box per image, RoIAlign 1x1 written
        out (aligned, adaptive sampling)."""
        dense = self.dense(images)
        grid = int(math.isqrt(dense.shape[1]))
        fmap = dense.reshape(len(dense), grid, grid, -1)
        out = []
        for feat, box in zip(fmap, boxes_norm.float() * grid - 0.5):
            x1, y1, x2, y2 = box.tolist()
            # sample counts from float32 sizes, as RoIAlign kernels compute them
            nh = int(torch.ceil(box[3] - box[1]))
            nw = int(torch.ceil(box[2] - box[0]))
            ys = [y1 + (i + 0.5) * (y2 - y1) / nh for i in range(nh)]
            xs = [x1 + (j + 0.5) * (x2 - x1) / nw for j in range(nw)]
            samples = [_bilinear(feat, y, x) for y in ys for x in xs]
            out.append(torch.stack(samples).mean(0))
        return torch.stack(out)

    def text(self, ids: Tensor, long: bool = False) -> Tensor:
        """``(B, D)`` text embeddings; ``long`` uses the 248-position path."""
        emb = 'text_model.embeddings'
        length = ids.shape[1]
        x = self.sd[f'{emb}.token_embedding.weight'][ids]
        if long:
            pos = torch.arange(length)[:, None]
            x = x + torch.where(pos < LONG_KEEP,
                                self.sd[f'{emb}.position_embedding_ori.weight'][:length],
                                self.sd[f'{emb}.position_embedding_res.weight'][:length])
        else:
            x = x + self.sd[f'{emb}.position_embedding.weight'][:length]
        for n in range(self.config['text_config']['num_hidden_layers']):
            x = self._layer(x, f'text_model.encoder.layers.{n}', 'text_config',
                            causal=True)
        x = self._norm(x, 'text_model.final_layer_norm')
        x = x[torch.arange(len(ids)), (ids == EOT_TOKEN_ID).int().argmax(-1)]
        proj = 'text_filip_projection' if long else 'text_projection'
        return x @ self.sd[f'{proj}.weight'].t()


def _bilinear(feat: Tensor, y: float, x: float) -> Tensor:
    """Bilinear sample of ``feat (h, w, C)`` at cell coordinates, zero outside."""
    height, width = feat.shape[:2]
    if y < -1 or y > height or x < -1 or x > width:
        return feat.new_zeros(feat.shape[-1])
    y, x = min(max(y, 0.0), height - 1), min(max(x, 0.0), width - 1)
    y0, x0 = int(y), int(x)
    y1, x1 = min(y0 + 1, height - 1), min(x0 + 1, width - 1)
    dy, dx = y - y0, x - x0
    return ((1 - dy) * (1 - dx) * feat[y0, x0] + (1 - dy) * dx * feat[y0, x1]
            + dy * (1 - dx) * feat[y1, x0] + dy * dx * feat[y1, x1])
