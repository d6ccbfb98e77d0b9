"""Registries of fgclip_det, children of MMDetection's (scope ``fgclip_det``).

Every registry is declared once here with mmdet's registry as ``parent``, so a
config with ``default_scope = 'fgclip_det'`` builds both the toolkit's own
modules and every stock mmdet/mmengine module. ``locations`` lists the
packages imported lazily the first time a registry is searched, so tools need
no side-effect imports.
"""
from mmdet.registry import DATA_SAMPLERS as MMDET_DATA_SAMPLERS
from mmdet.registry import DATASETS as MMDET_DATASETS
from mmdet.registry import EVALUATOR as MMDET_EVALUATOR
from mmdet.registry import HOOKS as MMDET_HOOKS
from mmdet.registry import LOG_PROCESSORS as MMDET_LOG_PROCESSORS
from mmdet.registry import LOOPS as MMDET_LOOPS
from mmdet.registry import METRICS as MMDET_METRICS
from mmdet.registry import MODEL_WRAPPERS as MMDET_MODEL_WRAPPERS
from mmdet.registry import MODELS as MMDET_MODELS
from mmdet.registry import (
    OPTIM_WRAPPER_CONSTRUCTORS as MMDET_OPTIM_WRAPPER_CONSTRUCTORS,
)
from mmdet.registry import OPTIM_WRAPPERS as MMDET_OPTIM_WRAPPERS
from mmdet.registry import OPTIMIZERS as MMDET_OPTIMIZERS
from mmdet.registry import PARAM_SCHEDULERS as MMDET_PARAM_SCHEDULERS
from mmdet.registry import RUNNER_CONSTRUCTORS as MMDET_RUNNER_CONSTRUCTORS
from mmdet.registry import RUNNERS as MMDET_RUNNERS
from mmdet.registry import TASK_UTILS as MMDET_TASK_UTILS
from mmdet.registry import TRANSFORMS as MMDET_TRANSFORMS
from mmdet.registry import VISBACKENDS as MMDET_VISBACKENDS
from mmdet.registry import VISUALIZERS as MMDET_VISUALIZERS
from mmdet.registry import WEIGHT_INITIALIZERS as MMDET_WEIGHT_INITIALIZERS
from mmengine.registry import STRATEGIES as MMENGINE_STRATEGIES
from mmengine.registry import Registry as _MMEngineRegistry

SCOPE = 'fgclip_det'


class Registry(_MMEngineRegistry):
    """A registry that imports its ancestors' locations with its own.

    MMEngine imports only a registry's own ``locations`` before a lookup, so a
    child would not see mmdet's modules (``FasterRCNN``, ``CocoMetric``, ...)
    until something else imported ``mmdet.models``. Importing the parent's
    locations first makes every stock module available on first use.
    """

    def import_from_location(self) -> None:
        if self.parent is not None:
            self.parent.import_from_location()
        super().import_from_location()

RUNNERS = Registry(
    'runner', parent=MMDET_RUNNERS, locations=['fgclip_det.engine'])
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor',
    parent=MMDET_RUNNER_CONSTRUCTORS,
    locations=['fgclip_det.engine'])
LOOPS = Registry('loop', parent=MMDET_LOOPS, locations=['fgclip_det.engine'])
HOOKS = Registry(
    'hook', parent=MMDET_HOOKS, locations=['fgclip_det.engine.hooks'])
# mmdet declares no strategy registry: FlexibleRunner's come from mmengine's.
STRATEGIES = Registry(
    'strategy',
    parent=MMENGINE_STRATEGIES,
    locations=['fgclip_det.engine.strategies'])

DATASETS = Registry(
    'dataset', parent=MMDET_DATASETS, locations=['fgclip_det.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler',
    parent=MMDET_DATA_SAMPLERS,
    locations=['fgclip_det.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMDET_TRANSFORMS, locations=['fgclip_det.datasets'])

MODELS = Registry('model', parent=MMDET_MODELS, locations=['fgclip_det.models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper',
    parent=MMDET_MODEL_WRAPPERS,
    locations=['fgclip_det.models'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer',
    parent=MMDET_WEIGHT_INITIALIZERS,
    locations=['fgclip_det.models'])
TASK_UTILS = Registry(
    'task util', parent=MMDET_TASK_UTILS, locations=['fgclip_det.models'])

OPTIMIZERS = Registry(
    'optimizer', parent=MMDET_OPTIMIZERS, locations=['fgclip_det.engine'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper',
    parent=MMDET_OPTIM_WRAPPERS,
    locations=['fgclip_det.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMDET_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['fgclip_det.engine'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler',
    parent=MMDET_PARAM_SCHEDULERS,
    locations=['fgclip_det.engine'])

METRICS = Registry(
    'metric', parent=MMDET_METRICS, locations=['fgclip_det.evaluation'])
EVALUATOR = Registry(
    'evaluator', parent=MMDET_EVALUATOR, locations=['fgclip_det.evaluation'])

VISUALIZERS = Registry(
    'visualizer',
    parent=MMDET_VISUALIZERS,
    locations=['fgclip_det.visualization'])
VISBACKENDS = Registry('vis_backend', parent=MMDET_VISBACKENDS)
LOG_PROCESSORS = Registry(
    'log_processor',
    parent=MMDET_LOG_PROCESSORS,
    locations=['fgclip_det.engine'])

VISION_TRUNKS = Registry(
    'vision trunk', locations=['fgclip_det.models.clip.trunks'])
