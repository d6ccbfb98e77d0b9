"""Download the weights of a model-index entry into a local checkpoint.

Files come over HTTP(S) with the standard library, with a progress bar, into
``<name>.part`` files that a later call resumes (HTTP ``Range``); a file is
checked against its SHA-256 when the index gives one and only then moved into
place. Upstream layouts (released FG-CLIP directories, open_clip state dicts)
are converted to a toolkit checkpoint, which loads with
``FGCLIP.from_checkpoint``.

Environment:
    ``FGCLIP_DET_HUB_ENDPOINT``: base URL of the model hub (a mirror);
    falls back to ``HF_ENDPOINT``, then ``https://huggingface.co``.
    ``FGCLIP_DET_CACHE_DIR``: where checkpoints go; defaults to
    ``~/.cache/fgclip_det/checkpoints``.
"""
import hashlib
import os
import os.path as osp
import shutil
from http.client import HTTPException, HTTPResponse
from typing import List, Optional, Tuple
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit
from urllib.request import Request, urlopen

from tqdm import tqdm

from .conversion import convert_to_checkpoint
from .model_index import WeightsSource, get_model_entry

HUB_ENDPOINT_ENV = 'FGCLIP_DET_HUB_ENDPOINT'
CACHE_DIR_ENV = 'FGCLIP_DET_CACHE_DIR'
DEFAULT_HUB_ENDPOINT = 'https://huggingface.co'
DEFAULT_CACHE_DIR = osp.join('~', '.cache', 'fgclip_det', 'checkpoints')
#: Default file of an open_clip hub repository (open_clip's own default).
OPEN_CLIP_HUB_FILE = 'open_clip_pytorch_model.bin'
_CHUNK_SIZE = 1 << 20
_HTTP_RANGE_NOT_SATISFIABLE = 416
_HTTP_PARTIAL_CONTENT = 206


class DownloadError(RuntimeError):
    """A download failed: network, HTTP status or checksum."""


def hub_endpoint() -> str:
    """Base URL of the model hub (see the module docstring)."""
    endpoint = (os.environ.get(HUB_ENDPOINT_ENV) or os.environ.get('HF_ENDPOINT')
                or DEFAULT_HUB_ENDPOINT)
    return endpoint.rstrip('/')


def hub_file_url(repo: str, filename: str, revision: str = 'main') -> str:
    """``<endpoint>/<repo>/resolve/<revision>/<filename>``."""
    return f'{hub_endpoint()}/{repo}/resolve/{revision}/{quote(filename)}'


def default_cache_dir() -> str:
    """``$FGCLIP_DET_CACHE_DIR`` or ``~/.cache/fgclip_det/checkpoints``."""
    return osp.expanduser(os.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR)


def sha256sum(path: str) -> str:
    """Hex SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(_CHUNK_SIZE), b''):
            digest.update(chunk)
    return digest.hexdigest()


def _open(url: str, start: int) -> Optional[HTTPResponse]:
    """The response for ``url`` from byte ``start``, or None if the partial
    file is already complete (the server cannot satisfy the range)."""
    headers = {'Range': f'bytes={start}-'} if start else {}
    try:
        return urlopen(Request(url, headers=headers), timeout=60)
    except HTTPError as e:
        if start and e.code == _HTTP_RANGE_NOT_SATISFIABLE:
            return None
        raise DownloadError(f'{url}: HTTP {e.code} {e.reason}') from e
    except (URLError, OSError) as e:
        reason = getattr(e, 'reason', e)
        raise DownloadError(f'cannot download {url}: {reason}') from e


def download_file(url: str, dst: str, sha256: Optional[str] = None,
                  progress: bool = True) -> str:
    """Download ``url`` to ``dst``, resuming ``dst + '.part'`` if present.

    Args:
        url (str): HTTP(S) URL.
        dst (str): Output file; returned at once if it exists (and matches
            ``sha256`` when given).
        sha256 (str, optional): Expected hex digest. On a mismatch the
            partial file is deleted and a ``DownloadError`` raised.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        str: ``dst``.

    Raises:
        DownloadError: On a network or HTTP error (naming the URL) or a
            wrong checksum. The partial file is kept after a network error,
            so a second call resumes.
    """
    if osp.isfile(dst) and (sha256 is None or sha256sum(dst) == sha256):
        return dst
    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    part = f'{dst}.part'
    start = osp.getsize(part) if osp.isfile(part) else 0
    response = _open(url, start)
    if response is not None:
        with response:
            if start and response.status != _HTTP_PARTIAL_CONTENT:
                start = 0  # the server ignored the range: start again
            length = response.headers.get('Content-Length')
            total = int(length) + start if length else None
            with open(part, 'ab' if start else 'wb') as f, tqdm(
                    total=total, initial=start, unit='B', unit_scale=True,
                    unit_divisor=1024, desc=osp.basename(dst),
                    disable=not progress) as bar:
                try:
                    for chunk in iter(lambda: response.read(_CHUNK_SIZE), b''):
                        f.write(chunk)
                        bar.update(len(chunk))
                except (OSError, HTTPException) as e:
                    raise DownloadError(
                        f'download of {url} broke off ({e}); run again to '
                        f'resume from {part}') from e
    if sha256 is not None:
        actual = sha256sum(part)
        if actual != sha256:
            os.remove(part)
            raise DownloadError(f'{url}: SHA-256 is {actual}, the index expects '
                                f'{sha256}; the file was deleted')
    os.replace(part, dst)
    return dst


def source_files(source: WeightsSource) -> List[Tuple[str, str]]:
    """``(url, file name)`` of every file of a weights source."""
    if source.format == 'open-clip':
        import open_clip

        tag_cfg = open_clip.get_pretrained_cfg(source.model, source.pretrained)
        if not tag_cfg:
            raise ValueError(f'open_clip has no tag {source.pretrained!r} for '
                             f'{source.model!r}')
        if tag_cfg.get('hf_hub'):
            # 'owner/repo/' means open_clip's default file, else 'owner/repo/file'
            repo, filename = osp.split(tag_cfg['hf_hub'])
            filename = filename or OPEN_CLIP_HUB_FILE
            return [(hub_file_url(repo, filename), filename)]
        url = tag_cfg['url']
        return [(url, osp.basename(urlsplit(url).path))]
    if source.url:
        return [(source.url, osp.basename(urlsplit(source.url).path))]
    return [(hub_file_url(source.hub, name), name) for name in source.files]


def download_checkpoint(name: str,
                        dst: Optional[str] = None,
                        *,
                        cache_dir: Optional[str] = None,
                        index: Optional[str] = None,
                        force: bool = False,
                        progress: bool = True) -> str:
    """Fetch the weights of a model-index entry as a toolkit checkpoint.

    Args:
        name (str): Model name, e.g. ``'fgclip_vitb16-224px_upstream'``.
        dst (str, optional): Output ``.pth``. Defaults to
            ``<cache_dir>/<name>.pth``.
        cache_dir (str, optional): Defaults to :func:`default_cache_dir`.
        index (str, optional): ``model-index.yml``. Defaults to the
            package's.
        force (bool): Download and convert again even if ``dst`` exists.
            Defaults to False.
        progress (bool): Show progress bars. Defaults to True.

    Returns:
        str: The checkpoint path.

    Raises:
        UnknownModelError: ``name`` is not in the index (close names listed).
        ValueError: The entry has no downloadable weights.
        DownloadError: A network error, HTTP error or wrong checksum.
    """
    entry = get_model_entry(name, index)
    source = entry.download
    if source is None:
        raise ValueError(f'{name} has no downloadable weights in the model '
                         'index (python tools/download.py --list shows them)')
    dst = dst or osp.join(cache_dir or default_cache_dir(), f'{name}.pth')
    if osp.isfile(dst) and not force:
        return dst
    if force and osp.isfile(dst):
        os.remove(dst)
    files = source_files(source)
    if source.format == 'checkpoint':
        url, filename = files[0]
        return download_file(url, dst, source.sha256.get(filename), progress)
    folder = f'{dst}.source'
    paths = [download_file(url, osp.join(folder, filename),
                           source.sha256.get(filename), progress)
             for url, filename in files]
    convert_to_checkpoint(source, folder if source.format == 'fgclip-hf'
                          else paths[0], dst)
    shutil.rmtree(folder)
    return dst
