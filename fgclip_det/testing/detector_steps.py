"""One training step and the shape checks of a prediction, for tests that
run a detector end to end on ``mmdet.testing.demo_mm_inputs``."""
from typing import Optional, Sequence

from torch import Tensor, nn


def train_loss(model: nn.Module, packed: dict) -> Tensor:
    """The parsed loss of one training forward on ``packed``, back-propagated.

    Args:
        model (nn.Module): An mmdet detector.
        packed (dict): ``inputs`` and ``data_samples`` as the data loader
            gives them.

    Returns:
        Tensor: The total loss (its gradients already computed).
    """
    model.train()
    data = model.data_preprocessor(packed, True)
    loss, _ = model.parse_losses(model(**data, mode='loss'))
    loss.backward()
    return loss


def assert_detections(results: Sequence, num_images: int,
                      num_classes: Optional[int] = None) -> None:
    """Assert one result an image, each with ``(n, 4)`` boxes and ``n``
    scores and labels (labels in ``[0, num_classes)`` when given)."""
    assert len(results) == num_images
    for result in results:
        pred = result.pred_instances
        assert pred.bboxes.shape[1] == 4
        assert len(pred.bboxes) == len(pred.scores) == len(pred.labels)
        if num_classes is not None:
            assert ((pred.labels >= 0) & (pred.labels < num_classes)).all()
