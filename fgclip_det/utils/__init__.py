"""Utilities: module registration and locating shipped configs."""
from .paths import get_config_path
from .setup_env import register_all_modules

__all__ = ['get_config_path', 'register_all_modules']
