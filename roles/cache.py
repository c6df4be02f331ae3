"""The catalogue's cache version: every catalogue row saved or deleted changes every ETag."""

from careerplan.api.caching import bump_resource_version, resource_version

CATALOGUE = "catalogue"


def catalogue_version() -> str:
    return resource_version(CATALOGUE)


def catalogue_changed(**_signal_kwargs) -> None:
    """Signal receiver (save, delete, m2m change of any catalogue model; admin and loaddata too).

    A signal fits here: it invalidates a cache and starts no business flow.
    """
    bump_resource_version(CATALOGUE)
