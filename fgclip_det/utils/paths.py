"""Find the configs shipped with the package (source tree or wheel)."""
import os.path as osp

_PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))


def get_config_path(name: str) -> str:
    """Absolute path of a shipped config, e.g. ``'quickstart/xxx.py'``.

    Looks in the installed package's ``.mim/configs`` first (wheel installs),
    then in the source tree's ``configs/`` (editable installs, checkouts).

    Args:
        name (str): Path relative to ``configs/``.

    Returns:
        str: The absolute path.

    Raises:
        FileNotFoundError: If neither location has the config.
    """
    candidates = [
        osp.join(_PACKAGE_DIR, '.mim', 'configs', name),
        osp.join(osp.dirname(_PACKAGE_DIR), 'configs', name),
    ]
    for path in candidates:
        if osp.isfile(path):
            return path
    raise FileNotFoundError(f'config "{name}" not found; looked in: '
                            + ', '.join(candidates))
