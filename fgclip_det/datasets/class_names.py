"""Class names of a vocabulary: their prompt text, and the checks they pass."""
from typing import Optional, Sequence


def class_name_to_text(name: str) -> str:
    """Readable text of a class name (LVIS ``'bow_(weapon)'`` -> ``'bow
    (weapon)'``)."""
    return name.replace('_', ' ').strip()


def prompt_key(name: str) -> str:
    """What the CLIP text tower sees of a name: its text, lower case, with
    runs of white space as one space (the BPE tokenizer's cleaning)."""
    return ' '.join(class_name_to_text(name).lower().split())


def check_class_names(names: Sequence[str],
                      source: Optional[str] = None) -> None:
    """Raise unless every name is a non-empty string and no two collide.

    An empty name fills the prompts with nothing and matches any box; two
    names with the same prompt text (``'traffic_light'``, ``'Traffic
    light'``) get the same embedding, so one of them is never predicted.

    Args:
        names (Sequence[str]): The vocabulary, in order.
        source (str, optional): Where the names come from, for the error.

    Raises:
        TypeError: If ``names`` is a single string or holds a non-string.
        ValueError: If it is empty, or a name is empty or white space (or
            underscores) only, or two names collide; the error names the
            indices and the names.
    """
    where = f' in {source!r}' if source else ''
    if isinstance(names, str):
        raise TypeError(f'expected a sequence of class names, got the string '
                        f'{names!r}; split a comma list with '
                        'load_vocabulary')
    if len(names) == 0:
        raise ValueError(f'no class names{where}')
    first_index = {}
    for index, name in enumerate(names):
        if not isinstance(name, str):
            raise TypeError(f'class name {index}{where} is a '
                            f'{type(name).__name__} ({name!r}), expected str')
        key = prompt_key(name)
        if not key:
            raise ValueError(f'class name {index}{where} is empty: {name!r}')
        if key in first_index:
            other = first_index[key]
            raise ValueError(
                f'duplicate class names{where}: {other} ({names[other]!r}) '
                f'and {index} ({name!r}) give the same prompt text {key!r}')
        first_index[key] = index
