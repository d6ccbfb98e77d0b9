"""A toy model and data set for tests of the runner, loops and hooks."""
from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel
from torch import Tensor, nn
from torch.utils.data import Dataset


class ToyDataset(Dataset):
    """``length`` samples ``dict(inputs=(2,) tensor, index=i)``."""

    def __init__(self, length: int = 12) -> None:
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict:
        return dict(inputs=torch.tensor([float(index), 1.0]), index=index)


class ToyModel(BaseModel):
    """A linear layer that records the sample indices it trained on."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 1)
        self.seen: List[int] = []

    def forward(self, inputs: List[Tensor], index: Optional[List[int]] = None,
                mode: str = 'tensor') -> Dict[str, Tensor]:
        outputs = self.linear(torch.stack(inputs))
        if mode == 'loss':
            self.seen.extend(int(i) for i in index)
            return dict(loss=outputs.pow(2).mean())
        return outputs


def toy_runner_cfg(work_dir: str, max_epochs: int = 2, batch_size: int = 2,
                   length: int = 12, **overrides) -> dict:
    """Keyword arguments of a ``CheckpointSafeRunner`` training the toy
    model with an ``AtomicCheckpointHook``; ``overrides`` replace entries."""
    cfg = dict(
        model=ToyModel(),
        work_dir=work_dir,
        train_dataloader=dict(
            dataset=ToyDataset(length),
            sampler=dict(type='DefaultSampler', shuffle=True, seed=0),
            batch_size=batch_size,
            num_workers=0,
            collate_fn=dict(type='pseudo_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(type='ResumableEpochBasedTrainLoop',
                       max_epochs=max_epochs),
        default_hooks=dict(
            checkpoint=dict(type='AtomicCheckpointHook', interval=1,
                            max_keep_ckpts=1),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[dict(type='PlainCheckpointHook')],
        default_scope='fgclip_det',
        randomness=dict(seed=0),
        env_cfg=dict(dist_cfg=dict(backend='gloo')))
    cfg.update(overrides)
    return cfg
