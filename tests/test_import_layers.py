"""The import layers of the package (docs/layout.md): data below models."""
import subprocess
import sys

#: Imports every module of fgclip_det.datasets in a fresh interpreter and
#: prints the fgclip_det.models modules that came with them.
IMPORT_DATASETS = '''
import importlib, pkgutil, sys
import fgclip_det.datasets as datasets
for module in pkgutil.walk_packages(datasets.__path__, 'fgclip_det.datasets.'):
    importlib.import_module(module.name)
print(sorted(m for m in sys.modules if m.startswith('fgclip_det.models')))
'''


def test_datasets_import_nothing_of_models():
    result = subprocess.run([sys.executable, '-c', IMPORT_DATASETS],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == '[]'
