"""Find the checkpoint a run resumes from, skipping incomplete files."""
import glob
import logging
import os.path as osp
from typing import List, Optional

import torch
from mmengine.logging import print_log

#: File names the checkpoint hooks write (``filename_tmpl`` defaults).
RESUMABLE_PATTERNS = ('epoch_*.pth', 'iter_*.pth')


def is_complete_checkpoint(path: str) -> bool:
    """Whether ``path`` is a whole MMEngine training checkpoint.

    The file is opened memory-mapped (cheap for any size): a truncated file
    has no zip directory and fails; a complete one holds ``meta`` and
    ``state_dict``.
    """
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=True, mmap=True)
    except Exception:  # noqa: BLE001 - any failure means "not resumable"
        return False
    return isinstance(ckpt, dict) and 'meta' in ckpt and 'state_dict' in ckpt


def _last_checkpoint_entry(work_dir: str) -> Optional[str]:
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        return None
    with open(path, encoding='utf-8') as f:
        return f.read().strip() or None


def _candidates(work_dir: str, named: Optional[str]) -> List[str]:
    folders = {work_dir} | ({osp.dirname(named)} if named else set())
    found = {path for folder in folders for pattern in RESUMABLE_PATTERNS
             for path in glob.glob(osp.join(folder, pattern))}
    newest_first = sorted(found, key=osp.getmtime, reverse=True)
    if named in found:
        newest_first.remove(named)
    return ([named] if named else []) + newest_first


def find_resumable_checkpoint(work_dir: str) -> str:
    """The checkpoint ``--resume`` (without a path) continues from.

    ``last_checkpoint`` is tried first; when it is missing, names a deleted
    file or a truncated one, the newest complete ``epoch_*.pth`` /
    ``iter_*.pth`` in the work dir (and the folder ``last_checkpoint``
    names) is taken instead, with a warning saying which.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str: Path of a complete checkpoint.

    Raises:
        FileNotFoundError: There is no complete checkpoint to resume from.
    """
    named = _last_checkpoint_entry(work_dir)
    for path in _candidates(work_dir, named):
        if osp.isfile(path) and is_complete_checkpoint(path):
            if named is not None and path != named:
                print_log(
                    f'last_checkpoint names {named}, which is missing or '
                    f'incomplete; resuming from the newest complete '
                    f'checkpoint, {path}', logger='current', level=logging.WARNING)
            return path
        print_log(f'{path} is missing or incomplete; not resuming from it',
                  logger='current', level=logging.WARNING)
    raise FileNotFoundError(
        f'--resume: no complete checkpoint to resume from in {work_dir} '
        f'(last_checkpoint: {named or "absent"}). To start this run from '
        'scratch, leave out --resume; to resume another run, give its '
        'checkpoint path (--resume PATH) or its --work-dir.')
