"""MMEngine's ``Runner`` with strict checkpoint loads and a careful resume."""
import re
from collections import OrderedDict
from typing import List, Optional, Tuple

from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model

from fgclip_det.registry import RUNNERS
from fgclip_det.utils.state_dict_check import CheckpointMismatchError, diff_state_dict

from .checkpoint_files import find_resumable_checkpoint

RevisedKeys = List[Tuple[str, str]]
DEFAULT_REVISE_KEYS: RevisedKeys = [(r'^module\.', '')]
#: Top-level config key: False loads checkpoints that fit only in part.
STRICT_LOAD_KEY = 'load_strict'


def revised_state_dict(checkpoint: dict, revise_keys: RevisedKeys) -> 'OrderedDict':
    """The state dict of ``checkpoint`` with keys renamed as MMEngine does."""
    state_dict = checkpoint.get('state_dict', checkpoint)
    for pattern, replacement in revise_keys:
        state_dict = OrderedDict((re.sub(pattern, replacement, key), value)
                                 for key, value in state_dict.items())
    return state_dict


@RUNNERS.register_module()
class CheckpointSafeRunner(Runner):
    """A ``Runner`` that never evaluates or trains on the wrong weights.

    - ``load_from`` (and ``tools/test.py CHECKPOINT``) and ``--resume`` load
      strictly: a checkpoint whose keys are missing, unexpected, mis-shaped
      or of another dtype kind (int or bool for float) raises
      :class:`~fgclip_det.utils.state_dict_check.CheckpointMismatchError`
      naming the first keys of each kind and the likely key prefix, instead
      of MMEngine's warning followed by metrics at chance. Set
      ``load_strict = False`` in the config (or
      ``--cfg-options load_strict=False``) for a deliberate partial load.
      Keys under a model's ``ignored_checkpoint_prefixes`` (e.g. the loss
      heads' state in a pretraining checkpoint read by an evaluator) are
      skipped, and the log names them.
    - ``--resume`` without a path takes the newest *complete* checkpoint
      (see :func:`~fgclip_det.engine.checkpoint_files.find_resumable_checkpoint`)
      and refuses, with an error, when the work dir holds none, instead of
      silently starting from scratch.

    Checkpoints are read through the toolkit's safe loader (URLs are
    downloaded and verified, nothing is unpickled with code).
    """

    @property
    def load_strict(self) -> bool:
        """The config's ``load_strict`` (default True)."""
        value = self.cfg.get(STRICT_LOAD_KEY, True)
        if not isinstance(value, bool):
            raise TypeError(f'{STRICT_LOAD_KEY} must be True or False, got '
                            f'{value!r}')
        return value

    def load_checkpoint(self,
                        filename: str,
                        map_location='cpu',
                        strict: Optional[bool] = None,
                        revise_keys: RevisedKeys = DEFAULT_REVISE_KEYS) -> dict:
        """Load a checkpoint into the model, strictly unless told otherwise.

        Args:
            filename (str): Path or URL.
            map_location (str | Callable): As in ``torch.load``. Defaults
                to 'cpu'.
            strict (bool, optional): Defaults to the config's
                ``load_strict`` (True when unset).
            revise_keys (list[tuple[str, str]]): ``(pattern, replacement)``
                renames applied to the checkpoint's keys. Defaults to
                stripping ``module.``.

        Returns:
            dict: The checkpoint.

        Raises:
            CheckpointMismatchError: Strict and the checkpoint does not fit.
        """
        strict = self.load_strict if strict is None else strict
        checkpoint = _load_checkpoint(filename, map_location=map_location)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) else self.model
        state_dict = self._drop_ignored_keys(
            model, revised_state_dict(checkpoint, revise_keys), filename)
        diff = diff_state_dict(model.state_dict(), state_dict)
        if diff.problems():
            message = (f'{filename} does not fit {type(model).__name__}: '
                       f'{diff.describe()}')
            if strict:
                raise CheckpointMismatchError(
                    f'{message}\nTo load only the matching tensors on purpose, '
                    f'set {STRICT_LOAD_KEY}=False (--cfg-options '
                    f'{STRICT_LOAD_KEY}=False).')
            self.logger.warning(f'{message}\n({STRICT_LOAD_KEY}=False: '
                                'loading the tensors that fit)')
        _load_checkpoint_to_model(model, dict(state_dict=state_dict), strict=False,
                                  revise_keys=())
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

    def _drop_ignored_keys(self, model, state_dict: 'OrderedDict',
                           filename: str) -> 'OrderedDict':
        """``state_dict`` without the keys under the model's
        ``ignored_checkpoint_prefixes`` (logged with their names)."""
        prefixes = tuple(getattr(model, 'ignored_checkpoint_prefixes', ()))
        skipped = [key for key in state_dict if prefixes and key.startswith(prefixes)]
        if not skipped:
            return state_dict
        self.logger.info(f'{filename}: {len(skipped)} keys {type(model).__name__} '
                         f'does not use are skipped (prefixes {prefixes}): '
                         + ', '.join(skipped))
        return OrderedDict((key, value) for key, value in state_dict.items()
                           if not key.startswith(prefixes))

    def load_or_resume(self) -> None:
        """Resume from the newest complete checkpoint, or load ``load_from``."""
        if self._has_loaded:
            return
        if self._resume and self._load_from is None:
            resume_from = find_resumable_checkpoint(self.work_dir)
            self.logger.info(f'Resuming from {resume_from}')
            self.resume(resume_from)
            self._has_loaded = True
            return
        super().load_or_resume()
