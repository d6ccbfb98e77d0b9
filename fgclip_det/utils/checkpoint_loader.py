"""One checkpoint loader for every path: local files and URLs, never code.

MMEngine reads URLs through ``torch.hub.load_state_dict_from_url``, which
unpickles with ``weights_only=False``: a crafted checkpoint on a web server
runs code on the machine that loads it. Here a URL is first downloaded by the
toolkit's resumable, size- and checksum-verified downloader into a cache
(``<cache>/url/<hash of the URL>/<file name>``), then read like a local file,
with ``weights_only=True`` (safetensors files with ``safetensors``).

:func:`register_safe_checkpoint_loaders` installs this loader for MMEngine's
local and ``http(s)://`` schemes and for the schemes that resolve a model
name to a URL (``torchvision://``, ``open-mmlab://``, ``mmcls://``), so
``load_from``, ``--resume``, ``init_cfg=dict(type='Pretrained')`` and the
toolkit's own readers all go through it. It runs when ``fgclip_det`` is
imported.
"""
import hashlib
import os
import os.path as osp
import re
from typing import Any, Callable, Optional, Union
from urllib.parse import urlsplit

import torch

URL_PREFIXES = ('http://', 'https://')
#: torch.hub's convention: ``name-<first hex digits of the SHA-256>.ext``.
HASH_PREFIX_PATTERN = re.compile(r'-([a-f0-9]{8,64})\.')
DOWNLOAD_HINT = ('model-index weights are fetched with `python '
                 'tools/download.py NAME` (`--list` shows the names)')

MapLocation = Union[str, torch.device, Callable, None]


def is_url(path: str) -> bool:
    """Whether ``path`` is an ``http://`` or ``https://`` URL."""
    return isinstance(path, str) and path.startswith(URL_PREFIXES)


def url_cache_path(url: str, cache_dir: Optional[str] = None) -> str:
    """Where :func:`fetch_url` keeps the download of ``url``."""
    from fgclip_det.apis.download import default_cache_dir

    name = osp.basename(urlsplit(url).path) or 'checkpoint'
    key = hashlib.sha256(url.encode('utf-8')).hexdigest()[:16]
    return osp.join(cache_dir or default_cache_dir(), 'url', key, name)


def _download_verified(url: str, cache_dir: Optional[str], progress: bool) -> str:
    from fgclip_det.apis.download import DownloadError, download_file, sha256sum

    path = download_file(url, url_cache_path(url, cache_dir), progress=progress)
    match = HASH_PREFIX_PATTERN.search(osp.basename(path))
    if match:
        digest = sha256sum(path)
        if not digest.startswith(match.group(1)):
            os.remove(path)
            raise DownloadError(
                f'{url}: SHA-256 {digest} does not start with {match.group(1)} '
                'as its file name promises; the download was deleted')
    return path


def fetch_url(url: str, cache_dir: Optional[str] = None,
              progress: bool = True) -> str:
    """Download ``url`` once into the cache and return the local path.

    The size is checked against the server's ``Content-Length``; when the
    file name carries torch.hub's hash prefix (``resnet18-f37072fd.pth``)
    the file's SHA-256 must start with it. In a distributed run the first
    process of each machine (``LOCAL_RANK`` 0) downloads while the others
    wait, then they read its file.

    Raises:
        DownloadError: A network error, a short download or a wrong hash.
    """
    from mmengine.dist import barrier, get_world_size

    first_on_machine = int(os.environ.get('LOCAL_RANK', 0)) == 0
    path = _download_verified(url, cache_dir, progress) if first_on_machine else None
    if get_world_size() > 1:
        barrier()
    return path or _download_verified(url, cache_dir, progress=False)


def resolve_checkpoint(path: str) -> str:
    """A local file for ``path``: downloaded when it is a URL, checked to
    exist when it is a path.

    Raises:
        FileNotFoundError: No file at ``path``, with the download hint.
    """
    if is_url(path):
        return fetch_url(path)
    path = osp.expanduser(path)
    if not osp.isfile(path):
        raise FileNotFoundError(f'no checkpoint at {path}; {DOWNLOAD_HINT}')
    return path


def load_checkpoint_file(path: str, map_location: MapLocation = 'cpu') -> Any:
    """Read a checkpoint from a path or URL without running code.

    Args:
        path (str): Local ``.pth`` / ``.bin`` / ``.safetensors`` file or an
            ``http(s)://`` URL.
        map_location (str | torch.device | Callable, optional): As in
            :func:`torch.load`. Defaults to 'cpu'.

    Returns:
        Any: What the file holds (a state dict for ``.safetensors``).

    Raises:
        FileNotFoundError: No such file.
        pickle.UnpicklingError: The file needs code to unpickle; it is
            refused, not run.
    """
    local = resolve_checkpoint(path)
    if local.endswith('.safetensors'):
        from safetensors.torch import load_file

        device = map_location if isinstance(map_location, str) else 'cpu'
        return load_file(local, device=device)
    return torch.load(local, map_location=map_location, weights_only=True)


def _mmengine_loader(filename: str, map_location: MapLocation = None,
                     *args, **kwargs) -> Any:
    """MMEngine's loader signature (``model_dir`` and ``progress`` of
    ``load_from_http`` are accepted and unused)."""
    return load_checkpoint_file(filename, map_location)


def register_safe_checkpoint_loaders() -> None:
    """Route MMEngine's checkpoint loading through :func:`load_checkpoint_file`.

    Replaces the loaders of the local and ``http(s)://`` schemes, and the
    ``load_from_http`` that the name-resolving schemes (``torchvision://``,
    ``open-mmlab://``, ``mmcls://``) call once they know the URL.
    """
    from mmengine.runner import checkpoint as mmengine_checkpoint

    loader_cls = mmengine_checkpoint.CheckpointLoader
    loader_cls.register_scheme(prefixes='', loader=_mmengine_loader, force=True)
    loader_cls.register_scheme(prefixes=URL_PREFIXES, loader=_mmengine_loader,
                               force=True)
    mmengine_checkpoint.load_from_http = _mmengine_loader
