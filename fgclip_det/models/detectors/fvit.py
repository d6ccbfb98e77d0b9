"""F-ViT: a two-stage open-vocabulary detector on a frozen CLIP ViT."""
from typing import Tuple

from mmdet.models.detectors import TwoStageDetector
from mmdet.structures import SampleList
from torch import Tensor

from fgclip_det.registry import MODELS


@MODELS.register_module()
class FViT(TwoStageDetector):
    """F-ViT (CLIPSelf, Wu et al., ICLR 2024) with an FG-CLIP backbone.

    A mmdet ``TwoStageDetector`` (backbone, FPN, RPN, RoI head) whose
    backbone is a frozen CLIP ViT (``FViTCLIPBackbone``) and whose RoI head
    classifies boxes against class text embeddings (``FViTRoIHead``). At test
    time the backbone's dense CLIP map goes to the RoI head for the
    detector/CLIP score ensemble, computed in the same ViT pass.
    """

    def extract_feat_and_dense(
            self, batch_inputs: Tensor) -> Tuple[Tuple[Tensor, ...], Tensor]:
        """FPN features and the dense CLIP map.

        Args:
            batch_inputs (Tensor): ``(B, 3, H, W)`` images.

        Returns:
            tuple: FPN levels and the ``(B, D, H / p, W / p)`` CLIP map.
        """
        levels, clip_map = self.backbone.forward_with_dense(batch_inputs)
        return self.neck(levels), clip_map

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        """Detect, with the CLIP ensemble when the RoI head uses it.

        Args:
            batch_inputs (Tensor): ``(B, 3, H, W)`` images.
            batch_data_samples (list[DetDataSample]): Image metas.
            rescale (bool): Boxes in the original image space. Defaults to
                True.

        Returns:
            list[DetDataSample]: With ``pred_instances`` (``bboxes``,
            ``scores``, ``labels`` and, with a mask head, ``masks``).
        """
        if not getattr(self.roi_head, 'with_clip_ensemble', False):
            return super().predict(batch_inputs, batch_data_samples, rescale)
        x, clip_map = self.extract_feat_and_dense(batch_inputs)
        if batch_data_samples[0].get('proposals', None) is None:
            rpn_results_list = self.rpn_head.predict(
                x, batch_data_samples, rescale=False)
        else:
            rpn_results_list = [
                sample.proposals for sample in batch_data_samples
            ]
        results_list = self.roi_head.predict(
            x, rpn_results_list, batch_data_samples, rescale=rescale,
            clip_map=clip_map)
        return self.add_pred_to_datasample(batch_data_samples, results_list)
