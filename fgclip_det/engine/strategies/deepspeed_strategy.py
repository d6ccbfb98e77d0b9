"""MMEngine's ``DeepSpeedStrategy`` with checkpoints of plain types.

MMEngine 0.10's strategy takes the runner's checkpoint hooks (``callback``)
but never calls them, and hands DeepSpeed its config with ``ConfigDict``
values, which DeepSpeed stores in every checkpoint. The files then hold
``HistoryBuffer`` and ``ConfigDict`` objects, which
``torch.load(weights_only=True)`` rejects. This strategy turns the config
into plain dicts and runs the hooks (``PlainCheckpointHook`` among them)
before a save and after a load, as the plain runner does. It also gives
DeepSpeed its micro batch, which FlexibleRunner sets only for a strategy
type spelt ``'DeepSpeedStrategy'``.
"""
import glob
import os.path as osp
from typing import Callable, Optional

import torch
from mmengine._strategy import DeepSpeedStrategy as MMEngineDeepSpeedStrategy
from mmengine.config import ConfigDict

from fgclip_det.registry import STRATEGIES


def plain_config(value):
    """``value`` with every ``ConfigDict`` a ``dict`` and every tuple a list
    (DeepSpeed's JSON config types)."""
    if isinstance(value, ConfigDict):
        value = value.to_dict()
    if isinstance(value, dict):
        return {key: plain_config(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_config(item) for item in value]
    return value


#: The only classes a DeepSpeed ZeRO checkpoint file may name besides what
#: ``torch.load(weights_only=True)`` reads: the loss scaler, the ZeRO stage
#: enum and the fragment addresses of the optimiser shards.
DEEPSPEED_CHECKPOINT_GLOBALS = frozenset({
    'deepspeed.runtime.fp16.loss_scaler.LossScaler',
    'deepspeed.runtime.zero.config.ZeroStageEnum',
    'deepspeed.utils.tensor_fragment.fragment_address',
})


def check_checkpoint_folder(folder: str) -> None:
    """Refuse a DeepSpeed checkpoint folder whose files name any class
    outside :data:`DEEPSPEED_CHECKPOINT_GLOBALS`.

    DeepSpeed unpickles its files with ``weights_only=False``. Reading each
    pickle's globals first (``torch.serialization.get_unsafe_globals_in_checkpoint``,
    nothing is run) means no file that could run other code reaches it.

    Raises:
        FileNotFoundError: ``folder`` holds no ``.pt`` file.
        ValueError: A file names another class (file and names given).
    """
    files = sorted(glob.glob(osp.join(folder, '*.pt')))
    if not files:
        raise FileNotFoundError(f'{folder} holds no DeepSpeed checkpoint file (*.pt)')
    for path in files:
        names = set(torch.serialization.get_unsafe_globals_in_checkpoint(path))
        unexpected = sorted(names - DEEPSPEED_CHECKPOINT_GLOBALS)
        if unexpected:
            raise ValueError(
                f'{path} names {unexpected}, which a DeepSpeed checkpoint does '
                f'not hold (allowed: {sorted(DEEPSPEED_CHECKPOINT_GLOBALS)}); it '
                'is not loaded, because DeepSpeed unpickles it in full')


@STRATEGIES.register_module()
class DeepSpeedStrategy(MMEngineDeepSpeedStrategy):
    """DeepSpeed through FlexibleRunner, checkpoint hooks included.

    Arguments are those of MMEngine's ``DeepSpeedStrategy``. A checkpoint
    is DeepSpeed's folder ``epoch_N.pth/`` (``mp_rank_00_model_states.pt``
    with the whole model under ``module`` for ZeRO stages 1 and 2, one
    ``zero_pp_rank_R_mp_rank_00_optim_states.pt`` of optimiser state a
    process). The model file loads with ``torch.load(weights_only=True)``;
    the optimiser shards hold DeepSpeed's own objects, which only
    DeepSpeed's loader reads, after :func:`check_checkpoint_folder` has
    found no other class named in them. Resuming takes the same process
    count.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.config = plain_config(self.config)

    def prepare(self, model, *, dispatch_kwargs: Optional[dict] = None,
                **kwargs):
        """MMEngine's ``prepare``; DeepSpeed's micro batch is the training
        loader's batch, as FlexibleRunner sets it only for a strategy type
        spelt ``'DeepSpeedStrategy'``."""
        if not self._prepared and dispatch_kwargs:
            self.config.setdefault(
                'train_micro_batch_size_per_gpu',
                dispatch_kwargs['train_micro_batch_size_per_gpu'])
        return super().prepare(model, dispatch_kwargs=dispatch_kwargs, **kwargs)

    def save_checkpoint(self,
                        filename: str,
                        *,
                        save_optimizer: bool = True,
                        save_param_scheduler: bool = True,
                        extra_ckpt: Optional[dict] = None,
                        callback: Optional[Callable] = None) -> None:
        """Run ``callback`` (``before_save_checkpoint`` hooks) on
        ``extra_ckpt``, then save as MMEngine's strategy does."""
        extra_ckpt = dict(extra_ckpt or {})
        if callback is not None:
            callback(extra_ckpt)
        super().save_checkpoint(filename, save_optimizer=save_optimizer,
                                save_param_scheduler=save_param_scheduler,
                                extra_ckpt=extra_ckpt)

    def load_checkpoint(self, filename: str, *,
                        callback: Optional[Callable] = None,
                        **kwargs) -> dict:
        """Load the weights of ``filename`` (a checkpoint folder), then run
        ``callback`` (``after_load_checkpoint`` hooks) on the rest. The
        folder's files are checked first (:func:`check_checkpoint_folder`)."""
        check_checkpoint_folder(filename)
        checkpoint = super().load_checkpoint(filename, **kwargs)
        if callback is not None:
            callback(checkpoint)
        return checkpoint

    def resume(self, filename: str, *, callback: Optional[Callable] = None,
               **kwargs) -> dict:
        """Resume from ``filename`` (a checkpoint folder), then run
        ``callback`` (``after_load_checkpoint`` hooks) on what the runner
        reads next (``meta``, ``message_hub``). The folder's files are
        checked first (:func:`check_checkpoint_folder`)."""
        check_checkpoint_folder(filename)
        checkpoint = super().resume(filename, **kwargs)
        if callback is not None:
            callback(checkpoint)
        return checkpoint
