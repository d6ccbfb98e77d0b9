"""Tokenizers of the short and long text paths: open_clip's CLIP BPE (77 and
248 tokens) or a HuggingFace tokenizer a model config names (SigLIP's)."""
import warnings
from typing import List, Union

import torch
from open_clip.tokenizer import SimpleTokenizer

from .constants import LONG_CONTEXT_LENGTH, SHORT_CONTEXT_LENGTH


class FGCLIPTokenizer:
    """Tokenise captions for the short or the long text path.

    Ids are open_clip's (start-of-text, BPE tokens, end-of-text, zero
    padding). Texts longer than the chosen length are truncated, keeping the
    end-of-text token last, and a warning counts them.

    Args:
        short_length (int): Tokens of the short path. Defaults to 77.
        long_length (int): Tokens of the long path. Defaults to 248.
    """

    def __init__(self, short_length: int = SHORT_CONTEXT_LENGTH,
                 long_length: int = LONG_CONTEXT_LENGTH) -> None:
        self.short_length = short_length
        self.long_length = long_length
        self._bpe = SimpleTokenizer(context_length=short_length)

    def context_length(self, long: bool = False) -> int:
        """Token length of the long (``long=True``) or short path."""
        return self.long_length if long else self.short_length

    def __call__(self, texts: Union[str, List[str]],
                 long: bool = False) -> torch.LongTensor:
        """Tokenise.

        Args:
            texts (str | list[str]): One caption or a list.
            long (bool): Use the long path's length. Defaults to False.

        Returns:
            torch.LongTensor: ``(N, L)`` ids, ``L`` = 248 if ``long`` else 77.
        """
        if isinstance(texts, str):
            texts = [texts]
        length = self.context_length(long)
        # One position more than needed: a text was cut iff it reaches it.
        ids = self._bpe(texts, context_length=length + 1)
        truncated = ids[:, length] != 0
        ids = ids[:, :length].clone()
        ids[truncated, -1] = self._bpe.eot_token_id
        num_truncated = int(truncated.sum())
        if num_truncated:
            path = 'long' if long else 'short'
            warnings.warn(
                f'{num_truncated} of {len(texts)} texts exceed the {length} '
                f'tokens of the {path} text path and were truncated',
                stacklevel=2)
        return ids


class HFTextTokenizer:
    """A HuggingFace tokenizer (e.g. SigLIP's Gemma) at the short and long
    lengths, through open_clip's ``HFTokenizer``.

    Texts longer than the chosen length are truncated and a warning counts
    them. Needs ``transformers`` and the tokenizer files (downloaded into the
    HuggingFace cache, or a local folder as ``name``).

    Args:
        name (str): HuggingFace tokenizer name or folder, e.g.
            ``'timm/ViT-B-16-SigLIP2'``.
        short_length (int): Tokens of the short path.
        long_length (int): Tokens of the long path.
        **kwargs: open_clip ``HFTokenizer`` options of the model config's
            ``tokenizer_kwargs`` (``clean``, ``strip_sep_token``, ...).
    """

    def __init__(self, name: str, short_length: int, long_length: int,
                 **kwargs) -> None:
        try:
            from open_clip.tokenizer import HFTokenizer
            self._hf = HFTokenizer(name, context_length=short_length, **kwargs)
        except ImportError as error:
            raise ImportError(
                f'the text config names the HuggingFace tokenizer {name!r}; '
                'it needs the transformers package (pip install '
                'transformers)') from error
        self.short_length = short_length
        self.long_length = long_length

    def context_length(self, long: bool = False) -> int:
        """Token length of the long (``long=True``) or short path."""
        return self.long_length if long else self.short_length

    def __call__(self, texts: Union[str, List[str]],
                 long: bool = False) -> torch.LongTensor:
        """Tokenise to ``(N, L)`` ids, padded to the path's length."""
        if isinstance(texts, str):
            texts = [texts]
        length = self.context_length(long)
        ids = self._hf(texts, context_length=length + 1)
        pad = self._hf.tokenizer.pad_token_id
        truncated = ids[:, length] != pad
        num_truncated = int(truncated.sum())
        if num_truncated:
            warnings.warn(
                f'{num_truncated} of {len(texts)} texts exceed the {length} '
                'tokens of the text path and were truncated', stacklevel=2)
        return ids[:, :length].clone()


Tokenizer = Union[FGCLIPTokenizer, HFTextTokenizer]


def build_tokenizer(text_cfg: dict, short_length: int,
                    long_length: int) -> Tokenizer:
    """The tokenizer an open_clip text config asks for.

    ``hf_tokenizer_name`` (SigLIP, SigLIP 2) gives :class:`HFTextTokenizer`
    with the config's ``tokenizer_kwargs``; otherwise CLIP's BPE.
    """
    name = text_cfg.get('hf_tokenizer_name')
    if name:
        return HFTextTokenizer(name, short_length, long_length,
                               **text_cfg.get('tokenizer_kwargs', {}))
    return FGCLIPTokenizer(short_length, long_length)
