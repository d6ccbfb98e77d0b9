"""Downloads from a server that misbehaves: short bodies, 416, odd ranges.

Every test runs against a real ``ThreadingHTTPServer`` on 127.0.0.1 whose
handler can cut a response body short (the ``Content-Length`` header still
announces the whole body), answer 416 with or without the total size, or
answer a ``Range`` request with another range.
"""
import hashlib
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import torch
import yaml

from fgclip_det.apis import DownloadError, download_checkpoint, download_file
from fgclip_det.apis.download import HUB_ENDPOINT_ENV
from fgclip_det.models.clip import FGCLIP, load_fgclip_hf
from fgclip_det.testing import (
    random_fgclip_hf_state_dict,
    tiny_fgclip_hf_config,
    write_fgclip_hf_dir,
)
from fgclip_det.testing.http_server import serve_http

REPO = Path(__file__).resolve().parents[2]
PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
HF_FILES = ('config.json', 'model.safetensors')
HUB_PATH = '/org/fg-clip-tiny/resolve/main'


class FlakyHandler(BaseHTTPRequestHandler):
    """Serves ``server.files`` with ``Range``, misbehaving on request.

    ``server.cuts[path]``: body sizes after which the next responses for
    ``path`` stop (one per response, consumed in order). ``server.range_total``:
    whether a 416 carries ``Content-Range: bytes */TOTAL``.
    ``server.wrong_range``: paths whose ``Range`` requests get bytes from 0.
    """

    def do_GET(self):  # noqa: N802 (http.server's naming)
        srv = self.server
        range_header = self.headers.get('Range')
        srv.requests.append((self.path, range_header))
        data = srv.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        start = 0
        if range_header:
            start = int(range_header.split('=')[1].split('-')[0])
            if self.path in srv.wrong_range:
                start = 0
            elif start >= len(data):
                self.send_response(416)
                if srv.range_total:
                    self.send_header('Content-Range', f'bytes */{len(data)}')
                self.send_header('Content-Length', '0')
                self.end_headers()
                return
        body = data[start:]
        self.send_response(206 if range_header else 200)
        self.send_header('Content-Length', str(len(body)))
        if range_header:
            self.send_header('Content-Range',
                             f'bytes {start}-{len(data) - 1}/{len(data)}')
        self.end_headers()
        cuts = srv.cuts.get(self.path)
        self.wfile.write(body[:cuts.pop(0)] if cuts else body)
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    with serve_http(FlakyHandler) as httpd:
        httpd.files, httpd.requests, httpd.cuts = {}, [], {}
        httpd.range_total, httpd.wrong_range = True, set()
        yield httpd


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_short_body_raises_keeps_the_part_and_resumes(server, tmp_path):
    server.files['/big.bin'] = PAYLOAD
    server.cuts['/big.bin'] = [300_000, 200_000]  # the first resume is short too
    url, dst = f'{server.url}/big.bin', tmp_path / 'big.bin'
    part = Path(f'{dst}.part')
    with pytest.raises(DownloadError) as info:
        download_file(url, str(dst), sha256(PAYLOAD), progress=False)
    assert url in str(info.value)
    assert f'received 300000 of {len(PAYLOAD)} bytes' in str(info.value)
    assert not dst.exists() and part.stat().st_size == 300_000

    # 206: the expected size is the total of Content-Range
    with pytest.raises(DownloadError, match=f'received 500000 of {len(PAYLOAD)}'):
        download_file(url, str(dst), sha256(PAYLOAD), progress=False)
    assert not dst.exists() and part.stat().st_size == 500_000

    assert download_file(url, str(dst), sha256(PAYLOAD), progress=False) == str(dst)
    assert dst.read_bytes() == PAYLOAD and not part.exists()
    assert server.requests == [('/big.bin', None), ('/big.bin', 'bytes=300000-'),
                               ('/big.bin', 'bytes=500000-')]


def test_short_body_without_checksum_never_reaches_dst(server, tmp_path):
    server.files['/config.json'] = b'{"a": "' + b'x' * 1000 + b'"}'
    server.cuts['/config.json'] = [100]
    dst = tmp_path / 'config.json'
    with pytest.raises(DownloadError, match='received 100 of 1009 bytes'):
        download_file(f'{server.url}/config.json', str(dst), progress=False)
    assert not dst.exists()
    download_file(f'{server.url}/config.json', str(dst), progress=False)
    assert dst.read_bytes() == server.files['/config.json']


@pytest.mark.parametrize('stale, checksum, range_total', [
    (PAYLOAD + b'stale tail', False, True),  # longer than the file
    (PAYLOAD[:-1] + b'\x00', True, True),  # its size, wrong bytes
    (PAYLOAD + b'stale tail', False, False),  # 416 without the size
], ids=['longer', 'same-size-wrong-sha', 'no-total'])
def test_416_with_a_stale_part_downloads_from_zero(server, tmp_path, stale,
                                                   checksum, range_total):
    server.files['/big.bin'] = PAYLOAD
    server.range_total = range_total
    dst = tmp_path / 'big.bin'
    Path(f'{dst}.part').write_bytes(stale)
    download_file(f'{server.url}/big.bin', str(dst),
                  sha256(PAYLOAD) if checksum else None, progress=False)
    assert dst.read_bytes() == PAYLOAD
    assert not Path(f'{dst}.part').exists()
    assert server.requests == [('/big.bin', f'bytes={len(stale)}-'),
                               ('/big.bin', None)]


def test_206_of_another_range_downloads_from_zero(server, tmp_path):
    server.files['/big.bin'] = PAYLOAD
    server.wrong_range.add('/big.bin')
    dst = tmp_path / 'big.bin'
    Path(f'{dst}.part').write_bytes(b'\xff' * 1000)
    download_file(f'{server.url}/big.bin', str(dst), progress=False)
    assert dst.read_bytes() == PAYLOAD
    assert server.requests == [('/big.bin', 'bytes=1000-'), ('/big.bin', None)]


def test_dst_in_a_new_cache_folder(server, tmp_path):
    server.files['/big.bin'] = PAYLOAD
    dst = tmp_path / 'cache' / 'urls' / 'ab12' / 'big.bin'
    download_file(f'{server.url}/big.bin', str(dst), sha256(PAYLOAD),
                  progress=False)
    assert dst.read_bytes() == PAYLOAD
    assert [p.name for p in dst.parent.iterdir()] == ['big.bin']


def test_failed_request_creates_no_folder(server, tmp_path):
    dst = tmp_path / 'cache' / 'missing.bin'
    with pytest.raises(DownloadError, match='404'):
        download_file(f'{server.url}/missing.bin', str(dst), progress=False)
    assert not (tmp_path / 'cache').exists()


@pytest.fixture
def hf_entry(server, tmp_path, monkeypatch):
    """A fgclip-hf model-index entry served by ``server``.

    Returns ``(index, hf_dir)``: the ``model-index.yml`` (model
    ``fgclip_tiny_upstream``) and the served directory.
    """
    config = tiny_fgclip_hf_config()
    hf_dir = write_fgclip_hf_dir(tmp_path / 'hf', config,
                                 random_fgclip_hf_state_dict(config, seed=5))
    for name in HF_FILES:
        server.files[f'{HUB_PATH}/{name}'] = (hf_dir / name).read_bytes()
    monkeypatch.setenv(HUB_ENDPOINT_ENV, server.url)
    folder = tmp_path / 'index'
    (folder / 'configs' / 'zoo').mkdir(parents=True)
    (folder / 'configs' / 'zoo' / 'metafile.yml').write_text(yaml.safe_dump(dict(
        Models=[dict(Name='fgclip_tiny_upstream',
                     Download=dict(Format='fgclip-hf', Hub='org/fg-clip-tiny',
                                   Files=list(HF_FILES)))])))
    index = folder / 'model-index.yml'
    index.write_text(yaml.safe_dump(dict(Import=['configs/zoo/metafile.yml'])))
    return str(index), hf_dir


def assert_converted(path: str, hf_dir: Path) -> None:
    converted = FGCLIP.from_checkpoint(path).state_dict()
    reference, _ = load_fgclip_hf(str(hf_dir))
    for key, value in reference.state_dict().items():
        torch.testing.assert_close(converted[key], value)


def test_truncated_config_json_fails_then_resumes(server, hf_entry, tmp_path):
    index, hf_dir = hf_entry
    config_len = len(server.files[f'{HUB_PATH}/config.json'])
    server.cuts[f'{HUB_PATH}/config.json'] = [config_len // 2]
    dst = tmp_path / 'out' / 'fgclip_tiny.pth'
    source = Path(f'{dst}.source')
    with pytest.raises(DownloadError, match='config.json') as info:
        download_checkpoint('fgclip_tiny_upstream', str(dst), index=index,
                            progress=False)
    assert f'received {config_len // 2} of {config_len} bytes' in str(info.value)
    assert not dst.exists()
    assert sorted(p.name for p in source.iterdir()) == ['config.json.part']

    path = download_checkpoint('fgclip_tiny_upstream', str(dst), index=index,
                               progress=False)
    assert sorted(p.name for p in dst.parent.iterdir()) == ['fgclip_tiny.pth']
    assert (f'{HUB_PATH}/config.json', f'bytes={config_len // 2}-') in server.requests
    assert_converted(path, hf_dir)


def test_failed_first_file_leaves_no_source_folder(server, hf_entry, tmp_path):
    index, hf_dir = hf_entry
    del server.files[f'{HUB_PATH}/config.json']
    dst = tmp_path / 'out' / 'fgclip_tiny.pth'
    with pytest.raises(DownloadError, match='404'):
        download_checkpoint('fgclip_tiny_upstream', str(dst), index=index,
                            progress=False)
    assert not Path(f'{dst}.source').exists() and not dst.exists()

    server.files[f'{HUB_PATH}/config.json'] = (hf_dir / 'config.json').read_bytes()
    assert_converted(download_checkpoint('fgclip_tiny_upstream', str(dst),
                                         index=index, progress=False), hf_dir)


def write_stale_source(dst: Path) -> None:
    """A ``<dst>.source/`` with a truncated config.json and a stale part."""
    source = Path(f'{dst}.source')
    source.mkdir(parents=True)
    (source / 'config.json').write_text('{"text_config": {"hidden_size": 6')
    (source / 'model.safetensors.part').write_bytes(b'\x00' * 64)


def test_force_removes_a_stale_source_folder(server, hf_entry, tmp_path):
    index, hf_dir = hf_entry
    dst = tmp_path / 'out' / 'fgclip_tiny.pth'
    write_stale_source(dst)
    with pytest.raises(DownloadError, match='force') as info:
        download_checkpoint('fgclip_tiny_upstream', str(dst), index=index,
                            progress=False)
    assert f'{dst}.source' in str(info.value)

    dst.write_bytes(b'an old checkpoint')
    path = download_checkpoint('fgclip_tiny_upstream', str(dst), index=index,
                               force=True, progress=False)
    assert sorted(p.name for p in dst.parent.iterdir()) == ['fgclip_tiny.pth']
    assert (f'{HUB_PATH}/config.json', None) in server.requests
    assert_converted(path, hf_dir)


def test_cli_force_downloads_again(server, hf_entry, tmp_path):
    index, hf_dir = hf_entry
    dst = tmp_path / 'out' / 'fgclip_tiny.pth'
    write_stale_source(dst)
    cmd = [sys.executable, str(REPO / 'tools' / 'download.py'),
           'fgclip_tiny_upstream', '--index', index, '--out', str(dst)]
    env = dict(os.environ, **{HUB_ENDPOINT_ENV: server.url})
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 1 and '--force' in proc.stderr

    proc = subprocess.run(cmd + ['--force'], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(dst)
    assert not Path(f'{dst}.source').exists()
    assert_converted(str(dst), hf_dir)
