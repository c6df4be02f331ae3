"""The API's JSON parser: DRF's, answering as a 400 parse error two kinds of body that are
malformed for every endpoint here but that DRF lets through.

- Nesting too deep for the decoder: Python's json module recurses once per nested
  array/object, so a body such as `[[[[...]]]]` nested ~1,000 deep raised RecursionError,
  which DRF does not catch (a 500, found by the bad-input corpus).
- A lone surrogate (`"\\ud800"` with no partner), in a key or a value: it is no character, so
  orjson refuses to render it, and an error that names the key (an unknown field) or repeats
  the value was a 500 at rendering. Only a `\\u` escape can make one (raw UTF-8 cannot encode
  it and fails decoding first), so UTF-8 bodies without such an escape are not walked.
"""

import io
import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

TOO_DEEP = "JSON parse error - the document is nested too deeply."
LONE_SURROGATE = (
    "JSON parse error - the document holds a lone surrogate (a \\ud800-\\udfff escape without "
    "its partner), which is not a character."
)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        escaped = _SURROGATE_ESCAPE.search(raw) or encoding.lower().replace("-", "") != "utf8"
        if escaped and _holds_lone_surrogate(data):
            raise ParseError(LONE_SURROGATE)
        return data


def _holds_lone_surrogate(data) -> bool:
    """Whether a string anywhere in the parsed document, key or value, cannot be encoded
    (walked without recursion: the document may be nested as deep as the decoder allowed)."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False
