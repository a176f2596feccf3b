import functools
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import pytest  # noqa: E402

from lib import Manifests, NAMESPACE, RELEASE, example_values  # noqa: E402
from render import render  # noqa: E402


@functools.lru_cache(maxsize=None)
def _rendered_example(name):
    return Manifests(render(example_values(name), name=RELEASE, namespace=NAMESPACE))


@pytest.fixture
def example():
    """example('minimal') -> Manifests of examples/minimal.yaml over the channel values."""
    return _rendered_example
