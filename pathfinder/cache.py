"""The questionnaire is part of the catalogue: any question, option, weight or criterion saved
or deleted (admin and loaddata included) bumps the catalogue revision (roles.cache), which the
ETag of GET /path-finder/questions/ hashes, consistently across processes."""

from roles.cache import catalogue_changed, catalogue_version

__all__ = ["catalogue_version", "questionnaire_changed"]


def questionnaire_changed(**signal_kwargs) -> None:
    """Signal receiver. A signal fits here: it invalidates a cache and starts no business flow."""
    catalogue_changed(**signal_kwargs)
