"""Make forked child processes (DataLoader workers) die with their parent.

PyTorch's worker loop polls ``os.getppid()`` and leaves when the main process
is gone, but the worker then joins the feeder thread of its result queue
(``multiprocessing.Queue._finalize_join``). Once that queue's pipe is full,
nobody reads it any more and the join never returns: after ``kill -9`` of a
run whose batches are not all shared-memory tensors (numpy arrays, large
metadata), the forked workers live on, holding their memory. Linux's
``PR_SET_PDEATHSIG`` has the kernel kill a child the moment its parent dies.
"""
import ctypes
import os
import signal
import sys
from typing import Optional

#: ``prctl`` option: the signal sent to this process when its parent dies.
PR_SET_PDEATHSIG = 1

_hooked = False
_forking_pid: Optional[int] = None


def exit_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Have the kernel send ``sig`` to this process when its parent dies.

    Args:
        sig (int): The signal. Defaults to ``SIGKILL``.

    Returns:
        bool: True on Linux; False elsewhere (no such request exists).

    Raises:
        OSError: If ``prctl`` refuses the request.
    """
    if not sys.platform.startswith('linux'):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f'prctl(PR_SET_PDEATHSIG): {os.strerror(errno)}')
    return True


def _remember_forking_pid() -> None:
    global _forking_pid
    _forking_pid = os.getpid()


def _die_with_parent() -> None:
    # The parent may have died between fork() and prctl(): then no signal
    # will come, and the child is an orphan already.
    if exit_with_parent() and os.getppid() != _forking_pid:
        os._exit(1)


def bind_forked_children_to_parent() -> None:
    """Kill every process forked from now on when its parent dies.

    Call it once in the main process of a run, before its dataloaders start
    their workers (``mp_start_method='fork'``, the configs' setting); it
    does nothing on a second call. Spawned and forkserver workers are not
    covered (PyTorch's own check ends them). The kernel signals a child when
    the *thread* that forked it ends, so iterate dataloaders from the main
    thread or from threads that live as long as the run.
    """
    global _hooked
    if _hooked or not sys.platform.startswith('linux'):
        return
    os.register_at_fork(before=_remember_forking_pid,
                        after_in_child=_die_with_parent)
    _hooked = True


def bind_run_to_launcher(launcher: str) -> None:
    """What ``tools/train.py`` and ``tools/test.py`` call first: under
    ``torchrun`` (``launcher='pytorch'``) a rank dies with its agent, and
    dataloader workers always die with the run."""
    if launcher == 'pytorch':
        exit_with_parent()
    bind_forked_children_to_parent()
