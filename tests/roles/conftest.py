import pytest
from django.core.management import call_command


@pytest.fixture
def catalogue(db):
    """The committed catalogue fixtures, loaded the way `make run` loads them."""
    call_command("load_catalogue", verbosity=0)
