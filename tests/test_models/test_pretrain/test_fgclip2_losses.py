"""FG-CLIP 2's stage-2 losses against hand-written references."""
import pytest
import torch
import torch.nn.functional as F

from fgclip_det.models.pretrain import RegionalContrastiveHead
from fgclip_det.models.pretrain.fgclip2 import (
    FGCLIP2HardNegativeHead,
    SigLIPGlobalHead,
    TextualIntraContrastiveLoss,
    sigmoid_contrastive_loss,
)
from fgclip_det.models.pretrain.fgclip2 import (
    textual_intra_contrastive_loss as tic_module,
)
from fgclip_det.testing.gloo_ranks import run_gloo_ranks, unit_features

DIM = 8
WORLD_SIZE = 2


def unit(*shape, seed=0):
    return unit_features(*shape, dim=DIM, seed=seed)


def hard_batch(num, seed, noise=0.5):
    """Regions, and their GT caption (a noisy copy) followed by 10 negatives."""
    gen = torch.Generator().manual_seed(seed)
    regions = F.normalize(torch.randn(num, DIM, generator=gen), dim=-1)
    gts = F.normalize(regions + noise * torch.randn(num, DIM, generator=gen),
                      dim=-1)
    negs = F.normalize(torch.randn(num, 10, DIM, generator=gen), dim=-1)
    texts = torch.cat([gts[:, None], negs], dim=1)
    return (regions.double().requires_grad_(),
            texts.double().requires_grad_())


# References: explicit loops over scalars (torch scalars, so that autograd
# gives reference gradients too).

def dot(u, v):
    return sum(x * y for x, y in zip(u, v))


def log_sum_exp(values):
    return torch.log(sum(torch.exp(v) for v in values))


def cross_entropy(logits, target):
    return -logits[target] + log_sum_exp(logits)


def reference_sigmoid(images, texts, scale, bias):
    n = len(images)
    total = 0
    for i in range(n):
        for j in range(n):
            y = 1 if i == j else -1
            z = scale * dot(images[i], texts[j]) + bias
            total = total - torch.log(1 / (1 + torch.exp(-y * z)))
    return total / n


def reference_tic(texts, k):
    zero = torch.zeros((), dtype=texts.dtype)
    per_row = []
    for i in range(len(texts)):
        row = []
        for j in range(len(texts)):
            s = dot(texts[i], texts[j])
            row.append(zero if i == j or s > 0.95 else s)
        top = sorted(row, key=lambda v: float(v.detach()), reverse=True)[:k]
        per_row.append(log_sum_exp(top))
    return sum(per_row) / len(per_row)


def reference_region_itc(regions, texts, scale):
    n = len(regions)
    total = 0
    for i in range(n):
        total = total + cross_entropy(
            [scale * dot(texts[i], r) for r in regions], i)
        total = total + cross_entropy(
            [scale * dot(regions[i], t) for t in texts], i)
    return total / (2 * n)


def reference_hard(regions, texts, scale, threshold):
    """FG-CLIP 2's default-weighted hard-negative total (T:587-628)."""
    n = len(regions)
    gts = [texts[i][0] for i in range(n)]
    pool = gts + [texts[i][k] for i in range(n) for k in range(1, 11)]
    contrastive = 0
    pair = 0
    cmr = 0
    for i in range(n):
        contrastive = contrastive + cross_entropy(
            [scale * dot(regions[i], t) for t in pool], i)
        contrastive = contrastive + cross_entropy(
            [scale * dot(gts[i], r) for r in regions], i)
        logits = [scale * dot(regions[i], t) for t in texts[i]]
        pair = pair + cross_entropy(logits, 0)
        for neg in logits[1:]:
            cmr = cmr + torch.clamp(threshold + neg - logits[0], min=0)
    return 0.5 * (0.6 * contrastive / (2 * n) + 3 * pair / n +
                  0.4 * cmr / (10 * n))


def reference_raw_threshold(regions, texts, scale):
    """mean(s_pos) - mean(nonzero s_neg) before clamping (T:625-627)."""
    regions, texts = regions.detach(), texts.detach()
    pos = [scale * float(dot(r, t[0])) for r, t in zip(regions, texts)]
    neg = [scale * float(dot(r, h)) for r, t in zip(regions, texts)
           for h in t[1:]]
    neg = [x for x in neg if x != 0]
    return sum(pos) / len(pos) - sum(neg) / len(neg)


def opposite_gt(batch):
    """The same batch with every GT caption negated: s_pos < 0."""
    regions, texts = batch
    texts = texts.detach().clone()
    texts[:, 0] *= -1
    return regions, texts.requires_grad_()


def clamp(x, high=10.0):
    return min(max(x, 0.0), high)


def grads(loss, *inputs):
    return torch.autograd.grad(loss, inputs)


def test_sigmoid_loss_matches_reference_forward_and_gradient():
    images, texts = unit(5, seed=0), unit(5, seed=1)
    scale = torch.tensor(10.0, dtype=torch.double, requires_grad=True)
    bias = torch.tensor(-3.0, dtype=torch.double, requires_grad=True)
    loss = sigmoid_contrastive_loss(images, texts, scale, bias)
    expected = reference_sigmoid(images, texts, scale, bias)
    assert loss.item() == pytest.approx(expected.item())
    for got, want in zip(grads(loss, images, texts, scale, bias),
                         grads(expected, images, texts, scale, bias)):
        torch.testing.assert_close(got, want)


def test_siglip_global_head_weights_both_captions():
    images, long, short = unit(4, seed=0), unit(4, seed=1), unit(4, seed=2)
    head = SigLIPGlobalHead(loss_weight_long=1.0, loss_weight_short=0.5)
    losses = head.loss(images, long, short, 10.0, -2.0)
    assert set(losses) == {'loss_global_long', 'loss_global_short'}
    assert losses['loss_global_long'].item() == pytest.approx(
        reference_sigmoid(images, long, 10.0, -2.0).item())
    assert losses['loss_global_short'].item() == pytest.approx(
        0.5 * reference_sigmoid(images, short, 10.0, -2.0).item())


def test_sigmoid_loss_without_images_is_zero_and_differentiable():
    images, texts = unit(0, seed=0), unit(0, seed=1)
    loss = sigmoid_contrastive_loss(images, texts, 10.0, -2.0)
    loss.backward()
    assert loss.item() == 0


def test_region_itc_is_the_regional_head_with_weight_0_2():
    regions, texts = unit(6, seed=3), unit(6, seed=4)
    scale = torch.tensor(100.0, dtype=torch.double)
    loss = RegionalContrastiveHead(loss_weight=0.2).loss(regions, texts,
                                                         scale)['loss_region']
    expected = 0.2 * reference_region_itc(regions, texts, scale)
    assert loss.item() == pytest.approx(expected.item())
    for got, want in zip(grads(loss, regions, texts),
                         grads(expected, regions, texts)):
        torch.testing.assert_close(got, want)


def near_duplicate_texts(num, seed):
    texts = unit(num, seed=seed).detach()
    texts[1] = F.normalize(texts[0] + 0.05 * texts[1], dim=0)
    assert float(texts[0] @ texts[1]) > 0.95
    return texts.requires_grad_()


def test_tic_matches_reference_forward_and_gradient():
    texts = near_duplicate_texts(12, seed=5)
    loss_fn = TextualIntraContrastiveLoss(loss_weight=0.1)
    loss = loss_fn(texts)
    expected = 0.1 * reference_tic(texts, k=10)
    assert loss.item() == pytest.approx(expected.item())
    torch.testing.assert_close(
        grads(loss, texts)[0], grads(expected, texts)[0])
    assert loss_fn.num_truncated == 0


def test_tic_with_fewer_captions_than_k_uses_all_and_counts(monkeypatch):
    warnings = []
    monkeypatch.setattr(tic_module, 'print_log',
                        lambda msg, **kwargs: warnings.append(msg))
    texts = near_duplicate_texts(4, seed=6)
    loss_fn = TextualIntraContrastiveLoss(loss_weight=1.0, topk=10)
    loss = loss_fn(texts)
    assert loss.item() == pytest.approx(reference_tic(texts, k=4).item())
    loss_fn(texts)
    assert loss_fn.num_truncated == 2
    assert len(warnings) == 1 and 'fewer than topk=10' in warnings[0]


def test_tic_without_captions_is_zero_and_differentiable():
    texts = unit(0, seed=0)
    loss = TextualIntraContrastiveLoss()(texts)
    loss.backward()
    assert loss.item() == 0


def test_hard_negative_head_matches_reference_forward_and_gradient():
    regions, texts = hard_batch(3, seed=7)
    head = FGCLIP2HardNegativeHead()
    head.cmr_threshold.fill_(2.5)  # a value that activates some CMR terms
    scale = torch.tensor(5.0, dtype=torch.double, requires_grad=True)
    loss = head.loss(regions, texts, scale)['loss_hard_negative']
    expected = reference_hard(regions, texts, scale, 2.5)
    assert loss.item() == pytest.approx(expected.item())
    for got, want in zip(grads(loss, regions, texts, scale),
                         grads(expected, regions, texts, scale)):
        torch.testing.assert_close(got, want)


def test_hard_negative_coefficients_are_config():
    regions, texts = hard_batch(3, seed=7)
    parts = {}
    for name in ('contrastive_weight', 'pair_weight', 'cmr_weight'):
        only = dict(contrastive_weight=0.0, pair_weight=0.0, cmr_weight=0.0)
        only[name] = 1.0
        head = FGCLIP2HardNegativeHead(loss_weight=1.0, **only)
        parts[name] = head.loss(regions, texts, 5.0)['loss_hard_negative']
    total = FGCLIP2HardNegativeHead().loss(regions, texts,
                                           5.0)['loss_hard_negative']
    assert total.item() == pytest.approx(
        0.5 * (0.6 * parts['contrastive_weight'] + 3 * parts['pair_weight'] +
               0.4 * parts['cmr_weight']).item())


def test_cmr_threshold_is_used_by_the_next_step_and_clamped():
    head = FGCLIP2HardNegativeHead()
    assert 'cmr_threshold' in head.state_dict()
    assert head.cmr_threshold.item() == 0.0
    steps = [(hard_batch(4, seed=8), 5.0),  # raw threshold in (0, 10)
             (hard_batch(4, seed=9), 20.0),  # raw > 10: clamped to 10
             (opposite_gt(hard_batch(4, seed=10)), 5.0)]  # raw < 0: 0
    raws = [reference_raw_threshold(*batch, scale)
            for batch, scale in steps]
    assert 0 < raws[0] < 10 and raws[1] > 10 and raws[2] < 0

    stored = 0.0
    for (regions, texts), scale in steps:
        loss = head.loss(regions, texts, scale)['loss_hard_negative']
        assert loss.item() == pytest.approx(
            reference_hard(regions, texts, scale, stored).item())
        loss.backward()
        stored = clamp(reference_raw_threshold(regions, texts, scale))
        assert head.cmr_threshold.item() == pytest.approx(stored)
    assert head.cmr_threshold.item() == 0.0

    resumed = FGCLIP2HardNegativeHead()
    head.cmr_threshold.fill_(3.0)
    resumed.load_state_dict(head.state_dict())
    assert resumed.cmr_threshold.item() == 3.0


def test_cmr_threshold_is_kept_in_eval_and_without_boxes():
    head = FGCLIP2HardNegativeHead()
    head.cmr_threshold.fill_(1.5)
    regions, texts = hard_batch(4, seed=8)
    head.eval()
    head.loss(regions, texts, 5.0)
    assert head.cmr_threshold.item() == 1.5

    head.train()
    regions, texts = hard_batch(0, seed=8)
    loss = head.loss(regions, texts, 5.0)['loss_hard_negative']
    loss.backward()
    assert loss.item() == 0
    assert head.cmr_threshold.item() == 1.5


# Two gloo processes.

def rank_results(rank):
    images, long, short = unit(6, seed=0), unit(6, seed=1), unit(6, seed=2)
    local = slice(3 * rank, 3 * rank + 3)
    feats = [x.detach()[local].clone().requires_grad_()
             for x in (images, long, short)]
    scale = torch.tensor(10.0, dtype=torch.double, requires_grad=True)
    bias = torch.tensor(-2.0, dtype=torch.double, requires_grad=True)
    losses = SigLIPGlobalHead().loss(*feats, scale, bias)
    sum(losses.values()).backward()

    # Step 1: 3 boxes on rank 0, 2 on rank 1; step 2: none on rank 1.
    head = FGCLIP2HardNegativeHead()
    thresholds = []
    for step, sizes in enumerate(((3, 2), (4, 0))):
        regions, texts = hard_batch(sizes[rank], seed=20 + 10 * step + rank)
        head.loss(regions, texts, 5.0)['loss_hard_negative'].backward()
        thresholds.append(head.cmr_threshold.item())
    return dict(
        losses={k: v.item() for k, v in losses.items()},
        grads=[x.grad for x in feats],
        scale_grad=scale.grad,
        bias_grad=bias.grad,
        thresholds=thresholds)


def test_two_ranks_siglip_and_synchronised_threshold(tmp_path):
    ranks = run_gloo_ranks(rank_results, WORLD_SIZE, tmp_path)

    # Each rank divides by its own 3 images, one process by all 6: the
    # ranks' losses sum to WORLD_SIZE x the single-process loss.
    images, long, short = unit(6, seed=0), unit(6, seed=1), unit(6, seed=2)
    scale = torch.tensor(10.0, dtype=torch.double, requires_grad=True)
    bias = torch.tensor(-2.0, dtype=torch.double, requires_grad=True)
    losses = SigLIPGlobalHead().loss(images, long, short, scale, bias)
    sum(losses.values()).backward()
    for key, value in losses.items():
        total = sum(r['losses'][key] for r in ranks)
        assert total == pytest.approx(WORLD_SIZE * value.item())
    # Feature gradients are WORLD_SIZE x those of one process, and so are the
    # summed scale / bias gradients: DDP's averaging gives exactly 1x.
    for rank, result in enumerate(ranks):
        local = slice(3 * rank, 3 * rank + 3)
        for got, full in zip(result['grads'], (images, long, short)):
            torch.testing.assert_close(got / WORLD_SIZE, full.grad[local])
    for name, param in (('scale_grad', scale), ('bias_grad', bias)):
        mean = sum(r[name] for r in ranks) / WORLD_SIZE
        torch.testing.assert_close(mean, param.grad)

    # The threshold is the clamped mean of the per-rank values (not that of
    # the concatenated boxes); a rank without boxes contributes its stored
    # value. It is bit-identical on both ranks.
    raw = [reference_raw_threshold(*hard_batch(n, seed=20 + r), 5.0)
           for r, n in enumerate((3, 2))]
    first = clamp(sum(raw) / WORLD_SIZE)
    second = clamp(
        (reference_raw_threshold(*hard_batch(4, seed=30), 5.0) + first) /
        WORLD_SIZE)
    assert ranks[0]['thresholds'] == ranks[1]['thresholds']
    assert ranks[0]['thresholds'] == pytest.approx([first, second])
    assert 0 < first < 10 and 0 < second < 10
