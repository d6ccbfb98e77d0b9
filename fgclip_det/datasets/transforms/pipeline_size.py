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
    """
    resized = []
    for transform in transforms:
        changes = {key: size for key in SIZE_FIELDS if key in transform}
        if with_mask is not None and transform.get('type') == 'LoadAnnotations':
            changes['with_mask'] = with_mask
        resized.append(dict(transform, **changes))
    return resized
