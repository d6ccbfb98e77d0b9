"""Which submodules of a model become their own FSDP2 shard unit."""
from typing import List, Optional, Sequence, Set

from torch import nn


def resolve_module(model: nn.Module, name: str) -> nn.Module:
    """The submodule called ``name``; a negative index counts from the end
    of a ``ModuleList`` / ``Sequential`` (``'visual.transformer.resblocks.-1'``).

    Raises:
        ValueError: ``name`` names no submodule of ``model``.
    """
    module = model
    for part in name.split('.'):
        if part.lstrip('-').isdigit() and isinstance(module, (nn.ModuleList,
                                                               nn.Sequential)):
            index = int(part)
            if not -len(module) <= index < len(module):
                raise ValueError(f'{name!r}: index {index} is out of range of '
                                 f'a {type(module).__name__} of {len(module)}')
            module = module[index]
        elif part in module._modules:
            module = module._modules[part]
        else:
            raise ValueError(f'{name!r} names no submodule of '
                             f'{type(model).__name__}: {type(module).__name__} '
                             f'has no child {part!r}')
    return module


def select_shard_units(model: nn.Module,
                       *,
                       unit_types: Sequence[str] = (),
                       min_unit_params: Optional[int] = None,
                       keep_in_parent: Sequence[str] = ()) -> List[str]:
    """Names of the submodules to shard as units, children before parents.

    A submodule (not the root, which is always a unit) becomes a unit when
    its class name is in ``unit_types``, or, with ``min_unit_params``, when
    the parameters it holds that no unit below it holds number at least
    that many (the rule of FSDP1's ``size_based_auto_wrap_policy``).
    Modules in ``keep_in_parent`` never become units: their parameters stay
    with the enclosing unit, for modules whose weights the model also uses
    outside their own ``forward`` (FG-CLIP's dense value path of the last
    ViT block), which FSDP2 would find still sharded.

    Args:
        model (nn.Module): The model, not sharded yet.
        unit_types (Sequence[str]): Class names, e.g.
            ``('ResidualAttentionBlock',)``. Defaults to ().
        min_unit_params (int, optional): Size rule. Defaults to None.
        keep_in_parent (Sequence[str]): Module names, see
            :func:`resolve_module`. Defaults to ().

    Returns:
        list[str]: Module names, each after all units inside it.

    Raises:
        ValueError: A name of ``unit_types`` matches no module (a typo would
            leave the model in one unit) or of ``keep_in_parent`` none.
    """
    found = {type(module).__name__ for module in model.modules()}
    missing = sorted(set(unit_types) - found)
    if missing:
        raise ValueError(f'unit_types {missing} match no module of '
                         f'{type(model).__name__}; its module classes are '
                         f'{sorted(found)}')
    kept = {id(resolve_module(model, name)) for name in keep_in_parent}
    units: List[str] = []
    held: Set[int] = set()  # ids of parameters already in a unit

    def visit(name: str, module: nn.Module) -> None:
        for child_name, child in module.named_children():
            visit(f'{name}.{child_name}' if name else child_name, child)
        if module is model or id(module) in kept:
            return
        free = [p for p in module.parameters() if id(p) not in held]
        by_size = (min_unit_params is not None and free
                   and sum(p.numel() for p in free) >= min_unit_params)
        if type(module).__name__ in unit_types or by_size:
            units.append(name)
            held.update(id(p) for p in module.parameters())

    visit('', model)
    return units
