"""The FG-CLIP pretraining heads against hand-written references."""
import math

import pytest
import torch
import torch.nn.functional as F

from fgclip_det.models.pretrain import (
    GlobalContrastiveHead,
    HardNegativeHead,
    RegionalContrastiveHead,
    gather_with_grad,
    hard_negative_logits,
)
from fgclip_det.models.pretrain.fgclip2 import (
    FGCLIP2HardNegativeHead,
    SigLIPGlobalHead,
)
from fgclip_det.testing.gloo_ranks import run_gloo_ranks, unit_features

DIM = 8
WORLD_SIZE = 2


def unit(*shape, seed=0):
    return unit_features(*shape, dim=DIM, seed=seed)


def dot(u, v):
    return sum(x * y for x, y in zip(u.tolist(), v.tolist()))


def cross_entropy(logits, target):
    return -logits[target] + math.log(sum(math.exp(x) for x in logits))


def reference_info_nce(a, b, scale):
    """Mean over rows and both directions, written with loops."""
    n = len(a)
    total = 0.0
    for i in range(n):
        total += cross_entropy([scale * dot(a[i], b[j]) for j in range(n)], i)
        total += cross_entropy([scale * dot(b[i], a[j]) for j in range(n)], i)
    return total / (2 * n)


def reference_hard_negative(regions, positives, negatives, mask, scale):
    losses = []
    for r, pos, negs, real in zip(regions, positives, negatives, mask):
        negs = [t for t, keep in zip(negs, real) if keep]
        if negs:
            logits = [scale * dot(r, t) for t in [pos, *negs]]
            losses.append(cross_entropy(logits, 0))
    return sum(losses) / len(losses)


def test_global_head_matches_reference():
    image, long, short = unit(5, seed=0), unit(5, seed=1), unit(5, seed=2)
    head = GlobalContrastiveHead(loss_weight_long=1.0, loss_weight_short=0.5)
    losses = head.loss(image, long, short, logit_scale=10.0)
    assert set(losses) == {'loss_global_long', 'loss_global_short'}
    assert losses['loss_global_long'].item() == pytest.approx(
        reference_info_nce(image, long, 10.0))
    assert losses['loss_global_short'].item() == pytest.approx(
        0.5 * reference_info_nce(image, short, 10.0))


def test_global_head_gradients_reach_their_inputs_only():
    image, long, short = unit(4, seed=0), unit(4, seed=1), unit(4, seed=2)
    scale = torch.tensor(20.0, dtype=torch.double, requires_grad=True)
    losses = GlobalContrastiveHead().loss(image, long, short, scale)
    losses['loss_global_long'].backward()
    assert image.grad.abs().sum() > 0 and long.grad.abs().sum() > 0
    assert short.grad is None
    assert scale.grad is not None


def test_regional_head_padded_with_mask_matches_flat_reference():
    padded_regions, padded_texts = unit(3, 4, seed=3), unit(3, 4, seed=4)
    valid = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0]]).bool()
    head = RegionalContrastiveHead(loss_weight=0.1)
    loss = head.loss(padded_regions, padded_texts, 5.0, valid)['loss_region']
    expected = 0.1 * reference_info_nce(padded_regions[valid],
                                        padded_texts[valid], 5.0)
    assert loss.item() == pytest.approx(expected)

    loss.backward()
    assert padded_regions.grad[~valid].abs().sum() == 0
    assert padded_texts.grad[~valid].abs().sum() == 0
    assert padded_regions.grad[valid].abs().sum(-1).min() > 0

    flat = head.loss(padded_regions[valid], padded_texts[valid], 5.0)
    assert flat['loss_region'].item() == pytest.approx(expected)


def test_regional_head_without_regions_is_zero_and_differentiable():
    regions, texts = unit(2, 3, seed=5), unit(2, 3, seed=6)
    valid = torch.zeros(2, 3, dtype=torch.bool)
    loss = RegionalContrastiveHead().loss(regions, texts, 5.0, valid)
    loss['loss_region'].backward()
    assert loss['loss_region'].item() == 0
    assert regions.grad.abs().sum() == 0


def test_hard_negative_head_matches_reference_and_skips_regions():
    regions, positives = unit(4, seed=7), unit(4, seed=8)
    negatives = unit(4, 10, seed=9)
    mask = torch.ones(4, 10, dtype=torch.bool)
    mask[1] = False  # no negatives
    mask[2, 6:] = False  # 6 negatives and 4 padding slots
    head = HardNegativeHead(loss_weight=0.5)
    loss = head.loss(regions, positives, negatives, 30.0,
                     mask)['loss_hard_negative']
    expected = 0.5 * reference_hard_negative(regions, positives, negatives,
                                             mask, 30.0)
    assert loss.item() == pytest.approx(expected)

    loss.backward()
    assert regions.grad[1].abs().sum() == 0
    assert positives.grad[1].abs().sum() == 0
    assert negatives.grad[~mask].abs().sum() == 0
    assert regions.grad[mask.any(1)].abs().sum(-1).min() > 0
    assert negatives.grad[mask].abs().sum(-1).min() > 0

    unmasked = head.loss(regions, positives, negatives, 30.0)
    assert unmasked['loss_hard_negative'].item() == pytest.approx(
        0.5 * reference_hard_negative(regions, positives, negatives,
                                      torch.ones(4, 10), 30.0))


def test_hard_negative_head_without_negatives_is_zero_and_differentiable():
    regions, positives = unit(3, seed=7), unit(3, seed=8)
    negatives = unit(3, 10, seed=9)
    none = torch.zeros(3, 10, dtype=torch.bool)
    loss = HardNegativeHead().loss(regions, positives, negatives, 30.0, none)
    loss['loss_hard_negative'].backward()
    assert loss['loss_hard_negative'].item() == 0
    assert regions.grad.abs().sum() == 0


def test_gather_with_grad_is_identity_without_distributed():
    feats = unit(3)
    gathered, offset = gather_with_grad(feats)
    assert gathered is feats and offset == 0


def rank_results(rank):
    image, long, short = unit(6, seed=0), unit(6, seed=1), unit(6, seed=2)
    local = slice(3 * rank, 3 * rank + 3)
    feats = [x.detach()[local].clone().requires_grad_()
             for x in (image, long, short)]
    losses = GlobalContrastiveHead().loss(*feats, logit_scale=10.0)
    sum(losses.values()).backward()

    # Unequal row counts (4 regions on rank 0, none on rank 1).
    regions, texts = unit(4, seed=3), unit(4, seed=4)
    mine = slice(0, 4) if rank == 0 else slice(0, 0)
    region_loss = RegionalContrastiveHead(
        loss_weight=1.0, gather=True).loss(regions.detach()[mine],
                                           texts.detach()[mine], 5.0)
    return dict(
        losses={k: v.item() for k, v in losses.items()},
        grads=[x.grad for x in feats],
        region_loss=region_loss['loss_region'].item(),
        num_regions=mine.stop - mine.start)


def test_two_ranks_match_one_process_with_the_whole_batch(tmp_path):
    ranks = run_gloo_ranks(rank_results, WORLD_SIZE, tmp_path)

    image, long, short = unit(6, seed=0), unit(6, seed=1), unit(6, seed=2)
    losses = GlobalContrastiveHead().loss(image, long, short, 10.0)
    sum(losses.values()).backward()
    for key, value in losses.items():
        mean = sum(r['losses'][key] for r in ranks) / WORLD_SIZE
        assert mean == pytest.approx(value.item())
    # Each rank's local features get world_size x the single-process
    # gradient; DDP's averaging over ranks brings parameters back to 1x.
    for rank, result in enumerate(ranks):
        local = slice(3 * rank, 3 * rank + 3)
        for got, full in zip(result['grads'], (image, long, short)):
            torch.testing.assert_close(got / WORLD_SIZE, full.grad[local])

    regions, texts = unit(4, seed=3), unit(4, seed=4)
    single = RegionalContrastiveHead(loss_weight=1.0).loss(regions, texts, 5.0)
    total = sum(r['region_loss'] * r['num_regions'] for r in ranks) / 4
    assert total == pytest.approx(single['loss_region'].item())
    assert ranks[1]['region_loss'] == 0


# ------------------------------------------------------ logit-scale settings
def test_each_head_names_its_log_scale_and_cap():
    assert SigLIPGlobalHead().logit_scale_name == 'logit_scale'
    assert RegionalContrastiveHead().logit_scale_name == 'logit_scale_region'
    for head in (HardNegativeHead(), FGCLIP2HardNegativeHead()):
        assert head.logit_scale_name == 'logit_scale_hardneg'
    capped = RegionalContrastiveHead(max_logit_scale=100.0)
    assert capped.scale(torch.tensor(math.log(200))).item() == 100.0
    assert RegionalContrastiveHead().scale(
        torch.tensor(math.log(200))).item() == pytest.approx(200)
    with pytest.raises(ValueError, match='logit_scale_regoin'):
        RegionalContrastiveHead(logit_scale_name='logit_scale_regoin')
    with pytest.raises(ValueError, match='0'):
        HardNegativeHead(max_logit_scale=0)


def test_hard_negative_logits_put_the_positive_first_and_mask_padding():
    regions = F.normalize(torch.randn(2, 4), dim=-1)
    positives = F.normalize(torch.randn(2, 4), dim=-1)
    negatives = F.normalize(torch.randn(2, 3, 4), dim=-1)
    mask = torch.tensor([[True, True, False], [False, False, False]])
    logits = hard_negative_logits(regions, positives, negatives, 10.0, mask)
    assert logits.shape == (2, 4)
    torch.testing.assert_close(logits[:, 0], 10 * (regions * positives).sum(-1))
    torch.testing.assert_close(logits[0, 1:3],
                               10 * negatives[0, :2] @ regions[0])
    assert logits[0, 3] == -math.inf and logits[1, 1:].eq(-math.inf).all()
