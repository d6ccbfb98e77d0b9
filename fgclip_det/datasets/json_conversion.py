"""The command line of the annotation converters: a json file in, its
converted copy out (``tools/data/make_ov_coco.py``, ``make_ov_lvis.py``)."""
import argparse
import json
from typing import Callable, Tuple


def parse_src_dst_args(description: str, src_help: str) -> argparse.Namespace:
    """Parse the positional ``src`` (input json) and ``dst`` (output json).

    Args:
        description (str): The tool's ``--help`` description.
        src_help (str): Help of ``src``.

    Returns:
        argparse.Namespace: ``src`` and ``dst``.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help=src_help)
    parser.add_argument('dst', help='output json')
    return parser.parse_args()


def convert_json_file(src: str, dst: str,
                      convert: Callable[[dict], dict]) -> Tuple[dict, dict]:
    """Read the json file ``src`` and write ``convert`` of it to ``dst``.

    Args:
        src (str): Input json file.
        dst (str): Output json file, written as UTF-8.
        convert (Callable[[dict], dict]): The conversion; it leaves its
            argument unchanged.

    Returns:
        tuple[dict, dict]: The content of ``src`` and of ``dst``.
    """
    with open(src, encoding='utf-8') as f:
        data = json.load(f)
    converted = convert(data)
    with open(dst, 'w', encoding='utf-8') as f:
        json.dump(converted, f)
    return data, converted
