"""One pipeline at another input size, for configs that derive a size
variant from a base pipeline instead of writing it again."""
from typing import Iterable, List, Mapping, Optional, Tuple, Union

#: The fields that hold an input size in the transforms and batch augments
#: the configs use (mmdet's ``Resize`` / ``RandomResize`` ``scale``,
#: ``RandomCrop`` ``crop_size``, ``ResizeToSquare`` / ``BatchFixedSizePad``
#: ``size``).
SIZE_FIELDS = ('scale', 'crop_size', 'size')

Size = Union[int, Tuple[int, int]]


def at_size(transforms: Iterable[Mapping],
            size: Size,
            *,
            with_mask: Optional[bool] = None) -> List[dict]:
    """A copy of ``transforms`` with ``size`` in every size field.

    Args:
        transforms (Iterable[Mapping]): A pipeline or a list of batch
            augments, as configs write them.
        size (int | tuple[int, int]): The new input size.
        with_mask (bool, optional): When given, ``LoadAnnotations``' new
            ``with_mask``. Defaults to None (as it is).

    Returns:
        list[dict]: The transforms, each a new dict; those without a size
        field (or ``LoadAnnotations``) unchanged.

    Raises:
        ValueError: No transform has a size field, or ``with_mask`` is given
            and there is no ``LoadAnnotations``: the call would change
            nothing it was asked to.
    """
    resized, sized, masked = [], False, False
    for transform in transforms:
        changes = {key: size for key in SIZE_FIELDS if key in transform}
        sized = sized or bool(changes)
        if with_mask is not None and transform.get('type') == 'LoadAnnotations':
            changes['with_mask'] = with_mask
            masked = True
        resized.append(dict(transform, **changes))
    types = [transform.get('type') for transform in resized]
    if not sized:
        raise ValueError(f'at_size: none of the transforms {types} has a size '
                         f'field; expected one of {SIZE_FIELDS}')
    if with_mask is not None and not masked:
        raise ValueError(f'at_size: with_mask={with_mask} given but the '
                         f'transforms {types} have no LoadAnnotations')
    return resized
