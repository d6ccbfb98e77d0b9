"""Start the stage-2 logit scales at the global one once weights are loaded."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from fgclip_det.registry import HOOKS


@HOOKS.register_module()
class InitRegionScalesHook(Hook):
    """Call ``FGCLIPPretrainer.init_region_scales`` before training starts.

    The public stage-2 script sets the regional and hard-negative
    log-scales to the loaded model's global ``logit_scale``
    (``fgclip/train/train_fgclip.py``, ``train()``:
    ``model.logit_scale_finegraind = nn.Parameter(torch.ones([]) *
    model.logit_scale)``, the same for ``logit_scale_hardneg``), i.e. 100
    after exponentiation for OpenAI CLIP, and a resumed run restores the
    trained ones from its checkpoint. MMEngine loads ``load_from`` after the
    model is built, so the copy runs here, in ``before_train``, after
    ``load_from`` and resuming: a run resumed past iteration 0 keeps the
    scales of its checkpoint. The model's ``init_region_scales_from_global``
    switches the copy off.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        """Copy the global log-scale unless the run was resumed."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not callable(getattr(model, 'init_region_scales', None)):
            raise TypeError(f'{type(self).__name__} needs a model with '
                            f'init_region_scales() (FGCLIPPretrainer), got '
                            f'{type(model).__name__}')
        if runner.iter > 0:
            runner.logger.info(
                f'resumed at iteration {runner.iter}: the regional and '
                'hard-negative logit scales of the checkpoint are kept')
            return
        names = model.init_region_scales()
        if names:
            value = model.clip.logit_scale.exp().item()
            runner.logger.info(f'{", ".join(names)} set to the global logit '
                               f'scale ({value:.4g} after exp)')
