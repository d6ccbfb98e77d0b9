"""Download the weights of a model-index entry into a local checkpoint.

Files come over HTTP(S) with the standard library, with a progress bar, into
``<name>.part`` files that a later call resumes (HTTP ``Range``); a file is
checked against the size the server announced and its SHA-256 when the index
gives one, and only then moved into place. Upstream layouts (released
FG-CLIP directories, open_clip state dicts) are converted to a toolkit
checkpoint, which loads with ``FGCLIP.from_checkpoint``.

Environment:
    ``FGCLIP_DET_HUB_ENDPOINT``: base URL of the model hub (a mirror);
    falls back to ``HF_ENDPOINT``, then ``https://huggingface.co``.
    ``FGCLIP_DET_CACHE_DIR``: where checkpoints go; defaults to
    ``~/.cache/fgclip_det/checkpoints``.
"""
import hashlib
import os
import os.path as osp
import re
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
#: Formats whose download is a folder of several files, converted as a whole.
FOLDER_FORMATS = ('fgclip-hf', 'fgclip2-hf')
_CHUNK_SIZE = 1 << 20
_HTTP_RANGE_NOT_SATISFIABLE = 416
_HTTP_PARTIAL_CONTENT = 206
_CONTENT_RANGE = re.compile(r'bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)')


class DownloadError(RuntimeError):
    """A download failed: network, HTTP status, size or checksum."""


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


def _int_header(value: Optional[str]) -> Optional[int]:
    """A non-negative integer header value, or None if absent or malformed."""
    value = (value or '').strip()
    return int(value) if value.isdigit() else None


def _content_range(value: Optional[str]) -> Tuple[Optional[int], Optional[int]]:
    """``(first byte, total size)`` of a ``Content-Range`` header.

    ``bytes 100-199/200`` gives ``(100, 200)``, ``bytes */200`` gives
    ``(None, 200)``; an unknown part is None.
    """
    match = _CONTENT_RANGE.fullmatch((value or '').strip())
    if match is None:
        return None, None
    first, total = match.group(1), match.group(2)
    return (int(first) if first else None,
            int(total) if total.isdigit() else None)


def _open(url: str, start: int) -> Tuple[Optional[HTTPResponse], Optional[int]]:
    """Request ``url`` from byte ``start``.

    Returns:
        tuple: ``(response, None)``, or ``(None, total)`` where the server
        answered 416 (range not satisfiable) to a resumed request; ``total``
        is the size its ``Content-Range: bytes */total`` gives, or None.
    """
    headers = {'Range': f'bytes={start}-'} if start else {}
    try:
        return urlopen(Request(url, headers=headers), timeout=60), None
    except HTTPError as e:
        with e:
            if start and e.code == _HTTP_RANGE_NOT_SATISFIABLE:
                return None, _content_range(e.headers.get('Content-Range'))[1]
            raise DownloadError(f'{url}: HTTP {e.code} {e.reason}') from e
    except (URLError, OSError, HTTPException) as e:
        reason = getattr(e, 'reason', e)
        raise DownloadError(f'cannot download {url}: {reason}') from e


def _transfer(url: str, part: str, progress: bool) -> Tuple[bool, Optional[int]]:
    """Append the rest of ``url`` to ``part`` (written from zero if absent).

    Returns:
        tuple[bool, int | None]: ``(False, None)`` if ``part`` cannot be
        resumed and must be discarded, else ``(True, expected total size)``
        (None where the server does not say).

    Raises:
        DownloadError: On an HTTP or network error; ``part`` keeps what
            arrived.
    """
    start = osp.getsize(part) if osp.isfile(part) else 0
    response, total = _open(url, start)
    if response is None:
        # 416: the part is complete only if it has exactly the server's size
        return total == start, total
    with response:
        length = _int_header(response.headers.get('Content-Length'))
        if response.status == _HTTP_PARTIAL_CONTENT:
            first, total = _content_range(response.headers.get('Content-Range'))
            if first != start:
                return False, None  # not the range asked for
            if total is None and length is not None:
                total = start + length
        else:
            start, total = 0, length  # a full answer: write from zero
        os.makedirs(osp.dirname(osp.abspath(part)), exist_ok=True)
        with open(part, 'ab' if start else 'wb') as f, tqdm(
                total=total, initial=start, unit='B', unit_scale=True,
                unit_divisor=1024, desc=osp.basename(part)[:-len('.part')],
                disable=not progress) as bar:
            try:
                for chunk in iter(lambda: response.read(_CHUNK_SIZE), b''):
                    f.write(chunk)
                    bar.update(len(chunk))
            except (OSError, HTTPException) as e:
                f.flush()
                raise DownloadError(
                    f'download of {url} broke off after {f.tell()} of '
                    f'{total if total is not None else "?"} bytes ({e}); run '
                    f'again to resume from {part}') from e
    return True, total


def download_file(url: str, dst: str, sha256: Optional[str] = None,
                  progress: bool = True) -> str:
    """Download ``url`` to ``dst``, resuming ``dst + '.part'`` if present.

    Bytes go to ``dst + '.part'`` (parent folders are created), which is
    moved to ``dst`` in one atomic rename only once its size equals what the
    server announced (``Content-Length``, or the total of ``Content-Range``)
    and its SHA-256 equals ``sha256`` when given; so a file at ``dst`` is
    always complete. A stale part is discarded and the file downloaded from
    zero once: where the server cannot resume it (HTTP 416 without its exact
    size, a range other than the one asked for) or where the resumed file has
    the wrong size or checksum.

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
        DownloadError: On a network or HTTP error (naming the URL), a
            response shorter than announced (naming the bytes received and
            expected) or a wrong checksum. The partial file is kept after a
            network error or a short response, so a second call resumes.
    """
    if osp.isfile(dst) and (sha256 is None or sha256sum(dst) == sha256):
        return dst
    part = f'{dst}.part'
    for _ in range(2):  # a resumed part that fails is retried from zero once
        resumed = osp.isfile(part) and osp.getsize(part) > 0
        resumable, total = _transfer(url, part, progress)
        if not resumable:
            _remove(part)
            continue
        size = osp.getsize(part) if osp.isfile(part) else 0
        if total is not None and size < total:
            raise DownloadError(
                f'{url}: received {size} of {total} bytes (the connection '
                f'closed early); run again to resume from {part}')
        if total is not None and size > total:
            _remove(part)
            if resumed:
                continue
            raise DownloadError(f'{url}: received {size} bytes, more than the '
                                f'{total} the server announced; the file was '
                                'deleted')
        if sha256 is not None:
            actual = sha256sum(part)
            if actual != sha256:
                _remove(part)
                if resumed:
                    continue
                raise DownloadError(f'{url}: SHA-256 is {actual}, the index '
                                    f'expects {sha256}; the file was deleted')
        os.replace(part, dst)
        return dst
    raise DownloadError(f'{url}: the server answered a request from byte 0 with '
                        'another range (Content-Range); the file was deleted')


def _remove(path: str) -> None:
    """Delete ``path`` if it exists."""
    if osp.lexists(path):
        os.remove(path)


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
        force (bool): Download and convert again even if ``dst`` exists:
            ``dst``, its partial files and ``<dst>.source/`` (the downloaded
            upstream files) are deleted first. Defaults to False.
        progress (bool): Show progress bars. Defaults to True.

    Returns:
        str: The checkpoint path.

    Raises:
        UnknownModelError: ``name`` is not in the index (close names listed).
        ValueError: The entry has no downloadable weights.
        DownloadError: A network error, HTTP error, short response or wrong
            checksum (partial files stay in ``<dst>.source/`` for the next
            call to resume), or downloaded files that do not convert.
    """
    entry = get_model_entry(name, index)
    source = entry.download
    if source is None:
        raise ValueError(f'{name} has no downloadable weights in the model '
                         'index (python tools/download.py --list shows them)')
    dst = dst or osp.join(cache_dir or default_cache_dir(), f'{name}.pth')
    folder = f'{dst}.source'
    if force:  # nothing of an earlier run is reused
        for path in (dst, f'{dst}.part', f'{dst}.tmp'):
            _remove(path)
        if osp.isdir(folder):
            shutil.rmtree(folder)
    if osp.isfile(dst):
        return dst
    files = source_files(source)
    if source.format == 'checkpoint':
        url, filename = files[0]
        return download_file(url, dst, source.sha256.get(filename), progress)
    try:
        paths = [download_file(url, osp.join(folder, filename),
                               source.sha256.get(filename), progress)
                 for url, filename in files]
    finally:  # keep partial files to resume, not an empty folder
        if osp.isdir(folder) and not os.listdir(folder):
            os.rmdir(folder)
    src = folder if source.format in FOLDER_FORMATS else paths[0]
    try:
        convert_to_checkpoint(source, src, dst, progress)
    except Exception as e:  # any reader's error: corrupt JSON, safetensors, pickle
        _remove(f'{dst}.tmp')
        raise DownloadError(
            f'the files downloaded for {name} into {folder} do not convert to '
            f'a checkpoint ({type(e).__name__}: {e}); they are kept, force=True '
            '(tools/download.py --force) downloads them again') from e
    shutil.rmtree(folder)
    return dst
