"""Let lvis 0.5.3 run on numpy >= 1.24.

lvis 0.5.3 (the last release) calls ``np.float`` in ``lvis/eval.py``; the
alias was removed in numpy 1.24. Instead of re-adding the alias to numpy for
every library, lvis's evaluation module gets its own view of numpy that
carries the old alias.
"""
import types

import numpy as np

_LEGACY_ALIASES = {'float': float, 'int': int, 'bool': bool, 'object': object}


class _NumpyWithLegacyAliases(types.ModuleType):
    """numpy, plus the scalar aliases numpy removed in 1.24."""

    def __init__(self) -> None:
        super().__init__('numpy')
        self.__dict__.update(_LEGACY_ALIASES)

    def __getattr__(self, name: str):
        return getattr(np, name)


def patch_lvis_numpy_aliases() -> bool:
    """Give ``lvis.eval`` a numpy that still has ``np.float`` and friends.

    Returns:
        bool: True if lvis is installed and now patched (or needed no
        patch), False if lvis is not installed.
    """
    try:
        import lvis.eval as lvis_eval
    except ImportError:
        return False
    if all(hasattr(lvis_eval.np, alias) for alias in _LEGACY_ALIASES):
        return True
    lvis_eval.np = _NumpyWithLegacyAliases()
    return True
