"""A tiny FG-CLIP 2 in the released layout, with a word-level tokenizer, for
CPU tests and the quickstart.

The folder :func:`write_tiny_fgclip2` writes has what a released
``qihoo360/fg-clip2-*`` folder has (``config.json``, ``model.safetensors``,
``tokenizer.json`` with ``<pad>`` / ``<eos>`` / ``<bos>``) at width 64, so
every loading path is exercised as it is for the real checkpoints.
"""
import os
import os.path as osp
from pathlib import Path
from typing import Iterable, Optional

import torch

from fgclip_det.datasets.synthetic.vocabulary import ATTRIBUTE_VALUES, NUMBER_WORDS

#: ``config.json`` fields of the tiny model (4 vision blocks: one per F-ViT
#: level; a 4 x 4 position grid of 16 px patches).
TINY_FGCLIP2_CONFIG = dict(
    model_type='fgclip2',
    text_config=dict(hidden_size=64, intermediate_size=256, num_hidden_layers=2,
                     num_attention_heads=4, max_position_embeddings=64,
                     keep_len=20, longtext_len=196, projection_size=64,
                     hidden_act='gelu_pytorch_tanh', layer_norm_eps=1e-6),
    vision_config=dict(hidden_size=64, intermediate_size=256, num_hidden_layers=4,
                       num_attention_heads=4, num_patches=16, patch_size=16,
                       hidden_act='gelu_pytorch_tanh', layer_norm_eps=1e-6))
SPECIAL_TOKENS = ('<pad>', '<eos>', '<bos>', '<unk>')
#: Words beyond the synthetic attributes that captions use.
CAPTION_WORDS = ('a', 'an', 'the', 'photo', 'of', 'and', 'with', 'on', 'in',
                 'image', 'picture', 'shape', 'shapes', 'grey', 'background',
                 'left', 'right', 'above', 'below', 'next', 'to', 'there', 'is',
                 'are', 'one', 'object', 'objects', 'large', 'small', '.', ',')


def default_words() -> list:
    """The synthetic vocabulary (attributes, numbers, caption words)."""
    words = [w for values in ATTRIBUTE_VALUES.values() for w in values]
    words += list(NUMBER_WORDS) + [w + 's' for w in ATTRIBUTE_VALUES['shape']]
    return list(dict.fromkeys(words + list(CAPTION_WORDS)))


def write_word_tokenizer(path: str, words: Iterable[str]) -> str:
    """A ``tokenizer.json``: lowercase whitespace/punctuation words, ids
    ``<pad>`` 0, ``<eos>`` 1, ``<bos>`` 2, ``<unk>`` 3, one ``<eos>``
    appended (the Gemma ids of the released tokenizer's special tokens)."""
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordLevel
    from tokenizers.processors import TemplateProcessing
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS)}
    for word in words:
        vocab.setdefault(word, len(vocab))
    tokenizer = Tokenizer(WordLevel(vocab, unk_token='<unk>'))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation()])
    tokenizer.post_processor = TemplateProcessing(
        single='$A <eos>', pair='$A <eos> $B <eos>',
        special_tokens=[('<eos>', vocab['<eos>'])])
    tokenizer.save(path)
    return path


def write_tiny_fgclip2(folder: str, seed: int = 0,
                       words: Optional[Iterable[str]] = None) -> str:
    """Write a random tiny FG-CLIP 2 in the released layout into ``folder``.

    Returns:
        str: ``folder``.
    """
    from fgclip_det.models.clip.fgclip2 import (
        FGCLIP2,
        arch_from_hf_config,
        save_fgclip2_hf,
    )
    os.makedirs(folder, exist_ok=True)
    words = default_words() if words is None else list(words)
    config = dict(TINY_FGCLIP2_CONFIG)
    config['text_config'] = dict(config['text_config'],
                                 vocab_size=len(SPECIAL_TOKENS) + len(words))
    tokenizer = write_word_tokenizer(osp.join(folder, 'tokenizer.json'), words)
    torch.manual_seed(seed)
    model = FGCLIP2(arch=arch_from_hf_config(config), tokenizer_file=tokenizer)
    save_fgclip2_hf(model, folder)
    return folder


#: The shared FG-CLIP 2 fixture (released layout + reference outputs of the
#: public implementation), relative to the repository root.
FGCLIP2_TINY_HF_FIXTURE = Path('..', 'shared', 'fixtures', 'fgclip2_tiny_hf')


def fgclip2_tiny_hf_fixture() -> Optional[Path]:
    """The shared FG-CLIP 2 fixture folder, or None if absent."""
    repo_root = Path(__file__).resolve().parents[2]
    folder = (repo_root / FGCLIP2_TINY_HF_FIXTURE).resolve()
    return folder if (folder / 'reference.npz').is_file() else None
