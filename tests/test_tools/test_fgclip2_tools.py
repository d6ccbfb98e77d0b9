"""FG-CLIP 2 end to end through the command-line tools: a released-layout
folder converts with one command, pretrains stage 2 with tools/train.py, and
the trained checkpoint evaluates with tools/test.py."""
import pytest

from fgclip_det.models.clip.fgclip2 import FGCLIP2
from fgclip_det.testing.tool_runs import REPO_ROOT, run_tool

QUICKSTART = REPO_ROOT / 'configs/quickstart/fgclip2-stage2_tiny_1xb16-12e_synthetic.py'
BOX_CLS = REPO_ROOT / 'configs/eval/box-cls_fgclip2-base_coco.py'
LOADER = ('batch_size=2', 'num_workers=0', 'persistent_workers=False')


def loader_options(name: str, **dataset) -> list:
    options = [f'{name}.{option}' for option in LOADER]
    return options + [f'{name}.dataset.{k}={v}' for k, v in dataset.items()]


@pytest.mark.slow
def test_convert_train_and_test(tmp_path, data_root):
    folder = tmp_path / 'fg-clip2-tiny'
    run_tool('misc/make_tiny_fgclip2.py', folder, cwd=tmp_path)
    run_tool('convert/fgclip_hf_to_pth.py', folder, tmp_path / 'tiny.pth',
             cwd=tmp_path)
    assert FGCLIP2.from_checkpoint(str(tmp_path / 'tiny.pth')).tokenizer_spec

    work_dir = tmp_path / 'stage2'
    run_tool('train.py', QUICKSTART, '--work-dir', work_dir, '--cfg-options',
             f'model.clip.pretrained={folder}', 'train_cfg.max_epochs=1',
             *loader_options('train_dataloader', data_root=f'{data_root}/'),
             *loader_options('val_dataloader', data_root=f'{data_root}/'),
             cwd=tmp_path)
    checkpoint = work_dir / 'epoch_1.pth'
    assert checkpoint.is_file()

    proc = run_tool(
        'test.py', BOX_CLS, checkpoint, '--work-dir', tmp_path / 'test',
        '--cfg-options', f'model.clip.pretrained={folder}',
        f'model.vocabulary={data_root}/annotations/instances_val.json',
        *loader_options('test_dataloader', data_root=f'{data_root}/',
                        ann_file='annotations/instances_val.json',
                        **{'data_prefix.img': 'images/val/'}),
        cwd=tmp_path)
    log = proc.stdout + proc.stderr
    assert 'box_cls/top1' in log
    # the loss heads' state is skipped by name, everything else loads strictly
    assert 'skipped' in log and 'hard_negative_head.cmr_threshold' in log
