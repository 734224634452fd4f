import pytest

import unspin


@pytest.fixture(scope="session")
def detector():
    """The default detector on the real resources (loaded once for the whole run)."""
    return unspin.Detector()
