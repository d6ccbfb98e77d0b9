"""Which predicted boxes a picture shows: top-k, relative and absolute score."""
import argparse
from typing import Callable, Optional, Union

from mmengine.structures import InstanceData


def check_box_selection(max_boxes: Optional[int] = None,
                        relative_score_thr: float = 0.0) -> None:
    """Raise ``ValueError``, naming the parameter and its value, unless
    ``max_boxes`` is None or an integer >= 1 and ``relative_score_thr`` is in
    ``[0, 1]``."""
    if max_boxes is not None and (isinstance(max_boxes, bool)
                                  or not isinstance(max_boxes, int)
                                  or max_boxes < 1):
        raise ValueError(
            f'max_boxes must be an integer >= 1 (or None), got {max_boxes!r}')
    if not 0 <= relative_score_thr <= 1:
        raise ValueError(f'relative_score_thr must be in [0, 1], got '
                         f'{relative_score_thr!r}')


def select_instances(instances: InstanceData,
                     max_boxes: Optional[int] = None,
                     relative_score_thr: float = 0.0,
                     score_thr: float = 0.0) -> InstanceData:
    """The predictions worth drawing, by decreasing score.

    A box is kept when its score is at least ``score_thr`` and at least
    ``relative_score_thr`` times the highest score of ``instances`` (the
    image's best box); of those, the ``max_boxes`` highest. Scaling all
    scores by a constant, as a larger vocabulary does to softmax scores,
    keeps the same boxes under the relative threshold.

    Args:
        instances (InstanceData): Predictions with ``scores`` (a tensor).
        max_boxes (int, optional): At most this many boxes. Defaults to
            None: no limit.
        relative_score_thr (float): Fraction in ``[0, 1]`` of the best
            score. Defaults to 0.
        score_thr (float): Absolute score threshold. Defaults to 0.

    Returns:
        InstanceData: The kept predictions (a new object).
    """
    check_box_selection(max_boxes, relative_score_thr)
    scores = instances.scores
    if len(scores) == 0:
        return instances[:0]
    floor = max(score_thr, relative_score_thr * float(scores.max()))
    order = scores.argsort(descending=True)
    return instances[order[scores[order] >= floor][:max_boxes]]


def max_boxes_arg(text: str) -> int:
    """``type=`` of a ``--max-boxes`` option: an integer >= 1."""
    return _checked(int, text, 'max_boxes')


def relative_score_thr_arg(text: str) -> float:
    """``type=`` of a ``--relative-score-thr`` option: a number in [0, 1]."""
    return _checked(float, text, 'relative_score_thr')


def _checked(convert: Callable[[str], Union[int, float]], text: str,
             name: str) -> Union[int, float]:
    # argparse prefixes the message with the option: "argument --max-boxes: ..."
    try:
        value = convert(text)
        check_box_selection(**{name: value})
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value
