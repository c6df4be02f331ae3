from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema

from careerplan.api.errors import PROBLEM_CONTENT_TYPE


class AutoSchema(StandardizedErrorsAutoSchema):
    """drf-spectacular schema that also documents each endpoint's possible error responses."""


def problem_media_type_hook(result, generator, request, public):
    """Document 4xx/5xx bodies under `application/problem+json`, the type we really send."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content")
                if str(status)[0] in "45" and content and "application/json" in content:
                    content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
    return result
