"""open_clip's CLIP BPE tokenizer at the short (77) and long (248) lengths."""
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
