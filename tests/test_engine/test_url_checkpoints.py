"""Checkpoint URLs are downloaded, verified and read without running code,
whichever path asks for them (MMEngine's loaders, load_from, the toolkit's
own readers)."""
import functools
import hashlib
import http.server
import os
from pathlib import Path

import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

import fgclip_det  # noqa: F401  (registers the safe checkpoint loaders)
from fgclip_det.apis.download import DownloadError
from fgclip_det.engine import CheckpointSafeRunner
from fgclip_det.models.clip.checkpoint import read_state_dict
from fgclip_det.testing.http_server import serve_http
from fgclip_det.testing.toy_training import toy_runner_cfg
from fgclip_det.utils.checkpoint_loader import url_cache_path


class QuietFileHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A folder served on 127.0.0.1, and the cache redirected to tmp_path."""
    root = tmp_path / 'www'
    root.mkdir()
    monkeypatch.setenv('FGCLIP_DET_CACHE_DIR', str(tmp_path / 'cache'))
    handler = functools.partial(QuietFileHandler, directory=str(root))
    with serve_http(handler) as httpd:
        yield root, httpd.url


def test_url_payload_is_refused_and_never_runs(served, tmp_path):
    root, base = served
    marker = tmp_path / 'payload_ran'
    torch.save({'state_dict': {}, 'evil': _Payload(marker)}, root / 'evil.pth')
    url = f'{base}/evil.pth'
    for load in (lambda: _load_checkpoint(url),
                 lambda: CheckpointLoader.load_checkpoint(url),
                 lambda: read_state_dict(url)):
        with pytest.raises(Exception, match='Weights only load failed'):
            load()
    runner = CheckpointSafeRunner(**toy_runner_cfg(str(tmp_path / 'work')))
    with pytest.raises(Exception, match='Weights only load failed'):
        runner.load_checkpoint(url)
    assert not marker.exists()


def test_url_checkpoint_is_cached_and_loads(served):
    root, base = served
    state = {'w': torch.arange(6.0).view(2, 3)}
    torch.save({'state_dict': state, 'meta': {'a': 1}}, root / 'good.pth')
    url = f'{base}/good.pth'
    loaded, meta = read_state_dict(url)
    assert torch.equal(loaded['w'], state['w']) and meta == {'a': 1}
    cached = Path(url_cache_path(url))
    assert cached.is_file()
    (root / 'good.pth').unlink()  # served no more: the cache answers
    assert torch.equal(_load_checkpoint(url)['state_dict']['w'], state['w'])


def test_torch_hub_hash_prefix_is_verified(served):
    root, base = served
    torch.save({'w': torch.ones(2)}, root / 'blob.pth')
    digest = hashlib.sha256((root / 'blob.pth').read_bytes()).hexdigest()
    good, bad = f'model-{digest[:8]}.pth', 'model-00000000.pth'
    (root / good).write_bytes((root / 'blob.pth').read_bytes())
    (root / bad).write_bytes((root / 'blob.pth').read_bytes())
    assert torch.equal(_load_checkpoint(f'{base}/{good}')['w'], torch.ones(2))
    with pytest.raises(DownloadError, match='does not start with 00000000'):
        _load_checkpoint(f'{base}/{bad}')
    assert not Path(url_cache_path(f'{base}/{bad}')).exists()


def test_missing_local_checkpoint_points_to_the_download_tool(tmp_path):
    with pytest.raises(FileNotFoundError, match='tools/download.py'):
        read_state_dict(str(tmp_path / 'absent.pth'))
    with pytest.raises(FileNotFoundError, match='tools/download.py'):
        _load_checkpoint(str(tmp_path / 'absent.pth'))
