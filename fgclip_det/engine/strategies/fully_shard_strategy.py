"""FSDP2 (``torch.distributed.fsdp.fully_shard``) for MMEngine's FlexibleRunner.

MMEngine's ``FSDPStrategy`` wraps FSDP1 (``FullyShardedDataParallel``),
which refuses CPU-only processes. ``fully_shard`` shards each parameter as
a ``DTensor`` along its first dimension over a device mesh of all the
processes, gathers a unit's parameters for its forward and backward and
reduce-scatters its gradients; it runs on GPUs (NCCL) and on CPU processes
(gloo) alike. Checkpoints hold full (unsharded) state dicts in the layout
of a plain run, so they load in one process and the other way round.
"""
import time
from typing import Callable, Optional, Sequence, Set

import mmengine
import torch
import torch.distributed as torch_dist
from mmengine._strategy import DDPStrategy
from mmengine.device import get_device
from mmengine.dist import is_main_process
from mmengine.utils import get_git_hash
from torch import Tensor, nn
from torch.distributed.checkpoint.state_dict import (
    StateDictOptions,
    get_model_state_dict,
    get_optimizer_state_dict,
    set_model_state_dict,
    set_optimizer_state_dict,
)
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

from fgclip_det.registry import STRATEGIES
from fgclip_det.utils.state_dict_check import CheckpointMismatchError, diff_state_dict

from ..checkpoint_safe_runner import (
    DEFAULT_REVISE_KEYS,
    RevisedKeys,
    revised_state_dict,
)
from .optim_state_keys import indices_to_names, names_to_indices, parameter_names
from .shard_units import select_shard_units

#: ``MixedPrecisionPolicy`` fields that take a dtype name.
DTYPE_FIELDS = ('param_dtype', 'reduce_dtype', 'output_dtype')
POLICY_FIELDS = DTYPE_FIELDS + ('cast_forward_inputs',)
#: Full state dicts, gathered to the CPU of rank 0 (saving) or given in
#: full to every rank (loading).
FULL_ON_CPU = StateDictOptions(full_state_dict=True, cpu_offload=True)


def mixed_precision_policy(cfg: Optional[dict]) -> MixedPrecisionPolicy:
    """A ``MixedPrecisionPolicy`` from a config dict with dtype names, e.g.
    ``dict(param_dtype='bfloat16', reduce_dtype='float32')``; None: fp32.

    Raises:
        ValueError: An unknown field or dtype name.
    """
    cfg = dict(cfg or {})
    unknown = sorted(set(cfg) - set(POLICY_FIELDS))
    if unknown:
        raise ValueError(f'mixed_precision has unknown fields {unknown}; it '
                         f'takes {", ".join(POLICY_FIELDS)}')
    for key in DTYPE_FIELDS:
        name = cfg.get(key)
        if name is None:
            continue
        dtype = getattr(torch, str(name), None)
        if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
            raise ValueError(f'mixed_precision.{key} must name a float dtype '
                             f"('bfloat16', 'float16', 'float32'), got {name!r}")
        cfg[key] = dtype
    return MixedPrecisionPolicy(**cfg)


def replicate_scalars(model: nn.Module) -> Set[nn.Parameter]:
    """Keep the model's 0-d parameters (logit scales) whole on every rank.

    ``fully_shard`` cannot shard a scalar, so these are left out of the
    shards (``ignored_params``) and their gradients are averaged over the
    processes as soon as they are accumulated, as DDP (and FSDP2 for the
    sharded ones) averages the others, before any gradient clipping.

    Returns:
        set[nn.Parameter]: The scalar parameters.
    """
    scalars = {param for param in model.parameters() if param.ndim == 0}
    world_size = torch_dist.get_world_size()

    def average(param: Tensor) -> None:
        torch_dist.all_reduce(param.grad)
        param.grad.div_(world_size)

    for param in scalars:
        if param.requires_grad:
            param.register_post_accumulate_grad_hook(average)
    return scalars


@STRATEGIES.register_module()
class FullyShardStrategy(DDPStrategy):
    """Sharded data parallel training with FSDP2 on GPUs or CPU processes.

    The model is built, initialised (rank 0's weights broadcast), moved to
    the device, and ``fully_shard`` is applied to the units that
    :func:`~fgclip_det.engine.strategies.shard_units.select_shard_units`
    chooses and then to the root. The optimiser is built afterwards, on the
    sharded parameters, which keep the model's names, so the optimiser
    wrapper's ``paramwise_cfg`` applies as in an unsharded run.

    Checkpoints: ``state_dict`` and ``optimizer`` are gathered in full onto
    rank 0's CPU and written by rank 0 alone, in the layout of a plain run
    (parameter names, optimiser state numbered as
    ``torch.optim.Optimizer.state_dict()`` numbers it). A plain
    ``Runner`` loads or resumes from them; this strategy loads plain
    checkpoints (every rank reads the file and keeps its shard).

    Args:
        unit_types (Sequence[str]): Class names of the modules sharded as
            their own units (e.g. ``('ResidualAttentionBlock',)``: one
            all-gather a transformer block). Defaults to ().
        min_unit_params (int, optional): Also make a unit of every module
            holding at least this many parameters outside smaller units.
            Defaults to None.
        keep_in_parent (Sequence[str]): Names of modules that must stay in
            their parent's unit, because the model reads their weights
            outside their own forward; a negative index counts from the end
            of a module list. Defaults to ().
        mixed_precision (dict, optional): ``MixedPrecisionPolicy`` fields
            with dtype names (``param_dtype='bfloat16'`` computes in bf16,
            ``reduce_dtype='float32'`` reduces gradients in fp32; the
            sharded parameters and the optimiser stay fp32). Defaults to
            None (fp32).
        reshard_after_forward (bool): Free the gathered parameters of the
            non-root units after their forward (gathered again for the
            backward). Defaults to True.
        **kwargs: :class:`mmengine._strategy.DDPStrategy`'s (``work_dir``,
            ``env_kwargs``, ...), set by ``FlexibleRunner``.
    """

    def __init__(self,
                 *,
                 unit_types: Sequence[str] = (),
                 min_unit_params: Optional[int] = None,
                 keep_in_parent: Sequence[str] = (),
                 mixed_precision: Optional[dict] = None,
                 reshard_after_forward: bool = True,
                 **kwargs) -> None:
        self.mp_policy = mixed_precision_policy(mixed_precision)
        self.unit_types = tuple(unit_types)
        self.min_unit_params = min_unit_params
        self.keep_in_parent = tuple(keep_in_parent)
        self.reshard_after_forward = reshard_after_forward
        super().__init__(**kwargs)

    def _wrap_model(self, model: nn.Module) -> nn.Module:
        """Shard the units, then the root, over a mesh of all processes."""
        if not torch_dist.is_initialized():
            raise RuntimeError(
                'FullyShardStrategy needs a distributed launch: start the run '
                'with tools/dist_train.sh CONFIG N (N >= 1) or --launcher '
                'pytorch / slurm')
        device = get_device()
        model = self.convert_model(model.to(device))
        mesh = init_device_mesh(device, (torch_dist.get_world_size(),))
        units = select_shard_units(
            model, unit_types=self.unit_types,
            min_unit_params=self.min_unit_params,
            keep_in_parent=self.keep_in_parent)
        scalars = replicate_scalars(model)
        for name in units:
            fully_shard(model.get_submodule(name), mesh=mesh,
                        mp_policy=self.mp_policy,
                        reshard_after_forward=self.reshard_after_forward,
                        ignored_params=scalars)
        fully_shard(model, mesh=mesh, mp_policy=self.mp_policy,
                    ignored_params=scalars)
        self.logger.info(
            f'FSDP2 over {mesh.size()} {device} processes: {len(units)} '
            f'units and the root ({type(model).__name__}), {len(scalars)} '
            f'scalar parameters replicated, mixed precision {self.mp_policy}')
        return model

    def model_state_dict(self) -> dict:
        """The full model state dict on rank 0's CPU (empty on the others);
        collective: every rank calls it."""
        return get_model_state_dict(self.model, options=FULL_ON_CPU)

    def optim_state_dict(self) -> dict:
        """The full optimiser state dict on rank 0's CPU as a plain run's
        ``OptimWrapper.state_dict()`` (numbered, with
        ``base_param_settings``; empty on the others); collective."""
        state = get_optimizer_state_dict(
            self.model, self.optim_wrapper.optimizer, options=FULL_ON_CPU)
        if not is_main_process():
            return {}
        state = names_to_indices(state)
        settings = getattr(self.optim_wrapper, 'base_param_settings', None)
        if settings is not None:
            state['base_param_settings'] = settings
        return state

    def load_model_state_dict(self,
                              state_dict: dict,
                              *,
                              strict: bool = False,
                              revise_keys: RevisedKeys = DEFAULT_REVISE_KEYS) -> None:
        """Shard a full model state dict into the model, strictly.

        ``strict`` is accepted for MMEngine's signature; a checkpoint with
        missing, unexpected or mis-shaped keys is always an error here.

        Raises:
            CheckpointMismatchError: The state dict does not fit the model.
        """
        state_dict = revised_state_dict(dict(state_dict=state_dict), revise_keys)
        diff = diff_state_dict(self.model.state_dict(), state_dict)
        if diff.problems():
            raise CheckpointMismatchError(
                f'the checkpoint does not fit {type(self.model).__name__}: '
                f'{diff.describe()}')
        set_model_state_dict(self.model, state_dict,
                             options=StateDictOptions(full_state_dict=True))

    def load_optim_state_dict(self, state_dict: dict) -> None:
        """Shard a plain run's (numbered) optimiser state dict."""
        state_dict = dict(state_dict)
        settings = state_dict.pop('base_param_settings', None)
        if settings is not None:
            self.optim_wrapper.base_param_settings = settings
        optimizer = self.optim_wrapper.optimizer
        if len(state_dict['param_groups']) != len(optimizer.param_groups):
            raise ValueError(
                f"the checkpoint's optimizer has {len(state_dict['param_groups'])} "
                f'parameter groups, this one {len(optimizer.param_groups)}: was '
                'it saved with another model or paramwise_cfg?')
        named = indices_to_names(state_dict, parameter_names(self.model, optimizer))
        set_optimizer_state_dict(self.model, optimizer, named,
                                 options=StateDictOptions(full_state_dict=True))
        # hyper-parameters exactly as saved, as Optimizer.load_state_dict
        # takes them (torch.distributed.checkpoint turns tuples into lists)
        for group, saved in zip(optimizer.param_groups, state_dict['param_groups']):
            group.update((k, v) for k, v in saved.items() if k != 'params')

    def save_checkpoint(self,
                        filename: str,
                        *,
                        save_optimizer: bool = True,
                        save_param_scheduler: bool = True,
                        extra_ckpt: Optional[dict] = None,
                        callback: Optional[Callable] = None) -> None:
        """Gather the full state on every rank; rank 0 writes ``filename``.

        The content is that of ``SingleDeviceStrategy.save_checkpoint``;
        hooks' ``before_save_checkpoint`` (``callback``) run on every rank,
        as with the plain ``Runner``.
        """
        from mmengine.runner.checkpoint import save_checkpoint

        checkpoint = dict(extra_ckpt or {})
        checkpoint['state_dict'] = self.model_state_dict()
        if save_optimizer and hasattr(self, 'optim_wrapper'):
            checkpoint['optimizer'] = self.optim_state_dict()
        if save_param_scheduler and hasattr(self, 'param_schedulers'):
            checkpoint['param_schedulers'] = self.scheduler_state_dict()
        checkpoint.setdefault('meta', {}).update(
            seed=self.seed, time=time.strftime('%Y%m%d_%H%M%S', time.localtime()),
            mmengine=mmengine.__version__ + get_git_hash())
        if callback is not None:
            callback(checkpoint)
        if is_main_process():
            save_checkpoint(checkpoint, filename)
