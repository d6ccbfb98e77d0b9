"""Progress of the class-embedding builds a user waits for."""
import torch

from fgclip_det.models.evaluators import ClassTextEmbeddings, class_text_embeddings
from fgclip_det.models.text import build_class_embeddings
from fgclip_det.testing import build_tiny_fgclip


def test_build_shows_classes_times_templates(capsys):
    encoded = []

    def encode(prompts):
        encoded.append(len(prompts))
        return torch.randn(len(prompts), 4)

    build_class_embeddings(encode, ['cat', 'dog', 'cow'], ['a {}.', 'the {}.'],
                           batch_size=4, progress=True)
    err = capsys.readouterr().err
    assert 'text embeddings of 3 classes x 2 templates' in err
    assert '6/6' in err and encoded == [4, 2]
    build_class_embeddings(encode, ['cat'], ['a {}.'])
    assert capsys.readouterr().err == ''  # off unless asked for


def test_first_batch_vocabulary_is_announced_and_shown(capsys, monkeypatch):
    logged = []  # the runner's logger may write anywhere: record the call
    monkeypatch.setattr(class_text_embeddings, 'print_log',
                        lambda message, **_: logged.append(message))
    embeddings = ClassTextEmbeddings(vocabulary='cat,dog', templates='single')
    assert embeddings(build_tiny_fgclip()).shape == (2, 32)
    assert logged == ['building the class embeddings of 2 classes x 1 '
                      'templates before the first batch']
    assert 'text embeddings of 2 classes x 1 templates' in capsys.readouterr().err
