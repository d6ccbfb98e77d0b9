"""FG-CLIP 2's tokenizer from tokenizer.json, the checkpoints that carry it,
and the conversion tools on a released-layout folder."""
import json
import re

import pytest
import torch

from fgclip_det.models.clip.fgclip2 import (
    FGCLIP2,
    FGCLIP2Tokenizer,
    arch_from_hf_config,
)
from fgclip_det.models.clip.fgclip2.tokenizer import read_tokenizer_files
from fgclip_det.testing.tiny_fgclip2 import (
    SPECIAL_TOKENS,
    TINY_FGCLIP2_CONFIG,
    write_tiny_fgclip2,
    write_word_tokenizer,
)
from fgclip_det.testing.tool_runs import import_tool

PAD, EOS, BOS = (SPECIAL_TOKENS.index(t) for t in ('<pad>', '<eos>', '<bos>'))


@pytest.fixture(scope='module')
def tiny_dir(tmp_path_factory):
    return write_tiny_fgclip2(str(tmp_path_factory.mktemp('fg-clip2-tiny')))


def words_tokenizer(tmp_path, words=('red', 'star', 'a'), config=None):
    path = write_word_tokenizer(str(tmp_path / 'tokenizer.json'), words)
    if config is not None:
        (tmp_path / 'tokenizer_config.json').write_text(json.dumps(config))
    return FGCLIP2Tokenizer.from_file(path, short_length=6, long_length=10)


def test_lowercase_pad_to_full_length_and_mask(tmp_path):
    tokenizer = words_tokenizer(tmp_path)
    ids, mask = tokenizer.encode(['A RED Star', 'star'])
    red, star, a = (SPECIAL_TOKENS.__len__() + i for i in (0, 1, 2))
    assert ids.tolist() == [[a, red, star, EOS, PAD, PAD],
                            [star, EOS, PAD, PAD, PAD, PAD]]
    assert mask.tolist() == [[1, 1, 1, 1, 0, 0], [1, 1, 0, 0, 0, 0]]
    assert tokenizer(['star'], long=True).shape == (1, 10)


def test_truncation_keeps_the_length_and_warns(tmp_path):
    tokenizer = words_tokenizer(tmp_path)
    with pytest.warns(UserWarning, match='1 of 2 texts exceed the 6 tokens'):
        ids, mask = tokenizer.encode(['red ' * 9, 'a'])
    assert ids.shape == (2, 6) and ids[0, -1] == EOS and mask[0].all()


@pytest.mark.parametrize('config, first, last', [
    (dict(add_bos_token=True, add_eos_token=False), BOS, None),
    (dict(add_bos_token=True, add_eos_token=True), BOS, EOS),
    (dict(add_bos_token=False, add_eos_token=False), None, None)])
def test_special_tokens_follow_tokenizer_config(tmp_path, config, first, last):
    """transformers' Gemma tokenizer rebuilds BOS / EOS from these flags."""
    tokenizer = words_tokenizer(tmp_path, config=config)
    ids, mask = tokenizer.encode('red star')
    content = ids[0, :int(mask.sum())].tolist()
    expected = ([first] if first is not None else []) + [4, 5] + (
        [last] if last is not None else [])
    assert content == expected


def test_missing_pad_token_is_an_error(tmp_path):
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    path = tmp_path / 'tokenizer.json'
    Tokenizer(WordLevel({'<unk>': 0, 'a': 1}, unk_token='<unk>')).save(str(path))
    with pytest.raises(ValueError, match="no '<pad>' token"):
        FGCLIP2Tokenizer.from_file(str(path))
    with pytest.raises(FileNotFoundError, match='no tokenizer file'):
        read_tokenizer_files(str(tmp_path / 'absent.json'))


def test_model_without_tokenizer_says_what_it_needs():
    model = FGCLIP2(arch=arch_from_hf_config(TINY_FGCLIP2_CONFIG))
    with pytest.raises(ValueError, match='needs tokenizer_file'):
        model.encode_text(['a red star'])


def test_convert_tools_round_trip(tiny_dir, tmp_path, capsys):
    fgclip_hf_to_pth = import_tool('convert/fgclip_hf_to_pth.py')
    pth_to_fgclip_hf = import_tool('convert/pth_to_fgclip_hf.py')
    pth = str(tmp_path / 'tiny.pth')
    fgclip_hf_to_pth.main([tiny_dir, pth])
    assert re.search(r'converting: 100%.* (\d+)/\1 ', capsys.readouterr().err)
    model = FGCLIP2.from_checkpoint(pth).eval()
    original = FGCLIP2(pretrained=tiny_dir).eval()
    captions = ['a small striped red star', 'two blue hearts']
    with torch.no_grad():
        torch.testing.assert_close(model.encode_text(captions),
                                   original.encode_text(captions))
    out = tmp_path / 'exported'
    pth_to_fgclip_hf.main([pth, str(out)])
    assert sorted(p.name for p in out.iterdir()) == [
        'config.json', 'model.safetensors', 'tokenizer.json']
    again = FGCLIP2(pretrained=str(out)).eval()
    with torch.no_grad():
        torch.testing.assert_close(again.encode_text(captions, walk='box'),
                                   original.encode_text(captions, walk='box'))
