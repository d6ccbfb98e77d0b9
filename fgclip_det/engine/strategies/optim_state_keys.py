"""Optimiser state dicts keyed by parameter index or by parameter name.

``torch.optim.Optimizer.state_dict()`` numbers the parameters 0, 1, ... in
the order of its parameter groups; ``torch.distributed.checkpoint``'s
``get_optimizer_state_dict`` keys them by their names in the model (FQNs).
Checkpoints keep torch's numbered form, so that a plain (unsharded) run
loads them with ``optimizer.load_state_dict`` as any MMEngine checkpoint.
"""
from typing import Dict, List

from torch import nn
from torch.optim import Optimizer


def parameter_names(model: nn.Module, optimizer: Optimizer) -> List[str]:
    """The model's name of each parameter of ``optimizer``, in torch's
    numbering order (group by group, first occurrence)."""
    names = {id(param): name for name, param in model.named_parameters()}
    ordered: List[str] = []
    seen = set()
    for group in optimizer.param_groups:
        for param in group['params']:
            if id(param) in seen:
                continue
            if id(param) not in names:
                raise ValueError(f'the optimizer holds a parameter of shape '
                                 f'{tuple(param.shape)} that is not one of '
                                 f"{type(model).__name__}'s")
            seen.add(id(param))
            ordered.append(names[id(param)])
    return ordered


def names_to_indices(state_dict: Dict) -> Dict:
    """A name-keyed optimiser state dict in torch's numbered form."""
    index: Dict[str, int] = {}
    groups = []
    for group in state_dict['param_groups']:
        for name in group['params']:
            index.setdefault(name, len(index))
        groups.append(dict(group, params=[index[n] for n in group['params']]))
    state = {index[name]: value for name, value in state_dict['state'].items()}
    return dict(state=state, param_groups=groups)


def indices_to_names(state_dict: Dict, names: List[str]) -> Dict:
    """A numbered optimiser state dict keyed by the names of ``names``
    (:func:`parameter_names` of the optimiser that loads it).

    Raises:
        ValueError: The checkpoint's groups hold another number of
            parameters than this optimiser's.
    """
    sizes = [len(group['params']) for group in state_dict['param_groups']]
    if sum(sizes) != len(names):
        raise ValueError(
            f'the optimizer state of the checkpoint holds {sum(sizes)} '
            f'parameters in {len(sizes)} groups {sizes}, this optimizer '
            f'{len(names)}: was it saved with another model or paramwise_cfg?')
    groups = [dict(group, params=[names[i] for i in group['params']])
              for group in state_dict['param_groups']]
    state = {names[i]: value for i, value in state_dict['state'].items()}
    return dict(state=state, param_groups=groups)
