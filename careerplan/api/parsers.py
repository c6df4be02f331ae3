"""The API's JSON parser: DRF's, with nesting too deep for the decoder answered as a 400.

Python's json module recurses once per nested array/object; a body such as `[[[[...]]]]`
nested ~1,000 deep raises RecursionError, which DRF does not catch (it was a 500, found by the
bad-input corpus). Such a body is malformed for every endpoint here: answer a parse error.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

TOO_DEEP = "JSON parse error - the document is nested too deeply."


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
