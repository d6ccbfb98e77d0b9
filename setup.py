"""Packaging for fgclip_det.

``configs/``, ``tools/`` and ``model-index.yml`` are shipped inside the
package under ``fgclip_det/.mim`` (the OpenMMLab layout), so an installed
wheel finds its configs with ``mim`` or :func:`fgclip_det.utils.get_config_path`.
An editable install links them there instead; a wheel or sdist build copies
them for the build and then puts the links back, so a checkout never keeps
stale copies. ``tools/install.sh`` also links them into site-packages, where
mim looks for them under an editable install.
"""
import os
import os.path as osp
import shutil
import sys
from typing import Optional

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def read_version() -> str:
    namespace: dict = {}
    with open(osp.join(HERE, 'fgclip_det', 'version.py'), encoding='utf-8') as f:
        exec(compile(f.read(), 'version.py', 'exec'), namespace)
    return namespace['__version__']


def read_requirements(name: str) -> list:
    """Requirement lines of ``requirements/<name>.txt`` without comments."""
    path = osp.join(HERE, 'requirements', f'{name}.txt')
    with open(path, encoding='utf-8') as f:
        lines = (line.split('#', 1)[0].strip() for line in f)
        return [line for line in lines if line]


def mim_mode() -> Optional[str]:
    """``'symlink'`` (editable install), ``'copy'`` (wheel, sdist) or None."""
    if 'develop' in sys.argv or 'editable_wheel' in sys.argv:
        return 'symlink'
    if any(cmd in sys.argv for cmd in ('sdist', 'bdist_wheel', 'install')):
        return 'copy'
    return None


def add_mim_extension(mode: str) -> None:
    """Link (``'symlink'``) or copy (``'copy'``) the mim files into the package.

    A source missing from the tree leaves the package's copy as it is.
    """
    mim_dir = osp.join(HERE, 'fgclip_det', '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_FILES:
        src = osp.join(HERE, name)
        dst = osp.join(mim_dir, name)
        if not osp.exists(src):
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_dir), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns(
                '__pycache__', '*.pyc'))
        else:
            shutil.copyfile(src, dst)


if __name__ == '__main__':
    mode = mim_mode()
    if mode is not None:
        add_mim_extension(mode)
    with open(osp.join(HERE, 'README.md'), encoding='utf-8') as f:
        long_description = f.read()
    setup(
        name='fgclip_det',
        version=read_version(),
        description='FG-CLIP pretraining and F-ViT open-vocabulary detection '
        'on MMDetection 3',
        long_description=long_description,
        long_description_content_type='text/markdown',
        keywords='open-vocabulary detection, CLIP, FG-CLIP, F-ViT, mmdetection',
        packages=find_packages(exclude=('configs', 'tools', 'tests')),
        include_package_data=True,
        package_data={'fgclip_det': ['.mim/**/*', '.mim/*']},
        python_requires='>=3.10',
        license='Apache License 2.0',
        install_requires=read_requirements('runtime'),
        extras_require={
            'tests': read_requirements('tests'),
            'optional': read_requirements('optional'),
            'demo': read_requirements('demo'),
            'all': (read_requirements('tests') + read_requirements('optional')
                    + read_requirements('demo')),
        },
        classifiers=[
            'Programming Language :: Python :: 3',
            'License :: OSI Approved :: Apache Software License',
            'Topic :: Scientific/Engineering :: Artificial Intelligence',
        ],
        zip_safe=False,
    )
    if mode == 'copy':
        # The build has taken its copies; a checkout keeps links to the
        # sources, not copies that go stale as configs change.
        add_mim_extension('symlink')
