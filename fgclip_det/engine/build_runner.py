"""The runner a config names, as the toolkit's tools build it."""
from mmengine.config import Config
from mmengine.runner import Runner

from fgclip_det.registry import RUNNERS


def build_runner(cfg: Config) -> Runner:
    """The config's ``runner_type`` (e.g. the configs' ``CheckpointSafeRunner``)
    built from the toolkit's registry, which also finds MMEngine's runners
    through its parents; MMEngine's ``Runner`` when the config names none."""
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)
