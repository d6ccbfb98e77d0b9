"""The vision-trunk interface: one CLIP image tower, run piece by piece.

FG-CLIP's dense and region features, F-ViT's multi-level maps and the CLIP
evaluation all need the same steps of an image tower at any input size:
embed the patches, run a range of blocks, read token maps in between, pool
the image embedding and branch off the dense map. A :class:`VisionTrunk`
adapter implements those steps for one tower family; everything else is
written once here (:meth:`VisionTrunk.features`).
"""
from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from typing import ClassVar, List, Literal, NamedTuple, Optional, Sequence, Tuple

from torch import Tensor, nn

Grid = Tuple[int, int]
LastBlock = Literal['attention', 'value_path']
LAST_BLOCK_MODES = ('attention', 'value_path')


@dataclass
class TrunkTokens:
    """Tokens between two blocks of a trunk.

    Attributes:
        x (Tensor): ``(B, P + h * w, C)``, ``P`` prefix tokens first.
        grid (tuple[int, int]): The patch grid ``(h, w)``.
        rope (Tensor, optional): Rotary embedding of the grid (EVA).
    """

    x: Tensor
    grid: Grid
    rope: Optional[Tensor] = None

    def with_x(self, x: Tensor) -> 'TrunkTokens':
        """The same grid and context with other tokens."""
        return replace(self, x=x)


class TrunkFeatures(NamedTuple):
    """What one pass of :meth:`VisionTrunk.features` returns."""

    #: ``(B, C, h, w)`` token maps after the requested blocks.
    maps: List[Tensor]
    #: ``(B, D)`` image embedding, if requested.
    pooled: Optional[Tensor]
    #: ``(B, D, h, w)`` dense embeddings (not normalised), if requested.
    dense: Optional[Tensor]


class VisionTrunk(ABC):
    """Adapter of one CLIP image-tower family.

    A subclass names its ``family``, says which towers it ``claims`` and what
    of a claimed tower it does not support (``problems``), and implements the
    steps. The adapter keeps a reference to the tower (it owns no
    parameters), so it follows the tower across devices and weight loads.

    Args:
        visual (nn.Module): The open_clip vision tower (``model.visual``).

    Raises:
        ValueError: The tower is of this family but uses something the
            adapter does not support (named in the message).
    """

    #: Human-readable family name used in messages and docs.
    family: ClassVar[str] = ''
    #: Whether :meth:`value_path_last` / :meth:`project_dense` exist.
    attention_free_last: ClassVar[bool] = False

    def __init__(self, visual: nn.Module) -> None:
        problems = self.problems(visual)
        if problems:
            raise ValueError(f'{self.family} tower not supported: '
                             + ', '.join(problems))
        self.visual = visual

    # --------------------------------------------------------- family checks
    @classmethod
    @abstractmethod
    def claims(cls, visual: nn.Module) -> bool:
        """Whether ``visual`` belongs to this family."""

    @classmethod
    def problems(cls, visual: nn.Module) -> List[str]:
        """What of a claimed tower this adapter does not support."""
        return []

    # ------------------------------------------------------------ properties
    @property
    @abstractmethod
    def patch_size(self) -> Grid:
        """Patch size ``(ph, pw)``: the stride of token maps and dense map."""

    @property
    @abstractmethod
    def width(self) -> int:
        """Token width ``C`` of the blocks."""

    @property
    @abstractmethod
    def num_blocks(self) -> int:
        """Number of blocks."""

    @property
    @abstractmethod
    def num_prefix_tokens(self) -> int:
        """Class / register tokens before the patch tokens."""

    @property
    def dense_branch(self) -> int:
        """Block index whose input the dense path takes (``num_blocks`` for
        a path after the last block). Defaults to the last block's input."""
        return self.num_blocks - 1

    # ----------------------------------------------------------------- steps
    @abstractmethod
    def embed(self, images: Tensor) -> TrunkTokens:
        """Tokens entering the first block, at any input size."""

    @abstractmethod
    def blocks(self, tokens: TrunkTokens, start: int = 0,
               stop: Optional[int] = None) -> TrunkTokens:
        """Run blocks ``start .. stop - 1`` (with the tower's gradient
        checkpointing switch)."""

    @abstractmethod
    def pool(self, tokens: TrunkTokens) -> Tensor:
        """The ``(B, D)`` image embedding from the tokens after the last
        block."""

    @abstractmethod
    def dense(self, tokens: TrunkTokens) -> Tensor:
        """The ``(B, D, h, w)`` dense map from the tokens entering block
        :attr:`dense_branch`; not normalised."""

    def value_path_last(self, tokens: TrunkTokens) -> TrunkTokens:
        """The last block with its attention replaced by the value path, on
        the tokens entering it (where :attr:`attention_free_last`)."""
        raise NotImplementedError(f'{self.family} towers have no '
                                  'attention-free last block')

    def project_dense(self, tokens: TrunkTokens) -> Tensor:
        """The dense map ``(B, D, h, w)`` from :meth:`value_path_last`'s
        tokens (final norm and projection on every token)."""
        raise NotImplementedError(f'{self.family} towers have no '
                                  'attention-free last block')

    @abstractmethod
    def clear_cache(self) -> None:
        """Drop cached position tables (after weights change outside an
        optimiser step, e.g. a state-dict load)."""

    def check_last_block(self, last_block: str) -> None:
        """Raise a ValueError unless ``last_block`` is a mode this tower runs
        (``'value_path'`` needs :attr:`attention_free_last`)."""
        if last_block not in LAST_BLOCK_MODES:
            raise ValueError(f'last_block must be one of {LAST_BLOCK_MODES}, '
                             f'got {last_block!r}')
        if last_block == 'value_path' and not self.attention_free_last:
            raise ValueError(f'{self.family} towers have no attention-free last '
                             "block: use last_block='attention'")

    # -------------------------------------------------------- derived steps
    def token_map(self, tokens: TrunkTokens) -> Tensor:
        """Patch tokens as a ``(B, C, h, w)`` map (prefix tokens dropped)."""
        x = tokens.x[:, self.num_prefix_tokens:]
        return x.transpose(1, 2).unflatten(-1, tuple(tokens.grid)).contiguous()

    def check_indices(self, indices: Sequence[int]) -> List[int]:
        """Block indices as ascending non-negative ints (negatives count from
        the end).

        Raises:
            ValueError: Out of range or not ascending.
        """
        wanted = []
        for index in indices:
            index = int(index)
            if not -self.num_blocks <= index < self.num_blocks:
                raise ValueError(f'block index {index} out of range for a '
                                 f'{self.family} tower of {self.num_blocks} '
                                 'blocks')
            wanted.append(index % self.num_blocks)
        if wanted != sorted(set(wanted)):
            raise ValueError(f'block indices must be ascending, got {list(indices)}')
        return wanted

    def features(self, images: Tensor, out_indices: Sequence[int] = (),
                 with_pooled: bool = False, with_dense: bool = False,
                 last_block: LastBlock = 'attention') -> TrunkFeatures:
        """Token maps, image embedding and dense map from one pass.

        Args:
            images (Tensor): ``(B, 3, H, W)``, normalised, any size that is a
                multiple of the patch size.
            out_indices (Sequence[int]): Blocks whose outputs are returned as
                maps (ascending; negatives count from the end).
            with_pooled (bool): Also return the image embedding.
            with_dense (bool): Also return the dense map.
            last_block (str): ``'attention'`` runs the last block as it is;
                ``'value_path'`` runs it only attention-free, so its map (if
                asked for) and the dense map come from that one pass, as
                CLIPSelf's F-ViT backbone does. Defaults to 'attention'.

        Returns:
            TrunkFeatures: Only the blocks needed for what was asked are run.
        """
        self.check_last_block(last_block)
        value_last = last_block == 'value_path'
        if value_last and with_pooled:
            raise ValueError("the image embedding needs the last block's "
                             "attention: last_block='value_path' gives none")
        wanted = self.check_indices(out_indices)
        last = self.num_blocks - 1
        stops = {index + 1 for index in wanted}
        if value_last and last in wanted:
            stops = (stops - {self.num_blocks}) | {last}
        if with_dense:
            stops.add(self.dense_branch)
        if with_pooled:
            stops.add(self.num_blocks)
        tokens = self.embed(images)
        maps, dense, start = [], None, 0
        for stop in sorted(stops):
            tokens = self.blocks(tokens, start, stop)
            start = stop
            if stop - 1 in wanted:
                maps.append(self.token_map(tokens))
            if value_last and stop == last:
                after = self.value_path_last(tokens)
                if with_dense:
                    dense = self.project_dense(after)
                if last in wanted:
                    maps.append(self.token_map(after))
            elif with_dense and stop == self.dense_branch:
                dense = self.dense(tokens)
        pooled = self.pool(tokens) if with_pooled else None
        return TrunkFeatures(maps, pooled, dense)
