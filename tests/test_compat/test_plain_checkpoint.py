"""Checkpoints made plain load with weights_only=True and restore exactly."""
import io
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

from fgclip_det.compat import (
    HISTORY_BUFFER_TAG,
    find_unplain_paths,
    restore_from_plain,
    to_plain,
)


def _message_hub_state() -> dict:
    hub = MessageHub.get_instance('test_plain_checkpoint')
    for i in range(5):
        hub.update_scalar('train/loss', 1.0 / (i + 1))
        hub.update_scalar('train/lr', np.float32(0.1), count=2)
    hub.update_info('iter', 5)
    hub.update_info('best_score', np.float64(0.25))
    return hub.state_dict()


def _save_load(obj, weights_only: bool):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=weights_only)


def test_raw_mmengine_state_is_rejected_by_safe_loader():
    checkpoint = {'message_hub': _message_hub_state()}
    with pytest.raises(pickle.UnpicklingError):
        _save_load(checkpoint, weights_only=True)


def test_plain_state_loads_safely_and_restores_history():
    state = _message_hub_state()
    checkpoint = OrderedDict(
        message_hub=state,
        meta=dict(seed=np.int64(3), dataset_meta=dict(classes=('a', 'b'))),
        state_dict=OrderedDict(w=torch.ones(2)))
    loaded = _save_load(to_plain(checkpoint), weights_only=True)
    assert loaded['meta']['seed'] == 3 and type(loaded['meta']['seed']) is int
    assert loaded['meta']['dataset_meta']['classes'] == ('a', 'b')
    assert isinstance(loaded['state_dict'], OrderedDict)
    assert loaded['message_hub']['runtime_info']['best_score'] == 0.25

    restored = restore_from_plain(loaded)
    for key, original in state['log_scalars'].items():
        buffer = restored['message_hub']['log_scalars'][key]
        assert isinstance(buffer, HistoryBuffer)
        np.testing.assert_array_equal(buffer.data[0], original.data[0])
        np.testing.assert_array_equal(buffer.data[1], original.data[1])
        assert buffer.max_length == original.max_length
        assert buffer.mean(3) == pytest.approx(original.mean(3))


def test_tagged_dict_layout():
    plain = to_plain(HistoryBuffer([1.0, 2.0], [1, 1], max_length=7))
    assert plain == {
        HISTORY_BUFFER_TAG: {
            'log_history': [1.0, 2.0],
            'count_history': [1, 1],
            'max_length': 7
        }
    }


def test_unknown_leaves_are_reported_with_their_path():

    class Opaque:
        pass

    checkpoint = {'meta': {'extra': [1, Opaque()]}, 'ok': torch.zeros(1)}
    assert find_unplain_paths(checkpoint) == ['meta.extra[1]']
