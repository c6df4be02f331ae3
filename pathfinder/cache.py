"""The questionnaire's cache version: any question, option, weight or criterion saved or
deleted (admin and loaddata included) changes the ETag of GET /path-finder/questions/."""

from careerplan.api.caching import bump_resource_version

QUESTIONNAIRE = "path-finder-questionnaire"


def questionnaire_changed(**_signal_kwargs) -> None:
    """Signal receiver. A signal fits here: it invalidates a cache and starts no business flow."""
    bump_resource_version(QUESTIONNAIRE)
