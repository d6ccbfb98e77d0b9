"""The package imports and its registries sit under mmdet's, scope fgclip_det."""
import pytest
from mmdet import registry as mmdet_registry
from mmengine.registry import DefaultScope, init_default_scope

import fgclip_det
from fgclip_det import registry

REGISTRY_NAMES = [
    'RUNNERS', 'RUNNER_CONSTRUCTORS', 'LOOPS', 'HOOKS', 'DATASETS',
    'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS',
    'WEIGHT_INITIALIZERS', 'TASK_UTILS', 'OPTIMIZERS', 'OPTIM_WRAPPERS',
    'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS', 'METRICS', 'EVALUATOR',
    'VISUALIZERS', 'VISBACKENDS', 'LOG_PROCESSORS'
]


def test_version_is_exposed():
    assert isinstance(fgclip_det.__version__, str)
    assert fgclip_det.version_info[:2] == tuple(
        int(x) for x in fgclip_det.__version__.split('.')[:2])


@pytest.mark.parametrize('name', REGISTRY_NAMES)
def test_registry_is_child_of_mmdet(name):
    ours = getattr(registry, name)
    assert ours.scope == 'fgclip_det'
    assert ours.parent is getattr(mmdet_registry, name)
    assert ours.parent.children['fgclip_det'] is ours


def test_scope_finds_own_and_stock_modules():
    init_default_scope('fgclip_det')
    assert DefaultScope.get_current_instance().scope_name == 'fgclip_det'
    # Our own hook, found lazily through the registry's `locations`.
    assert registry.HOOKS.get('PlainCheckpointHook').__module__.startswith(
        'fgclip_det.')
    # Stock mmdet modules through the parent registries.
    assert registry.MODELS.get('FasterRCNN') is mmdet_registry.MODELS.get(
        'FasterRCNN')
    assert registry.METRICS.get('LVISMetric') is not None
    assert registry.HOOKS.get('DetVisualizationHook') is not None


def test_register_all_modules_sets_scope():
    from fgclip_det.utils import register_all_modules

    register_all_modules(init_default_scope=True)
    assert DefaultScope.get_current_instance().scope_name == 'fgclip_det'
