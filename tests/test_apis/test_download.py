"""Model-zoo downloads against a local HTTP server (with HTTP Range)."""
import hashlib
import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import torch
import yaml

from fgclip_det.apis import (
    DownloadError,
    UnknownModelError,
    WeightsSource,
    download_checkpoint,
    download_file,
    get_model_entry,
)
from fgclip_det.apis.conversion import convert_to_checkpoint
from fgclip_det.apis.download import HUB_ENDPOINT_ENV, source_files
from fgclip_det.models.clip import FGCLIP, load_fgclip_hf
from fgclip_det.testing import (
    random_fgclip_hf_state_dict,
    tiny_fgclip_hf_config,
    tiny_open_clip_cfg,
    write_fgclip_hf_dir,
    write_tiny_open_clip_checkpoint,
)
from fgclip_det.testing.http_server import free_port, serve_http

REPO = Path(__file__).resolve().parents[2]
PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


class RangeHandler(BaseHTTPRequestHandler):
    """Serves ``server.files`` (URL path -> bytes), honouring ``Range``."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.server.requests.append((self.path, self.headers.get('Range')))
        data = self.server.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        start, status = 0, 200
        if self.headers.get('Range'):
            start = int(self.headers['Range'].split('=')[1].split('-')[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header('Content-Range', f'bytes */{len(data)}')
                self.send_header('Content-Length', '0')
                self.end_headers()
                return
            status = 206
        self.send_response(status)
        self.send_header('Content-Length', str(len(data) - start))
        if status == 206:
            self.send_header('Content-Range',
                             f'bytes {start}-{len(data) - 1}/{len(data)}')
        self.end_headers()
        self.wfile.write(data[start:])

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    with serve_http(RangeHandler) as httpd:
        httpd.files, httpd.requests = {}, []
        yield httpd


def write_index(folder: Path, models: list) -> str:
    """A model-index.yml importing one metafile with ``models``."""
    (folder / 'configs' / 'zoo').mkdir(parents=True)
    metafile = folder / 'configs' / 'zoo' / 'metafile.yml'
    metafile.write_text(yaml.safe_dump(dict(Models=models)))
    index = folder / 'model-index.yml'
    index.write_text(yaml.safe_dump(dict(Import=['configs/zoo/metafile.yml'])))
    return str(index)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_download_verifies_and_caches(server, tmp_path):
    server.files['/ckpt/fvit_tiny.pth'] = PAYLOAD
    index = write_index(tmp_path, [dict(
        Name='fvit_tiny', Weights=f'{server.url}/ckpt/fvit_tiny.pth',
        Download=dict(Format='checkpoint', URL=f'{server.url}/ckpt/fvit_tiny.pth',
                      SHA256={'fvit_tiny.pth': sha256(PAYLOAD)}))])
    cache = tmp_path / 'cache'
    path = download_checkpoint('fvit_tiny', cache_dir=str(cache), index=index,
                               progress=False)
    assert Path(path) == cache / 'fvit_tiny.pth'
    assert Path(path).read_bytes() == PAYLOAD
    assert [p.name for p in cache.iterdir()] == ['fvit_tiny.pth']
    download_checkpoint('fvit_tiny', cache_dir=str(cache), index=index)
    assert len(server.requests) == 1  # the second call used the cache


def test_download_resumes_a_partial_file(server, tmp_path):
    server.files['/big.bin'] = PAYLOAD
    dst = tmp_path / 'big.bin'
    half = len(PAYLOAD) // 2
    Path(f'{dst}.part').write_bytes(PAYLOAD[:half])
    download_file(f'{server.url}/big.bin', str(dst), sha256(PAYLOAD),
                  progress=False)
    assert server.requests == [('/big.bin', f'bytes={half}-')]
    assert dst.read_bytes() == PAYLOAD
    assert not Path(f'{dst}.part').exists()


def test_download_of_a_complete_part_file(server, tmp_path):
    server.files['/big.bin'] = PAYLOAD
    dst = tmp_path / 'big.bin'
    Path(f'{dst}.part').write_bytes(PAYLOAD)
    download_file(f'{server.url}/big.bin', str(dst), sha256(PAYLOAD),
                  progress=False)
    assert dst.read_bytes() == PAYLOAD
    # 416 with the part's exact size and the right checksum: nothing fetched
    assert server.requests == [('/big.bin', f'bytes={len(PAYLOAD)}-')]


def test_wrong_checksum_fails_and_cleans_up(server, tmp_path):
    server.files['/big.bin'] = PAYLOAD
    dst = tmp_path / 'big.bin'
    with pytest.raises(DownloadError, match='SHA-256'):
        download_file(f'{server.url}/big.bin', str(dst), sha256(b'other'),
                      progress=False)
    assert not dst.exists() and not Path(f'{dst}.part').exists()


def test_http_and_network_errors_name_the_url(server, tmp_path):
    url = f'{server.url}/missing.pth'
    with pytest.raises(DownloadError, match='404') as info:
        download_file(url, str(tmp_path / 'x.pth'), progress=False)
    assert url in str(info.value)

    url = f'http://127.0.0.1:{free_port()}/x.pth'  # nobody listens there
    with pytest.raises(DownloadError) as info:
        download_file(url, str(tmp_path / 'x.pth'), progress=False)
    assert url in str(info.value)


def test_unknown_name_lists_close_names(tmp_path):
    with pytest.raises(UnknownModelError, match='fgclip_vitb16-224px_upstream'):
        download_checkpoint('fgclip_vitb16-224_upstream', cache_dir=str(tmp_path))


def test_config_without_weights_says_so(tmp_path):
    with pytest.raises(ValueError, match='no downloadable weights'):
        download_checkpoint('fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco',
                            cache_dir=str(tmp_path))


def test_hub_files_resolve_against_the_endpoint(monkeypatch):
    monkeypatch.setenv(HUB_ENDPOINT_ENV, 'http://mirror.local/')
    source = get_model_entry('fgclip_vitb16-224px_upstream').download
    assert source_files(source) == [
        ('http://mirror.local/qihoo360/fg-clip-base/resolve/main/config.json',
         'config.json'),
        ('http://mirror.local/qihoo360/fg-clip-base/resolve/main/'
         'model.safetensors', 'model.safetensors')]
    source = get_model_entry('clip_vitb16-224px_openai').download
    assert source_files(source) == [(
        'http://mirror.local/timm/vit_base_patch16_clip_224.openai/resolve/main/'
        'open_clip_pytorch_model.bin', 'open_clip_pytorch_model.bin')]


def test_fgclip_hf_weights_are_converted(server, tmp_path, monkeypatch):
    hf_dir = write_fgclip_hf_dir(
        tmp_path / 'hf', tiny_fgclip_hf_config(),
        random_fgclip_hf_state_dict(tiny_fgclip_hf_config(), seed=3))
    for name in ('config.json', 'model.safetensors'):
        server.files[f'/org/fg-clip-tiny/resolve/main/{name}'] = (
            hf_dir / name).read_bytes()
    monkeypatch.setenv(HUB_ENDPOINT_ENV, server.url)
    index = write_index(tmp_path / 'index', [dict(
        Name='fgclip_tiny_upstream',
        Download=dict(Format='fgclip-hf', Hub='org/fg-clip-tiny',
                      Files=['config.json', 'model.safetensors']))])
    dst = tmp_path / 'out' / 'fgclip_tiny.pth'
    path = download_checkpoint('fgclip_tiny_upstream', str(dst), index=index,
                               progress=False)
    assert Path(path) == dst
    assert sorted(p.name for p in dst.parent.iterdir()) == ['fgclip_tiny.pth']
    converted = FGCLIP.from_checkpoint(path)
    reference, _ = load_fgclip_hf(str(hf_dir))
    for key, value in reference.state_dict().items():
        torch.testing.assert_close(converted.state_dict()[key], value)


def test_cli_reports_an_unknown_name():
    proc = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'download.py'), 'fgclip_vitb16'],
        cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1
    assert 'did you mean' in proc.stderr


def test_open_clip_weights_are_converted(tmp_path):
    import open_clip

    arch = tmp_path / 'fgclip-det-test-tiny.json'
    arch.write_text(json.dumps(tiny_open_clip_cfg()))
    open_clip.add_model_config(arch)
    weights = tmp_path / 'open_clip_pytorch_model.bin'
    state_dict = write_tiny_open_clip_checkpoint(str(weights), seed=1)
    source = WeightsSource(format='open-clip', model='fgclip-det-test-tiny',
                           pretrained='test')
    dst = tmp_path / 'tiny.pth'
    convert_to_checkpoint(source, str(weights), str(dst))
    model = FGCLIP.from_checkpoint(str(dst))
    assert model.model_cfg['quick_gelu'] is True  # the architecture's
    torch.testing.assert_close(model.clip.visual.conv1.weight,
                               state_dict['visual.conv1.weight'])
    assert not (tmp_path / 'tiny.pth.tmp').exists()


def test_fgclip2_hf_folder_is_converted_with_its_tokenizer(server, tmp_path,
                                                           monkeypatch):
    from fgclip_det.models.clip.fgclip2 import FGCLIP2
    from fgclip_det.testing.tiny_fgclip2 import write_tiny_fgclip2
    hf_dir = Path(write_tiny_fgclip2(str(tmp_path / 'hf')))
    files = ['config.json', 'model.safetensors', 'tokenizer.json']
    for name in files:
        server.files[f'/org/fg-clip2-tiny/resolve/main/{name}'] = (
            hf_dir / name).read_bytes()
    monkeypatch.setenv(HUB_ENDPOINT_ENV, server.url)
    index = write_index(tmp_path / 'index', [dict(
        Name='fgclip2_tiny_upstream',
        Download=dict(Format='fgclip2-hf', Hub='org/fg-clip2-tiny', Files=files))])
    dst = tmp_path / 'out' / 'fgclip2_tiny.pth'
    path = download_checkpoint('fgclip2_tiny_upstream', str(dst), index=index,
                               progress=False)
    assert sorted(p.name for p in dst.parent.iterdir()) == ['fgclip2_tiny.pth']
    converted = FGCLIP2.from_checkpoint(path).eval()  # the folder is gone
    reference = FGCLIP2(pretrained=str(hf_dir)).eval()
    with torch.no_grad():
        torch.testing.assert_close(converted.encode_text(['a red star']),
                                   reference.encode_text(['a red star']))
