"""FG-OVD accuracy: the positive description ranked first, per difficulty."""
from collections import defaultdict
from typing import Dict, List, Sequence

from mmengine.evaluator import BaseMetric

from fgclip_det.registry import METRICS

from .functional.ranking import positive_ranked_first

#: ``test_type`` of each FG-OVD difficulty file -> the name reported.
FGOVD_DIFFICULTIES = {
    '1_attributes': 'hard',
    '2_attributes': 'medium',
    '3_attributes': 'easy',
    'shuffle_negatives': 'trivial',
}


@METRICS.register_module()
class FGOVDAccuracyMetric(BaseMetric):
    """FG-OVD accuracy (Bianchi et al., CVPR 2024) as FG-CLIP reports it.

    A box counts as correct when its positive description scores strictly
    above every negative. Reads ``text_scores`` ``(1 + K,)`` (positive
    first) and ``test_type`` of every sample (``CLIPFGOVDRanker``).

    Results (percentages): one per difficulty, ``hard`` / ``medium`` /
    ``easy`` / ``trivial`` for the four benchmark files (another
    ``test_type`` is reported under its own name).

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'fgovd'``.
    """

    default_prefix = 'fgovd'

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep whether each box ranks its positive first."""
        for sample in data_samples:
            self.results.append(
                dict(test_type=sample['test_type'],
                     correct=bool(positive_ranked_first(
                         sample['text_scores'].float()))))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Accuracy of each difficulty."""
        outcomes = defaultdict(list)
        for result in results:
            outcomes[result['test_type']].append(result['correct'])
        return {
            FGOVD_DIFFICULTIES.get(test_type, test_type):
            100.0 * sum(correct) / len(correct)
            for test_type, correct in sorted(outcomes.items())
        }
