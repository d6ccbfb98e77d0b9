"""What the command-line tools share: launcher options and reading a config."""
import argparse
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.registry import init_default_scope

from fgclip_det.registry import SCOPE

from .paths import get_config_path

#: ``--launcher`` values of the tools that run distributed.
LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


def add_launcher_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--launcher`` (default ``'none'``) and ``--local_rank`` /
    ``--local-rank`` (default 0, set by ``torch.distributed.launch``)."""
    parser.add_argument(
        '--launcher', choices=LAUNCHERS, default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(config: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config file or a shipped one, apply ``--cfg-options``, set its scope.

    Args:
        config (str): A config file, or a path relative to the shipped
            ``configs/`` (``'fvit/xxx.py'``, see :func:`get_config_path`).
        cfg_options (dict, optional): A tool's ``--cfg-options``, merged into
            the config. Defaults to None.

    Returns:
        Config: The config, its ``default_scope`` (else ``'fgclip_det'``)
        made the current default scope.
    """
    path = config if osp.isfile(config) else get_config_path(config)
    cfg = Config.fromfile(path)
    if cfg_options is not None:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', SCOPE))
    return cfg
