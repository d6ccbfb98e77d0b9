"""Version of the fgclip_det toolkit."""

__version__ = '0.1.0'


def parse_version_info(version_str: str) -> tuple:
    """Parse ``'0.1.0'`` (or ``'0.1.0rc1'``) into ``(0, 1, 0)`` (+ suffix)."""
    parts = []
    for piece in version_str.split('.'):
        if piece.isdigit():
            parts.append(int(piece))
        else:
            digits = ''.join(ch for ch in piece if ch.isdigit())
            parts.extend([int(digits[:1] or 0), piece[len(digits[:1]):]])
    return tuple(parts)


version_info = parse_version_info(__version__)
