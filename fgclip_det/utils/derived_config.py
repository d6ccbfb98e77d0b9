"""Config values derived from other config values, for configs that vary a
recipe (another tower, another pipeline) without writing it again.

Python configs cannot deep-merge two dicts of their own into one key with
``dict(...)``, and MMEngine merges a leaf only into its bases, so these
helpers do it in the config file itself. They return new plain dicts and
leave their arguments as they were.
"""
from typing import Mapping, Sequence, Tuple

from fgclip_det.datasets.transforms.pipeline_size import Size, at_size

#: MMEngine's marker for "replace the base's dict instead of merging into it".
DELETE_KEY = '_delete_'


def merged(base: Mapping, *updates: Mapping) -> dict:
    """``base`` with each of ``updates`` merged into it, as MMEngine merges a
    config into its base: dicts key by key, any other value replaced.

    A dict in an update that holds ``_delete_=True`` replaces the dict it
    meets instead of merging into it. Every ``_delete_`` is kept in the
    result, so that MMEngine applies it again when the result is merged into
    a base config.

    Args:
        base (Mapping): The dict merged into.
        *updates (Mapping): The dicts merged in, in order.

    Returns:
        dict: A new dict; nested dicts of ``base`` are copied where an
        update changes them.
    """
    result = dict(base)
    for update in updates:
        for key, value in update.items():
            old = result.get(key)
            if (isinstance(value, Mapping) and isinstance(old, Mapping)
                    and not value.get(DELETE_KEY, False)):
                result[key] = merged(old, value)
            else:
                result[key] = value
    return result


def with_pipeline(pipeline: Sequence[Mapping],
                  *loaders: Mapping) -> Tuple[dict, ...]:
    """Each of ``loaders`` (dataloader configs) with ``pipeline`` as its
    dataset's pipeline.

    Args:
        pipeline (Sequence[Mapping]): The transforms.
        *loaders (Mapping): Dataloader configs, each with a ``dataset``.

    Returns:
        tuple[dict, ...]: One new loader config for each of ``loaders``.

    Raises:
        KeyError: A loader has no ``dataset``.
    """
    for index, loader in enumerate(loaders):
        if 'dataset' not in loader:
            raise KeyError(f'with_pipeline: loader {index} has no "dataset" '
                           f'(keys: {sorted(loader)}); expected a dataloader '
                           'config')
    return tuple(
        merged(loader, dict(dataset=dict(pipeline=list(pipeline))))
        for loader in loaders)


def tower_at_size(tower_model: Mapping, image_size: Size,
                  recipe_model: Mapping,
                  pipelines: Sequence[Sequence[Mapping]],
                  *updates: Mapping) -> Tuple:
    """A detector recipe on another tower at that tower's input size.

    Args:
        tower_model (Mapping): What the tower changes in the recipe's model
            (backbone, strides, widths, padding).
        image_size (int | tuple[int, int]): The tower's input size.
        recipe_model (Mapping): The recipe's model, whose
            ``data_preprocessor.batch_augments`` are re-sized.
        pipelines (Sequence[Sequence[Mapping]]): The recipe's pipelines.
        *updates (Mapping): More changes to the model, merged in last.

    Returns:
        tuple: The model changes (``tower_model``, the batch augments at
        ``image_size``, then ``updates``, merged as by :func:`merged`), then
        each of ``pipelines`` at ``image_size``.

    Raises:
        KeyError: ``recipe_model`` has no
            ``data_preprocessor.batch_augments``.
    """
    preprocessor = recipe_model.get('data_preprocessor', {})
    if 'batch_augments' not in preprocessor:
        raise KeyError('tower_at_size: the recipe model has no '
                       'data_preprocessor.batch_augments to re-size (its '
                       f'data_preprocessor: {dict(preprocessor)})')
    batch_augments = at_size(preprocessor['batch_augments'], image_size)
    model = merged(tower_model,
                   dict(data_preprocessor=dict(batch_augments=batch_augments)),
                   *updates)
    return (model, *(at_size(pipeline, image_size) for pipeline in pipelines))


def flexible_runner(recipe: Mapping) -> Tuple[str, dict]:
    """``runner_type`` and ``optim_wrapper`` of a recipe run by MMEngine's
    ``FlexibleRunner`` with a strategy of ``configs/_base_/strategies/``.

    Args:
        recipe (Mapping): The merged base config of a leaf (its ``_base_``),
            with the recipe's ``optim_wrapper`` and the strategy fragment's
            ``flexible_optim_wrapper`` (the wrapper type the strategy needs).

    Returns:
        tuple[str, dict]: ``'FlexibleRunner'`` and an optimiser wrapper of
        that type (replacing the recipe's, ``_delete_``) with the recipe's
        ``optimizer`` and ``paramwise_cfg``.

    Raises:
        KeyError: ``recipe`` lacks one of those keys.
    """
    missing = [key for key in ('optim_wrapper', 'flexible_optim_wrapper')
               if key not in recipe]
    if missing:
        raise KeyError(f'flexible_runner: the base config has no {missing}; '
                       'expected a recipe and a configs/_base_/strategies/ file')
    recipe_wrapper = recipe['optim_wrapper']
    return 'FlexibleRunner', dict(
        _delete_=True, type=recipe['flexible_optim_wrapper'],
        **{key: recipe_wrapper[key] for key in ('optimizer', 'paramwise_cfg')})
