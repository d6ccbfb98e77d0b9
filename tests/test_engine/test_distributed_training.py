"""Distributed runs on CPU processes (gloo): launchers, losses, resume, test.

Every run goes through the shipped launchers (``tools/dist_train.sh``,
``tools/dist_test.sh``, and ``tools/slurm_train.sh`` / ``slurm_test.sh``
where a Slurm controller answers) on the quickstart configs and a tiny
synthetic set.
"""
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from fgclip_det.engine import prepare_distributed
from fgclip_det.engine.distributed_env import replace_sync_bn
from fgclip_det.registry import DATASETS, MODELS
from fgclip_det.testing.gloo_ranks import run_gloo_ranks
from fgclip_det.testing.http_server import free_port
from fgclip_det.utils import get_config_path

REPO = Path(__file__).resolve().parents[2]
FGCLIP_CONFIG = 'configs/quickstart/fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py'
FVIT_CONFIG = 'configs/quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py'
WORLD_SIZE = 2
BATCH = 4
GLOBAL_TERMS = ('loss_global_long', 'loss_global_short')
#: Computed on each rank's own regions (negatives within the rank).
PER_RANK_TERMS = ('loss_region', 'loss_hard_negative')


def loader_options(root: Path) -> list:
    options = [f'data_root={root}/']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options += [f'{loader}.dataset.data_root={root}/',
                    f'{loader}.batch_size=2', f'{loader}.num_workers=0',
                    f'{loader}.persistent_workers=False']
    return options + ['default_hooks.logger.interval=1']


def launcher_env(**variables: str) -> dict:
    """The environment of a launched tool: one thread a process, this
    interpreter's ``bin`` first on ``PATH``, ``variables`` added."""
    return dict(os.environ, OMP_NUM_THREADS='1',
                PATH=f'{Path(sys.executable).parent}:{os.environ["PATH"]}',
                **variables)


def run(script: str, *args: str, processes: int = 1) -> subprocess.CompletedProcess:
    """A tool on ``processes`` CPU processes through the shipped launchers."""
    env = launcher_env(PORT=str(free_port()))
    if processes == 1:
        command = [sys.executable, f'tools/{script}.py', *args]
    else:
        launcher = f'tools/dist_{script}.sh'
        if script == 'train':
            command = ['bash', launcher, args[0], str(processes), *args[1:]]
        else:
            command = ['bash', launcher, args[0], args[1], str(processes),
                       *args[2:]]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def slurm_partition() -> Optional[str]:
    """The partition the Slurm tests submit to (``FGCLIP_DET_SLURM_PARTITION``,
    else the default one), or None when no Slurm controller answers."""
    if shutil.which('sinfo') is None or shutil.which('srun') is None:
        return None
    try:
        info = subprocess.run(['sinfo', '-h', '-o', '%P %a'], capture_output=True,
                              text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return None
    if info.returncode != 0:
        return None
    states = [line.split() for line in info.stdout.splitlines()]
    up = [name for name, state in states if state == 'up']
    default = [name.rstrip('*') for name in up if name.endswith('*')]
    return os.environ.get('FGCLIP_DET_SLURM_PARTITION') or next(
        iter(default or up), None)


def run_slurm(script: str, partition: str, *args: str) -> subprocess.CompletedProcess:
    """``tools/slurm_<script>.sh`` with 2 CPU tasks of 1 CPU on ``partition``."""
    env = launcher_env(MASTER_PORT=str(free_port()), GPUS='2', GPUS_PER_NODE='0',
                       CPUS_PER_TASK='1')
    result = subprocess.run(
        ['bash', f'tools/slurm_{script}.sh', partition, f'fgclip_det_{script}', *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def last_iteration(work_dir: Path) -> dict:
    """The last logged training record of the newest run in ``work_dir``."""
    logs = sorted(work_dir.glob('*/vis_data/scalars.json'))
    records = [json.loads(line) for line in logs[-1].read_text().splitlines()]
    return [r for r in records if 'loss' in r][-1]


def test_launchers_print_their_usage():
    for script, needed in (('dist_train', 2), ('dist_test', 3),
                           ('slurm_train', 4), ('slurm_test', 4)):
        one_short = ['a'] * (needed - 1)
        result = subprocess.run(['bash', f'tools/{script}.sh', *one_short],
                                cwd=REPO, capture_output=True, text=True)
        assert result.returncode == 2
        assert result.stderr.startswith(f'usage: bash tools/{script}.sh ')


SLURM_PARTITION = slurm_partition()


@pytest.mark.skipif(SLURM_PARTITION is None,
                    reason='no Slurm controller answers sinfo; start a one-node '
                    'cluster with: eval "$(bash tools/misc/local_slurm.sh)"')
def test_slurm_scripts_train_and_test_on_two_cpu_tasks(tmp_path, data_root):
    partition, options = SLURM_PARTITION, loader_options(data_root)
    work = tmp_path / 'slurm'
    result = run_slurm('train', partition, FGCLIP_CONFIG, str(work), '--cfg-options',
                       *options, 'train_cfg.max_epochs=1', 'train_cfg.val_interval=2')
    assert 'CPU distributed run: 2 processes, gloo backend' in result.stdout
    assert last_iteration(work)['iter'] == 2  # 8 images, 2 a task
    result = run_slurm('test', partition, FGCLIP_CONFIG, str(work / 'epoch_1.pth'),
                       '--work-dir', str(tmp_path / 'slurm_test'), '--cfg-options',
                       *options)
    assert 'CPU distributed run: 2 processes, gloo backend' in result.stdout
    assert 'fg_ranking/hard_negative_top1' in result.stdout


def test_backend_and_devices_follow_the_hardware():
    if torch.cuda.is_available():
        pytest.skip('checks the CPU-only choices')
    cfg = Config(dict(model=dict(backbone=dict(norm_cfg=dict(type='SyncBN')),
                                 neck=[dict(norm_cfg=dict(type='SyncBN'))])))
    assert prepare_distributed(cfg, 'none') is cfg and 'env_cfg' not in cfg
    with pytest.raises(ValueError, match="'nccl' needs CUDA devices"):
        prepare_distributed(Config(dict(env_cfg=dict(
            dist_cfg=dict(backend='nccl')))), 'pytorch')
    with pytest.raises(ValueError, match="supports --launcher pytorch or slurm"):
        prepare_distributed(Config(dict()), 'mpi')
    assert replace_sync_bn(cfg.model) == 2
    assert cfg.model.neck[0].norm_cfg.type == 'BN'


def test_slurm_launch_outside_srun_says_what_is_missing(monkeypatch):
    for name in ('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_LOCALID', 'SLURM_NODELIST'):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match='SLURM_PROCID.*start it with srun'):
        prepare_distributed(Config(dict()), 'slurm')


def step_one_losses(root: Path, indices: range) -> dict:
    """Losses of one training step of the quickstart FG-CLIP on these
    samples (the model seeded alike in every process)."""
    cfg = Config.fromfile(get_config_path(FGCLIP_CONFIG[len('configs/'):]))
    init_default_scope(cfg.default_scope)
    cfg.train_dataloader.dataset.data_root = f'{root}/'
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    samples = []
    for index in indices:
        random.seed(index)  # the pipeline's caption choices, per sample
        np.random.seed(index)
        torch.manual_seed(index)
        samples.append(dataset[index])
    data = model.data_preprocessor(pseudo_collate(samples), True)
    return {k: v.item() for k, v in model(**data, mode='loss').items()}


def rank_losses(rank: int, root: Path) -> dict:
    share = BATCH // WORLD_SIZE
    return step_one_losses(root, range(rank * share, (rank + 1) * share))


def test_step_one_losses_of_two_ranks_equal_one_process(tmp_path, data_root):
    ranks = run_gloo_ranks(rank_losses, WORLD_SIZE, tmp_path, data_root)
    single = step_one_losses(data_root, range(BATCH))
    for key in GLOBAL_TERMS:  # all-gathered: every image sees the whole batch
        mean = sum(r[key] for r in ranks) / WORLD_SIZE
        assert mean == pytest.approx(single[key], rel=1e-5)
    share = BATCH // WORLD_SIZE
    for rank, losses in enumerate(ranks):  # per-rank by design
        alone = step_one_losses(data_root, range(rank * share, (rank + 1) * share))
        for key in PER_RANK_TERMS:
            assert losses[key] == pytest.approx(alone[key], rel=1e-5)
    # the regions of the other rank are no negatives here
    mean = sum(r['loss_region'] for r in ranks) / WORLD_SIZE
    assert mean != pytest.approx(single['loss_region'], rel=1e-3)


def test_two_nodes_train_through_the_static_rendezvous(tmp_path, data_root):
    """"Many nodes" as docs/distributed.md writes it, two nodes of one process
    on this machine: the same dist_train.sh with NNODES, NODE_RANK and
    MASTER_ADDR on each."""
    command = ['bash', 'tools/dist_train.sh', FGCLIP_CONFIG, '1', '--work-dir',
               str(tmp_path / 'nodes'), '--cfg-options', *loader_options(data_root),
               'train_cfg.max_epochs=1', 'train_cfg.val_interval=2']
    env = launcher_env(NNODES='2', MASTER_ADDR='127.0.0.1', PORT=str(free_port()))
    logs = [tmp_path / f'node{rank}.log' for rank in (0, 1)]
    nodes = [subprocess.Popen(command, cwd=REPO, env=dict(env, NODE_RANK=str(rank)),
                              stdout=log.open('w'), stderr=subprocess.STDOUT)
             for rank, log in enumerate(logs)]
    try:
        for node, log in zip(nodes, logs):
            assert node.wait(timeout=600) == 0, log.read_text()[-3000:]
    finally:  # a failed node leaves the other waiting at the rendezvous
        for node in nodes:
            node.kill()
    assert 'CPU distributed run: 2 processes, gloo backend' in logs[0].read_text()
    assert last_iteration(tmp_path / 'nodes')['iter'] == 2  # 8 images, 2 a node


def test_fgclip_trains_on_two_processes_and_resumes_either_way(tmp_path, data_root):
    options = loader_options(data_root)
    two = tmp_path / 'two_then_one'
    result = run('train', FGCLIP_CONFIG, '--work-dir', str(two), '--cfg-options',
                 *options, 'train_cfg.max_epochs=1', 'train_cfg.val_interval=2',
                 processes=2)
    assert 'CPU distributed run: 2 processes, gloo backend' in result.stdout
    assert last_iteration(two)['iter'] == 2  # 8 images, 2 a process
    run('train', FGCLIP_CONFIG, '--work-dir', str(two), '--resume',
        '--cfg-options', *options, 'train_cfg.max_epochs=2',
        'train_cfg.val_interval=2')
    assert last_iteration(two)['iter'] == 2 + 4  # then 2 a step alone
    assert (two / 'epoch_2.pth').is_file()

    one = tmp_path / 'one_then_two'
    run('train', FGCLIP_CONFIG, '--work-dir', str(one), '--cfg-options',
        *options, 'train_cfg.max_epochs=1', 'train_cfg.val_interval=2')
    run('train', FGCLIP_CONFIG, '--work-dir', str(one), '--resume',
        '--cfg-options', *options, 'train_cfg.max_epochs=2',
        'train_cfg.val_interval=2', processes=2)
    assert last_iteration(one)['iter'] == 4 + 2
    assert (one / 'epoch_2.pth').is_file()


def test_fvit_trains_and_tests_on_two_processes(tmp_path, data_root):
    clip_dir = tmp_path / 'clip'
    options = loader_options(data_root)
    run('train', FGCLIP_CONFIG, '--work-dir', str(clip_dir), '--cfg-options',
        *options, 'train_cfg.max_epochs=1', 'train_cfg.val_interval=2')
    embeddings = tmp_path / 'shapes.pt'
    run('build_text_embeddings', str(clip_dir / 'epoch_1.pth'), '--config',
        FVIT_CONFIG, '--prefix', 'clip.', '--vocab',
        str(data_root / 'annotations' / 'instances_val.json'), '--out',
        str(embeddings), '--templates', 'single')
    val_json = data_root / 'annotations' / 'instances_val.json'
    options += [f'val_evaluator.ann_file={val_json}',
                f'test_evaluator.ann_file={val_json}',
                f'model.backbone.clip_checkpoint={clip_dir / "epoch_1.pth"}',
                f'model.roi_head.bbox_head.cls_predictor_cfg.embeddings={embeddings}']
    work = tmp_path / 'fvit'
    run('train', FVIT_CONFIG, '--work-dir', str(work), '--cfg-options',
        *options, 'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
        processes=2)
    checkpoint = str(work / 'epoch_1.pth')
    predictions = {}
    for processes in (1, 2):
        prefix = tmp_path / f'preds{processes}'
        run('test', FVIT_CONFIG, checkpoint, '--work-dir',
            str(tmp_path / f'test{processes}'), '--cfg-options', *options,
            f'test_evaluator.outfile_prefix={prefix}', processes=processes)
        predictions[processes] = json.loads(
            Path(f'{prefix}.bbox.json').read_text())
    assert predictions[1], 'the detector predicted no boxes'
    key = lambda p: (p['image_id'], p['category_id'], p['score'])  # noqa: E731
    one, two = sorted(predictions[1], key=key), sorted(predictions[2], key=key)
    assert len(one) == len(two)
    for a, b in zip(one, two):
        assert (a['image_id'], a['category_id']) == (b['image_id'], b['category_id'])
        assert a['score'] == pytest.approx(b['score'], abs=1e-5)
        assert a['bbox'] == pytest.approx(b['bbox'], abs=1e-3)
