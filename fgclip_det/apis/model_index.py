"""The model index: ``model-index.yml`` and the metafiles it imports.

The OpenMMLab (mim) format: ``model-index.yml`` lists ``Import``-ed
``configs/<algo>/metafile.yml`` files, each with ``Collections`` and
``Models`` (``Name``, ``Config``, ``Results``, ``Weights``). A model with
downloadable weights also has a ``Download`` block read by
:mod:`fgclip_det.apis.download`::

    Download:
      Format: fgclip-hf            # see WEIGHTS_FORMATS
      Hub: qihoo360/fg-clip-base   # a hub repository, or URL: <one file>
      Files: [config.json, model.safetensors]
      SHA256: {model.safetensors: <hex digest>}   # optional, per file

``Format: open-clip`` entries name an open_clip ``Model`` and ``Pretrained``
tag instead; where the file lives comes from open_clip's registry.
"""
import difflib
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Literal, Optional, Tuple, get_args

import yaml

MODEL_INDEX_FILE = 'model-index.yml'
_PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: ``checkpoint``: a checkpoint of this toolkit, used as is; ``fgclip-hf``:
#: a released FG-CLIP directory (HuggingFace layout); ``fgclip2-hf``: a
#: released FG-CLIP 2 directory (weights, config and tokenizer);
#: ``open-clip``: an open_clip state dict.
WeightsFormat = Literal['checkpoint', 'fgclip-hf', 'fgclip2-hf', 'open-clip']
WEIGHTS_FORMATS: Tuple[str, ...] = get_args(WeightsFormat)


class UnknownModelError(KeyError):
    """A name that is not in the model index (the message lists close ones)."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class WeightsSource:
    """Where a model's weights come from and how they become a checkpoint.

    Attributes:
        format (str): One of :data:`WEIGHTS_FORMATS`.
        url (str, optional): A single file to fetch.
        hub (str, optional): A hub repository id (``owner/name``).
        files (tuple[str]): Files of ``hub`` to fetch.
        sha256 (dict[str, str]): Expected SHA-256 by file name.
        model (str, optional): open_clip architecture (``open-clip``).
        pretrained (str, optional): open_clip tag (``open-clip``).
    """

    format: WeightsFormat
    url: Optional[str] = None
    hub: Optional[str] = None
    files: Tuple[str, ...] = ()
    sha256: Dict[str, str] = field(default_factory=dict)
    model: Optional[str] = None
    pretrained: Optional[str] = None


@dataclass(frozen=True)
class ModelEntry:
    """One ``Models`` item of a metafile.

    Attributes:
        name (str): ``Name``: the config file name without ``.py``, or the
            name of upstream weights.
        collection (str, optional): ``In Collection``.
        config (str, optional): Absolute path of ``Config``.
        weights (str, optional): ``Weights`` as written (URL or hub page).
        download (WeightsSource, optional): The parsed ``Download`` block.
        metafile (str): The metafile declaring the entry.
    """

    name: str
    collection: Optional[str]
    config: Optional[str]
    weights: Optional[str]
    download: Optional[WeightsSource]
    metafile: str


def find_model_index() -> str:
    """``model-index.yml`` of the installed package or of the source tree."""
    candidates = [osp.join(_PACKAGE_DIR, '.mim', MODEL_INDEX_FILE),
                  osp.join(osp.dirname(_PACKAGE_DIR), MODEL_INDEX_FILE)]
    for path in candidates:
        if osp.isfile(path):
            return path
    raise FileNotFoundError(f'no {MODEL_INDEX_FILE}; looked in: '
                            + ', '.join(candidates))


def _read_yaml(path: str) -> dict:
    with open(path, encoding='utf-8') as f:
        return yaml.safe_load(f) or {}


def parse_weights_source(block: dict, where: str) -> WeightsSource:
    """Check and convert a ``Download`` block (``where`` names it in errors)."""
    fmt = block.get('Format')
    if fmt not in WEIGHTS_FORMATS:
        raise ValueError(f'{where}: Download.Format={fmt!r} is not one of '
                         f'{WEIGHTS_FORMATS}')
    source = WeightsSource(
        format=fmt, url=block.get('URL'), hub=block.get('Hub'),
        files=tuple(block.get('Files') or ()),
        sha256=dict(block.get('SHA256') or {}), model=block.get('Model'),
        pretrained=block.get('Pretrained'))
    if fmt == 'open-clip':
        if not (source.model and source.pretrained):
            raise ValueError(f'{where}: open-clip weights need Model and '
                             'Pretrained')
    elif bool(source.url) == bool(source.hub and source.files):
        raise ValueError(f'{where}: give either URL or Hub with Files')
    return source


def load_model_index(path: Optional[str] = None) -> Dict[str, ModelEntry]:
    """Every model of the index, by name.

    Args:
        path (str, optional): ``model-index.yml``. Defaults to the one of
            the package (:func:`find_model_index`).

    Returns:
        dict[str, ModelEntry]: In metafile order. Paths are resolved
        against the directory of ``model-index.yml``.
    """
    path = osp.abspath(path or find_model_index())
    root = osp.dirname(path)
    entries: Dict[str, ModelEntry] = {}
    for metafile in _read_yaml(path).get('Import') or []:
        metafile_path = osp.join(root, metafile)
        for model in _read_yaml(metafile_path).get('Models') or []:
            name = model['Name']
            if name in entries:
                raise ValueError(f'{metafile}: model {name!r} is also in '
                                 f'{entries[name].metafile}')
            block = model.get('Download')
            entries[name] = ModelEntry(
                name=name,
                collection=model.get('In Collection'),
                config=osp.join(root, model['Config'])
                if model.get('Config') else None,
                weights=model.get('Weights'),
                download=parse_weights_source(block, f'{metafile}: {name}')
                if block else None,
                metafile=metafile)
    return entries


def close_names(name: str, names: List[str], n: int = 5) -> List[str]:
    """Names of the index most like ``name`` (for error messages)."""
    close = difflib.get_close_matches(name, names, n=n, cutoff=0.4)
    return close or [other for other in names if name in other][:n]


def get_model_entry(name: str, path: Optional[str] = None) -> ModelEntry:
    """The entry called ``name``.

    Args:
        name (str): A model name of the index.
        path (str, optional): ``model-index.yml``. Defaults to the package's.

    Raises:
        UnknownModelError: If there is none; the message lists close names.
    """
    entries = load_model_index(path)
    if name not in entries:
        close = close_names(name, list(entries))
        hint = f'; did you mean {", ".join(close)}?' if close else ''
        raise UnknownModelError(f'no model {name!r} in the model index{hint} '
                       '(python tools/download.py --list shows all)')
    return entries[name]
