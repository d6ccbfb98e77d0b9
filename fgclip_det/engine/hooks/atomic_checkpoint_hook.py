"""MMEngine's ``CheckpointHook`` with writes a kill cannot break."""
import difflib
import glob
import inspect
import os
import os.path as osp
from typing import List

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.logging import print_log

from fgclip_det.registry import HOOKS

#: Suffix of a checkpoint being written; renamed away once complete.
TMP_SUFFIX = '.tmp'
_HOOK_ARGS = frozenset(inspect.signature(CheckpointHook.__init__).parameters) - {
    'self', 'kwargs'}


def fsync_path(path: str) -> None:
    """Flush a file's (or a directory's entries') data to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text_atomic(path: str, text: str) -> None:
    """Replace ``path`` by ``text`` so that readers see the old or the new
    content, never a part."""
    tmp = f'{path}{TMP_SUFFIX}'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """Save checkpoints so that a kill at any moment leaves a resumable run.

    MMEngine's hook deletes the oldest kept checkpoint *before* writing the
    new one and writes in place: a run killed in between has no checkpoint
    (with ``max_keep_ckpts=1``), a ``last_checkpoint`` naming a deleted file,
    or a truncated ``epoch_N.pth``. This hook, for a local ``out_dir``:

    1. writes ``epoch_N.pth.tmp``, flushes it to the disk and renames it to
       ``epoch_N.pth`` (a rename is atomic);
    2. then points ``last_checkpoint`` at it (also written and renamed);
    3. only then deletes the checkpoints beyond ``max_keep_ckpts``.

    Leftover ``*.tmp`` files of a killed run are deleted before training.
    Arguments are those of ``CheckpointHook``; an unknown one (a typo such
    as ``intervl``) is an error when the hook is built, not at the first
    save after a whole epoch.
    """

    def __init__(self, *args, **kwargs) -> None:
        unknown = sorted(set(kwargs) - _HOOK_ARGS)
        if unknown:
            hints = {key: difflib.get_close_matches(key, _HOOK_ARGS, n=1)
                     for key in unknown}
            raise TypeError(
                'AtomicCheckpointHook got unknown arguments '
                + ', '.join(f'{key!r}' + (f' (did you mean {hint[0]!r}?)'
                                          if hint else '')
                            for key, hint in hints.items())
                + f'; it takes {", ".join(sorted(_HOOK_ARGS))}')
        super().__init__(*args, **kwargs)

    def _is_local(self) -> bool:
        return isinstance(self.file_backend, LocalBackend)

    def before_train(self, runner) -> None:
        """Resolve ``out_dir``, then delete half-written files of a killed run."""
        super().before_train(runner)
        if not (self._is_local() and is_main_process()):
            return
        for path in self._stale_temporaries(runner):
            os.remove(path)
            print_log(f'deleted {path}, left by a run stopped while saving',
                      logger='current')

    def _stale_temporaries(self, runner) -> List[str]:
        folders = {self.out_dir, runner.work_dir}
        return sorted(path for folder in folders
                      for path in glob.glob(osp.join(folder, f'*{TMP_SUFFIX}')))

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        if not self._is_local():
            super()._save_checkpoint_with_step(runner, step, meta)
            return
        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        expired = self._keep_step(runner, step)
        runner.save_checkpoint(
            self.out_dir,
            ckpt_filename + TMP_SUFFIX,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args)
        if not is_main_process():
            return
        tmp = self.last_ckpt + TMP_SUFFIX
        fsync_path(tmp)
        os.replace(tmp, self.last_ckpt)
        fsync_path(self.out_dir)
        write_text_atomic(osp.join(runner.work_dir, 'last_checkpoint'),
                          self.last_ckpt)
        for old_step in expired:
            path = osp.join(self.out_dir, self.filename_tmpl.format(old_step))
            if osp.isfile(path):
                os.remove(path)

    def _keep_step(self, runner, step: int) -> List[int]:
        """Record ``step`` among the kept checkpoints; return the steps whose
        files are to be deleted once the new one is safely written."""
        if self.max_keep_ckpts <= 0 or (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
            return []
        expired = []
        while len(self.keep_ckpt_ids) >= self.max_keep_ckpts:
            expired.append(self.keep_ckpt_ids.popleft())
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))
        return expired
