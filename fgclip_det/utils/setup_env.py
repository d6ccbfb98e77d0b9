"""Register every module of fgclip_det (and mmdet) in one call."""
import datetime
import warnings

from mmengine import DefaultScope

from fgclip_det.registry import SCOPE


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import all fgclip_det modules so their registrations take effect.

    Configs with ``default_scope = 'fgclip_det'`` do not need this (the
    registries import their ``locations`` lazily); scripts that build modules
    without a config do.

    Args:
        init_default_scope (bool): Whether to set ``'fgclip_det'`` as the
            current default scope. Defaults to True.
    """
    from mmdet.utils import register_all_modules as register_mmdet_modules

    register_mmdet_modules(init_default_scope=False)
    import fgclip_det.datasets  # noqa: F401
    import fgclip_det.engine  # noqa: F401
    import fgclip_det.evaluation  # noqa: F401
    import fgclip_det.models  # noqa: F401

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None:
        DefaultScope.get_instance(SCOPE, scope_name=SCOPE)
    elif current.scope_name != SCOPE:
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      f'not "{SCOPE}"; register_all_modules switches to a new '
                      f'"{SCOPE}" scope.',
                      stacklevel=2)
        # DefaultScope instances need unique names.
        stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S-%f')
        DefaultScope.get_instance(f'{SCOPE}-{stamp}', scope_name=SCOPE)
