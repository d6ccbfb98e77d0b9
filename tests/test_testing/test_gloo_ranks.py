import torch
import torch.distributed as dist

from fgclip_det.testing.gloo_ranks import run_gloo_ranks, unit_features


def sum_of_ranks(rank: int, offset: int) -> dict:
    """Each rank contributes ``rank + offset``; returns its own value and
    the all-reduced sum."""
    value = torch.tensor([float(rank + offset)])
    total = value.clone()
    dist.all_reduce(total)
    return dict(rank=rank, world_size=dist.get_world_size(), value=value,
                total=total)


def test_run_gloo_ranks_returns_each_rank_in_order(tmp_path):
    results = run_gloo_ranks(sum_of_ranks, 2, tmp_path, 10)
    assert [r['rank'] for r in results] == [0, 1]
    assert [r['world_size'] for r in results] == [2, 2]
    assert [r['value'].item() for r in results] == [10.0, 11.0]
    assert [r['total'].item() for r in results] == [21.0, 21.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ['rank0.pt', 'rank1.pt']


def test_unit_features_are_seeded_unit_vectors_with_gradients():
    feats = unit_features(3, 4, dim=8, seed=1)
    assert feats.shape == (3, 4, 8) and feats.dtype == torch.float64
    assert feats.requires_grad
    ones = torch.ones(3, 4, dtype=torch.float64)
    torch.testing.assert_close(feats.norm(dim=-1), ones)
    torch.testing.assert_close(feats, unit_features(3, 4, dim=8, seed=1))
    assert not torch.equal(feats, unit_features(3, 4, dim=8, seed=2))
