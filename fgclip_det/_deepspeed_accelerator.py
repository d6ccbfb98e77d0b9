"""Name DeepSpeed's accelerator before anything imports it.

MMEngine's runner imports DeepSpeed when it is installed. Without CUDA,
DeepSpeed then prints "Setting accelerator to CPU ..." on stdout at import,
into the output of every tool (``tools/download.py`` prints a path there
for scripts). Setting ``DS_ACCELERATOR=cpu`` where there is no CUDA names the
accelerator DeepSpeed would choose anyway, so it says nothing. A value the
user set is kept.
"""
import os

import torch


def name_deepspeed_accelerator() -> None:
    """Set ``DS_ACCELERATOR=cpu`` on machines without CUDA, unless set."""
    if 'DS_ACCELERATOR' not in os.environ and not torch.cuda.is_available():
        os.environ['DS_ACCELERATOR'] = 'cpu'
