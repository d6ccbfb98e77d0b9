"""FG-CLIP 2's Gemma tokenizer, read from a ``tokenizer.json`` with the
``tokenizers`` library (no ``transformers``, no remote code).

Captions are lowercased, as the public code does everywhere
(``train_fgclip2.py``, README, evaluation), then padded with ``<pad>`` to
the path's full length (64 short / box, 196 long), as training does: the
text tower pools the last position.
"""
import json
import os.path as osp
import warnings
from typing import Dict, List, Mapping, Tuple, Union

import torch
from torch import Tensor

PAD_TOKEN = '<pad>'
BOS_TOKEN, EOS_TOKEN = '<bos>', '<eos>'
#: transformers' tokenizer settings beside tokenizer.json, and its flags read.
TOKENIZER_CONFIG = 'tokenizer_config.json'
SPECIAL_FLAGS = ('add_bos_token', 'add_eos_token')


def read_tokenizer_files(tokenizer_file: str) -> Dict[str, object]:
    """A tokenizer as plain data: the ``tokenizer.json`` text and the
    ``add_bos_token`` / ``add_eos_token`` flags of the
    ``tokenizer_config.json`` beside it (if any), so that a toolkit
    checkpoint carries its tokenizer."""
    if not osp.isfile(tokenizer_file):
        raise FileNotFoundError(f'no tokenizer file {tokenizer_file}')
    with open(tokenizer_file, encoding='utf-8') as f:
        spec = dict(tokenizer_json=f.read(), special_tokens={})
    config_path = osp.join(osp.dirname(tokenizer_file), TOKENIZER_CONFIG)
    if osp.isfile(config_path):
        with open(config_path, encoding='utf-8') as f:
            config = json.load(f)
        spec['special_tokens'] = {key: bool(config[key]) for key in SPECIAL_FLAGS
                                  if key in config}
    return spec


def apply_special_token_config(tokenizer,
                               config: Mapping[str, bool]) -> Tuple[str, ...]:
    """Add ``<bos>`` / ``<eos>`` as ``tokenizer_config.json``'s flags say.

    transformers' ``GemmaTokenizerFast`` rebuilds the post-processor from
    ``add_bos_token`` (default True) / ``add_eos_token`` (default False);
    without either flag the post-processor of ``tokenizer.json`` is kept.
    Returns the special tokens added, or ``('tokenizer.json',)`` when its
    own post-processor is used.
    """
    if not config:
        return ('tokenizer.json',)
    from tokenizers.processors import TemplateProcessing
    added = [token for token, key in ((BOS_TOKEN, 'add_bos_token'),
                                      (EOS_TOKEN, 'add_eos_token'))
             if config.get(key, token == BOS_TOKEN)]
    ids = {token: tokenizer.token_to_id(token) for token in added}
    absent = [token for token, index in ids.items() if index is None]
    if absent:
        raise ValueError(f'{TOKENIZER_CONFIG} asks for {absent}, which the '
                         'tokenizer does not have')
    bos = [BOS_TOKEN] if BOS_TOKEN in added else []
    eos = [EOS_TOKEN] if EOS_TOKEN in added else []
    tokenizer.post_processor = TemplateProcessing(
        single=' '.join(bos + ['$A'] + eos),
        pair=' '.join(bos + ['$A'] + eos + bos + ['$B'] + eos),
        special_tokens=list(ids.items()))
    return tuple(added)


class FGCLIP2Tokenizer:
    """Tokenise captions for the short / box and the long text paths.

    Args:
        spec (dict): :func:`read_tokenizer_files` output (the released
            checkpoints' Gemma ``tokenizer.json`` and its special-token flags).
        short_length (int): Tokens of the short and box paths. Defaults to 64.
        long_length (int): Tokens of the long path. Defaults to 196.
        lowercase (bool): Lowercase captions first. Defaults to True.
    """

    def __init__(self, spec: Mapping[str, object], short_length: int = 64,
                 long_length: int = 196, lowercase: bool = True) -> None:
        try:
            from tokenizers import Tokenizer
        except ImportError as error:
            raise ImportError('FG-CLIP 2 reads its tokenizer.json with the '
                              'tokenizers package (pip install tokenizers)') from error
        self._tokenizer = Tokenizer.from_str(spec['tokenizer_json'])
        self.pad_id = self._tokenizer.token_to_id(PAD_TOKEN)
        if self.pad_id is None:
            raise ValueError(f'the tokenizer has no {PAD_TOKEN!r} token')
        self.special_tokens = apply_special_token_config(
            self._tokenizer, spec.get('special_tokens') or {})
        self.short_length = short_length
        self.long_length = long_length
        self.lowercase = lowercase

    @classmethod
    def from_file(cls, tokenizer_file: str, **kwargs) -> 'FGCLIP2Tokenizer':
        """Read ``tokenizer.json`` (and the ``tokenizer_config.json`` beside it)."""
        return cls(read_tokenizer_files(tokenizer_file), **kwargs)

    def context_length(self, long: bool = False) -> int:
        """Token length of the long (``long=True``) or short path."""
        return self.long_length if long else self.short_length

    def encode(self, texts: Union[str, List[str]],
               long: bool = False) -> Tuple[Tensor, Tensor]:
        """Ids and attention mask, both ``(N, L)`` int64, padded to ``L``.

        Texts longer than ``L`` are cut (a warning counts them).
        """
        if isinstance(texts, str):
            texts = [texts]
        if self.lowercase:
            texts = [text.lower() for text in texts]
        length = self.context_length(long)
        self._tokenizer.enable_truncation(length)
        self._tokenizer.enable_padding(pad_id=self.pad_id, pad_token=PAD_TOKEN,
                                       length=length)
        encodings = self._tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.long)
        truncated = sum(bool(e.overflowing) for e in encodings)
        if truncated:
            warnings.warn(f'{truncated} of {len(texts)} texts exceed the {length} '
                          'tokens of the FG-CLIP 2 '
                          f'{"long" if long else "short"} path and were truncated',
                          stacklevel=2)
        return ids, mask

    def __call__(self, texts: Union[str, List[str]], long: bool = False) -> Tensor:
        """Token ids ``(N, L)`` (see :meth:`encode`)."""
        return self.encode(texts, long)[0]
