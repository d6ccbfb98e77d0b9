"""model-index.yml and the metafiles: paths exist, names match configs."""
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml

from fgclip_det.apis import load_model_index
from fgclip_det.apis.download import HUB_ENDPOINT_ENV, source_files

REPO = Path(__file__).resolve().parents[2]
INDEX = REPO / 'model-index.yml'


def read(path: Path) -> dict:
    with open(path, encoding='utf-8') as f:
        return yaml.safe_load(f)


def metafiles():
    return read(INDEX)['Import']


def test_index_imports_every_metafile():
    imported = metafiles()
    assert len(set(imported)) == len(imported)
    for metafile in imported:
        assert (REPO / metafile).is_file(), metafile
    on_disk = sorted(str(p.relative_to(REPO))
                     for p in REPO.glob('configs/*/metafile.yml'))
    assert sorted(imported) == on_disk
    assert set(read(INDEX)) == {'Import'}


@pytest.mark.parametrize('metafile', metafiles())
def test_metafile(metafile):
    content = read(REPO / metafile)
    collections = {c['Name']: c for c in content['Collections']}
    for collection in collections.values():
        assert collection['Paper']['Title'] and collection['Paper']['URL']
        assert collection['Code']['URL']
        assert collection['Metadata']['Architecture']
        if 'README' in collection:
            assert (REPO / collection['README']).is_file()
    for model in content['Models']:
        name = model['Name']
        assert model['In Collection'] in collections, name
        if 'Config' in model:
            config = REPO / model['Config']
            assert config.is_file(), model['Config']
            assert config.stem == name
            assert config.parent == (REPO / metafile).parent
        else:
            # released weights without a training config here
            assert 'Download' in model and model['Weights'], name
        if model.get('Results'):
            # no number without its source
            assert model['Metadata']['Results Source'], name
        for result in model.get('Results') or []:
            assert result['Task'] and result['Dataset'] and result['Metrics']


def test_index_loads_with_unique_names():
    entries = load_model_index(str(INDEX))
    names = [model['Name'] for metafile in metafiles()
             for model in read(REPO / metafile)['Models']]
    assert list(entries) == names
    for entry in entries.values():
        assert entry.config is None or Path(entry.config).is_file()
    for metafile in metafiles():
        for model in read(REPO / metafile)['Models']:
            weights_from = model.get('Metadata', {}).get('Weights From')
            assert weights_from is None or weights_from in entries, weights_from


#: Endings of weights files (a ``Weights`` that is a page has none).
WEIGHTS_SUFFIXES = ('.safetensors', '.bin', '.pth', '.pt')


def test_weights_are_the_files_the_toolkit_downloads(monkeypatch):
    # `mim download` saves what Weights names: a file, not a repository page.
    monkeypatch.delenv(HUB_ENDPOINT_ENV, raising=False)
    monkeypatch.delenv('HF_ENDPOINT', raising=False)
    entries = load_model_index(str(INDEX))
    with_weights = [entry for entry in entries.values() if entry.weights]
    assert with_weights
    for entry in with_weights:
        url = urlsplit(entry.weights)
        assert url.scheme == 'https' and url.netloc, entry.weights
        assert PurePosixPath(url.path).suffix in WEIGHTS_SUFFIXES, entry.weights
        if entry.download is not None:
            urls = [file_url for file_url, _ in source_files(entry.download)]
            assert entry.weights in urls, (entry.name, urls)
