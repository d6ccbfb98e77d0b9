"""tools/analysis_tools/roi_class_probe.py on a tiny synthetic set."""
import json

import pytest
import torch

from fgclip_det.datasets.synthetic import generate_synthetic_dataset
from fgclip_det.datasets.synthetic.vocabulary import SHAPES
from fgclip_det.testing.tool_runs import REPO_ROOT, run_tool

FGCLIP = REPO_ROOT / 'configs/quickstart/fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py'
TOOL = 'analysis_tools/roi_class_probe.py'


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic')
    generate_synthetic_dataset(root, num_train=8, num_val=2, image_size=64,
                               seed=0, progress=False)
    return root


def options(root, *extra):
    loaders = []
    for loader in ('train_dataloader', 'val_dataloader'):
        loaders += [f'{loader}.dataset.data_root={root}/', f'{loader}.batch_size=4',
                    f'{loader}.num_workers=0', f'{loader}.persistent_workers=False']
    return ['--cfg-options', *loaders, *extra]


def probe(root, tmp_path, *args, extra=(), check=True):
    return run_tool(TOOL, FGCLIP, '--classes', ','.join(SHAPES),
                    '--novel', 'star,heart', '--work-dir', tmp_path / 'work',
                    *args, *options(root, *extra),
                    cwd=tmp_path, check=check)


def regions_of(root, split):
    records = json.loads((root / 'finehard' / f'{split}.json').read_text())
    return sum(len(r['bbox_info']) for r in records)


def test_supervised_tower_learns_the_training_regions(root, tmp_path):
    # Scored on the training regions themselves: trained on their labels,
    # the tower and classifier must fit them (seeded config: deterministic).
    out = tmp_path / 'fit.json'
    probe(root, tmp_path, '--epochs', '15', '--out', out,
          extra=('val_dataloader.dataset.ann_file=finehard/train.json',
                 'optim_wrapper.optimizer.lr=0.002'))
    result = json.loads(out.read_text())
    assert result['classes'] == list(SHAPES) and result['checkpoint'] is None
    assert result['trained_parameters'] > (64 + 1) * len(SHAPES)  # the tower too
    epochs = result['epochs']
    assert [e['epoch'] for e in epochs] == list(range(1, 16))
    assert all(e['regions'] == regions_of(root, 'train') for e in epochs)
    assert epochs[-1]['train_loss'] < epochs[0]['train_loss']
    assert epochs[-1]['top1'] >= 80 > epochs[0]['top1']


def test_linear_probe_trains_the_classifier_only(root, tmp_path):
    from mmengine.config import Config
    from mmengine.runner import Runner

    cfg = Config.fromfile(FGCLIP)
    cfg.work_dir = str(tmp_path / 'init')
    cfg.train_dataloader.dataset.data_root = f'{root}/'
    cfg.val_dataloader.dataset.data_root = f'{root}/'
    runner = Runner.from_cfg(cfg)
    runner.save_checkpoint(cfg.work_dir, 'init.pth', save_optimizer=False,
                           save_param_scheduler=False)
    checkpoint = tmp_path / 'init' / 'init.pth'
    out = tmp_path / 'new_folder' / 'probe.json'
    probe(root, tmp_path, '--checkpoint', checkpoint, '--epochs', '2', '--out', out)
    result = json.loads(out.read_text())
    assert result['checkpoint'] == str(checkpoint)
    embed_dim = runner.model.clip.embed_dim
    assert result['trained_parameters'] == (embed_dim + 1) * len(SHAPES)
    assert [e['regions'] for e in result['epochs']] == [regions_of(root, 'val')] * 2
    assert all(0 <= e['top1'] <= 100 and 0 <= e['top1_novel'] <= 100
               for e in result['epochs'])

    # Weights of another model are refused, not half loaded.
    state = torch.load(checkpoint, weights_only=True)
    state['state_dict'] = {k: v for k, v in state['state_dict'].items()
                           if '.visual.' not in k}
    partial = tmp_path / 'partial.pth'
    torch.save(state, partial)
    proc = probe(root, tmp_path, '--checkpoint', partial, '--epochs', '1', check=False)
    assert proc.returncode != 0 and 'does not fit' in proc.stderr


def test_bad_arguments_and_labels_are_named(root, tmp_path):
    proc = run_tool(TOOL, FGCLIP, '--classes', 'circle,square', '--novel', 'star',
                    cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "--novel names ['star']" in proc.stderr
    proc = run_tool(TOOL, FGCLIP, '--classes', 'circle,square', '--work-dir',
                    tmp_path / 'work', *options(root), cwd=tmp_path, check=False)
    assert proc.returncode != 0
    assert "is not one of --classes ['circle', 'square']" in proc.stderr
