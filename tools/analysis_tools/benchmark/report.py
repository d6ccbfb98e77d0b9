"""Benchmark records: the environment, the figures, and the JSON file."""
import datetime
import json
import os
import platform
import shlex
import subprocess
from pathlib import Path
from typing import List, Optional, Union

import torch

import fgclip_det


def cpu_name() -> str:
    """The CPU model from ``/proc/cpuinfo``, else ``platform.processor()``."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_bf16_flags() -> List[str]:
    """The CPU's native bf16 instruction sets (``avx512_bf16``, ``amx_bf16``)."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    return sorted(flag for flag in line.split(':', 1)[1].split()
                                  if 'bf16' in flag)
    except OSError:
        pass
    return []


def code_revision() -> Optional[str]:
    """The git commit of the code that runs, ``+dirty`` with local changes
    to ``fgclip_det/`` or to the benchmark.

    None when they are not in one git checkout (an installed copy).
    """
    folder = Path(__file__).resolve().parent
    package = Path(fgclip_det.__file__).resolve().parent
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=folder,
                                capture_output=True, text=True, check=True).stdout
        changes = subprocess.run(
            ['git', 'status', '--porcelain', '--', str(package), str(folder)],
            cwd=folder, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit.strip() + ('+dirty' if changes.strip() else '')


def load_average() -> List[float]:
    """1, 5 and 15 minute load averages (empty where unsupported)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def environment(device: torch.device) -> dict:
    """Software and hardware the figures were measured on.

    Returns:
        dict: ``python``, ``torch``, ``cuda`` (None on CPU builds),
        ``device``, ``device_name``, ``cpu_name``, ``cpu_bf16``,
        ``cpu_count``, ``torch_threads``, ``platform``.
    """
    on_cuda = device.type == 'cuda'
    return dict(
        python=platform.python_version(),
        torch=torch.__version__,
        cuda=torch.version.cuda,
        device=str(device),
        device_name=torch.cuda.get_device_name(device) if on_cuda else cpu_name(),
        cpu_name=cpu_name(),
        cpu_bf16=cpu_bf16_flags(),
        cpu_count=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        platform=platform.platform())


def make_record(benchmark: str, settings: dict, figures: dict,
                device: torch.device, load_before: List[float],
                command: List[str]) -> dict:
    """One result record.

    Args:
        benchmark (str): Subcommand name.
        settings (dict): Its options.
        figures (dict): Its measured figures.
        device (torch.device): Where it ran.
        load_before (list[float]): Load averages before the measurement.
        command (list[str]): The command line (script and arguments).

    Returns:
        dict: ``benchmark``, ``command``, ``code_revision`` (see
        :func:`code_revision`), ``time_utc``, ``environment``,
        ``load_average`` (``before`` / ``after``), ``settings``, ``figures``.
    """
    return dict(
        benchmark=benchmark,
        command=shlex.join(['python', *command]),
        code_revision=code_revision(),
        time_utc=datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec='seconds'),
        environment=environment(device),
        load_average=dict(before=load_before, after=load_average()),
        settings=settings,
        figures=figures)


def append_record(path: Union[str, Path], record: dict) -> List[dict]:
    """Append ``record`` to the JSON list in ``path`` (created if missing).

    Returns:
        list[dict]: Every record now in the file.
    """
    path = Path(path)
    records = json.loads(path.read_text()) if path.is_file() else []
    if not isinstance(records, list):
        raise ValueError(f'{path} does not hold a JSON list of benchmark records')
    records.append(record)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=2) + '\n')
    return records
