"""tools/convert: FG-CLIP HF -> .pth -> HF, and open_clip weights -> .pth."""
import importlib.util
import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from fgclip_det.models.clip import FGCLIP
from fgclip_det.testing import (
    FGCLIPHFReference,
    random_fgclip_hf_state_dict,
    tiny_fgclip_hf_config,
    tiny_open_clip_cfg,
    write_fgclip_hf_dir,
    write_tiny_open_clip_checkpoint,
)

CONVERT = Path(__file__).resolve().parents[2] / 'tools' / 'convert'


def load_tool(name):
    spec = importlib.util.spec_from_file_location(name, CONVERT / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hf_to_pth_and_back(tmp_path, capsys):
    config = tiny_fgclip_hf_config()
    state = random_fgclip_hf_state_dict(config, seed=4)
    write_fgclip_hf_dir(tmp_path / 'hf', config, state)
    pth = tmp_path / 'fgclip.pth'
    load_tool('fgclip_hf_to_pth').main([str(tmp_path / 'hf'), str(pth)])
    assert '0 unused' in capsys.readouterr().out

    ckpt = torch.load(pth, weights_only=True)
    assert ckpt['meta']['source_layout'] == 'fgclip_hf'
    model = FGCLIP.from_checkpoint(str(pth)).eval()
    images = torch.randn(2, 3, 64, 64)
    ids = model.tokenize(['a red car ' * 30, 'a dog'], long=True)
    reference = FGCLIPHFReference(state, config)
    with torch.no_grad():
        torch.testing.assert_close(model.encode_image(images), reference.image(images),
                                   rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(model.encode_text(ids, long=True),
                                   reference.text(ids, long=True), rtol=1e-5, atol=1e-5)

    load_tool('pth_to_fgclip_hf').main([str(pth), str(tmp_path / 'out')])
    exported = load_file(str(tmp_path / 'out' / 'model.safetensors'))
    assert set(exported) == set(state)
    torch.testing.assert_close(exported['text_filip_projection.weight'],
                               state['text_filip_projection.weight'])
    out_config = json.loads((tmp_path / 'out' / 'config.json').read_text())
    assert out_config['projection_dim'] == 32


def test_hf_to_pth_strict_failure(tmp_path):
    config = tiny_fgclip_hf_config()
    state = random_fgclip_hf_state_dict(config)
    state.pop('logit_scale_hardneg')
    write_fgclip_hf_dir(tmp_path / 'hf', config, state)
    tool = load_tool('fgclip_hf_to_pth')
    with pytest.raises(KeyError, match='logit_scale_hardneg'):
        tool.main([str(tmp_path / 'hf'), str(tmp_path / 'a.pth')])
    tool.main([str(tmp_path / 'hf'), str(tmp_path / 'b.pth'), '--no-strict'])
    assert (tmp_path / 'b.pth').is_file()


def test_open_clip_to_pth(tmp_path):
    weights = tmp_path / 'clip.pt'
    state = write_tiny_open_clip_checkpoint(str(weights), seed=6)
    cfg_file = tmp_path / 'tiny.json'
    cfg_file.write_text(json.dumps(tiny_open_clip_cfg()))
    out = tmp_path / 'start.pth'
    load_tool('open_clip_to_pth').main(
        [str(out), '--model-cfg', str(cfg_file), '--pretrained', str(weights)])
    model = FGCLIP.from_checkpoint(str(out))
    torch.testing.assert_close(model.clip.text_projection, state['text_projection'])
    torch.testing.assert_close(model.long_text_projection, state['text_projection'])
