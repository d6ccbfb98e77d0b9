"""Distributed launches on any machine: backend and devices from the hardware.

MMEngine's launchers assume CUDA: ``init_dist`` calls
``torch.cuda.set_device`` before it creates the process group, the runner
wraps the model in DDP with ``device_ids=[LOCAL_RANK]`` and SyncBN layers
need CUDA tensors. :func:`prepare_distributed` makes a ``--launcher
pytorch`` or ``slurm`` run work on CPU-only machines too (gloo, CPU DDP or
the FSDP2 ``FullyShardStrategy`` or DeepSpeed strategy of a FlexibleRunner
config, plain BN) and picks NCCL where CUDA devices exist; an explicit
``env_cfg.dist_cfg.backend`` wins.
"""
import importlib.metadata
import importlib.util
import os
import subprocess
from typing import Any, Optional

import torch
import torch.distributed as torch_dist
from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log

#: Launchers whose CPU process groups this module can create.
CPU_LAUNCHERS = ('pytorch', 'slurm')
#: What srun sets and a Slurm launch reads.
SLURM_VARIABLES = ('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_LOCALID',
                   'SLURM_NODELIST')
#: FlexibleRunner strategies that cannot run on CPU-only processes, and why.
#: ``FullyShardStrategy`` (FSDP2), the DeepSpeed strategies and the default
#: DDP runner run on CPUs.
GPU_ONLY_STRATEGIES = {
    'FSDPStrategy': "torch's FSDP1 (FullyShardedDataParallel, which MMEngine's "
                    'FSDPStrategy wraps) refuses CPU-only processes; '
                    "FSDP2, type='fgclip_det.FullyShardStrategy', runs on CPUs",
}
#: The DeepSpeed release the DeepSpeed strategies are tested with (the newest
#: that MMEngine 0.10.7's DeepSpeedStrategy imports; tools/install.sh --tests).
DEEPSPEED_VERSION = '0.19.6'


def default_backend() -> str:
    """``'nccl'`` where CUDA devices exist, else ``'gloo'``."""
    return 'nccl' if torch.cuda.is_available() else 'gloo'


def prepare_distributed(cfg: Config, launcher: str) -> Config:
    """Choose the backend and, on CPUs, start the process group.

    Args:
        cfg (Config): The full config; modified in place.
        launcher (str): ``--launcher`` of the tool (``'none'`` leaves ``cfg``
            as it is).

    Returns:
        Config: ``cfg``.

    Raises:
        ValueError: NCCL or a strategy of :data:`GPU_ONLY_STRATEGIES` asked
            for without CUDA devices, a CPU run with a launcher other than
            ``pytorch`` / ``slurm``, or a DeepSpeed strategy that the
            installed DeepSpeed cannot run (:func:`check_deepspeed`).
    """
    if launcher == 'none':
        return cfg
    env_cfg = cfg.setdefault('env_cfg', ConfigDict())
    dist_cfg = env_cfg.setdefault('dist_cfg', ConfigDict())
    backend = dist_cfg.get('backend') or default_backend()
    dist_cfg['backend'] = backend
    strategy = strategy_name(cfg)
    if strategy == 'DeepSpeedStrategy':
        check_deepspeed()
    if torch.cuda.is_available():
        return cfg
    if strategy in GPU_ONLY_STRATEGIES:
        raise ValueError(f'strategy {strategy} cannot run on this CPU-only '
                         f'machine: {GPU_ONLY_STRATEGIES[strategy]}')
    if backend == 'nccl':
        raise ValueError("env_cfg.dist_cfg.backend='nccl' needs CUDA devices and "
                         "this machine has none: use 'gloo', or leave the "
                         'backend unset to choose it from the hardware')
    if launcher not in CPU_LAUNCHERS:
        raise ValueError(f'a CPU-only distributed run supports --launcher '
                         f'{" or ".join(CPU_LAUNCHERS)}, got {launcher!r}')
    if not torch_dist.is_initialized():
        _set_rank_environment(launcher)
        options = {k: v for k, v in dist_cfg.items() if k != 'backend'}
        torch_dist.init_process_group(backend=backend, **options)
    num_sync_bn = replace_sync_bn(cfg.get('model'))
    if strategy is None:
        wrapper = cfg.get('model_wrapper_cfg') or ConfigDict(
            type='MMDistributedDataParallel')
        wrapper.setdefault('device_ids', None)  # CPU modules take no device ids
        wrapper.setdefault('broadcast_buffers', False)
        wrapper.setdefault('find_unused_parameters',
                           cfg.get('find_unused_parameters', False))
        cfg.model_wrapper_cfg = wrapper
    print_log(
        f'CPU distributed run: {torch_dist.get_world_size()} processes, '
        f'{backend} backend, {strategy or "CPU DistributedDataParallel"}'
        + (f', {num_sync_bn} SyncBN layer configs as BN (SyncBN needs CUDA)'
           if num_sync_bn else ''),
        logger='current')
    return cfg


def check_deepspeed() -> None:
    """Raise ``ValueError`` where MMEngine 0.10's ``DeepSpeedStrategy``
    cannot start with the installed DeepSpeed (or there is none).

    MMEngine imports ``deepspeed.runtime.fp16.onebit``, which DeepSpeed
    0.19.7 removed; DeepSpeed 0.19.8 also fails to broadcast 0-d parameters
    (FG-CLIP's logit scales) when it starts.
    """
    install = (f'install deepspeed=={DEEPSPEED_VERSION} (bash tools/install.sh '
               '--tests builds it)')
    if importlib.util.find_spec('deepspeed') is None:
        raise ValueError(f'strategy DeepSpeedStrategy needs deepspeed, which is '
                         f'not installed: {install}')
    if importlib.util.find_spec('deepspeed.runtime.fp16.onebit') is None:
        raise ValueError(
            f"deepspeed {importlib.metadata.version('deepspeed')} cannot run "
            "MMEngine's DeepSpeedStrategy: it imports "
            'deepspeed.runtime.fp16.onebit (OnebitAdam, OnebitLamb, '
            f'ZeroOneAdam), which DeepSpeed 0.19.7 removed; {install}')


def strategy_name(cfg: Config) -> Optional[str]:
    """The class name of the config's FlexibleRunner ``strategy`` (without a
    ``scope.`` prefix), or None."""
    strategy = (cfg.get('strategy') or {}).get('type')
    if strategy is None:
        return None
    name = strategy if isinstance(strategy, str) else strategy.__name__
    return name.rsplit('.', 1)[-1]


def replace_sync_bn(node: Any) -> int:
    """Turn every ``type='SyncBN'`` of a (model) config into ``'BN'``.

    Returns:
        int: How many were replaced.
    """
    count = 0
    if isinstance(node, dict):
        if node.get('type') == 'SyncBN':
            node['type'] = 'BN'
            count += 1
        for value in node.values():
            count += replace_sync_bn(value)
    elif isinstance(node, (list, tuple)):
        count += sum(replace_sync_bn(item) for item in node)
    return count


def _set_rank_environment(launcher: str) -> None:
    """``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_*`` for ``env://``.

    ``torchrun`` sets them; under Slurm they come from ``SLURM_PROCID``,
    ``SLURM_NTASKS``, ``SLURM_LOCALID`` and the first host of
    ``SLURM_NODELIST``, as MMEngine's own Slurm set-up derives them.
    """
    if launcher == 'pytorch':
        return
    missing = [name for name in SLURM_VARIABLES if name not in os.environ]
    if missing:
        raise RuntimeError(
            f'--launcher slurm needs the variables srun sets ({", ".join(missing)} '
            'missing): start it with srun, e.g. bash tools/slurm_train.sh '
            'PARTITION JOB_NAME CONFIG WORK_DIR')
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ['SLURM_LOCALID'])
    os.environ.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in os.environ:
        os.environ['MASTER_ADDR'] = _first_slurm_host(os.environ['SLURM_NODELIST'])


def _first_slurm_host(node_list: str) -> str:
    hosts = subprocess.run(['scontrol', 'show', 'hostnames', node_list],
                           check=True, capture_output=True, text=True)
    return hosts.stdout.split()[0]
