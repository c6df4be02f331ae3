"""Request-shape helpers shared by every app's serializers."""

from rest_framework import serializers

UNKNOWN_FIELD = "Unknown field. Accepted fields: {fields}."
READ_ONLY_FIELD = "This field cannot be changed here."


class RejectUnknownFieldsMixin:
    """A request body with a field the serializer does not accept is a 400, not silently
    ignored: a client typo (`timezon`) or a read-only field must not look like success."""

    read_only_messages: dict[str, str] = {}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {}
            for key in data:
                if key in writable:
                    continue
                if key in self.fields:
                    errors[key] = [
                        serializers.ErrorDetail(
                            self.read_only_messages.get(key, READ_ONLY_FIELD), code="read_only"
                        )
                    ]
                else:
                    errors[key] = [
                        serializers.ErrorDetail(
                            UNKNOWN_FIELD.format(fields=", ".join(sorted(writable))),
                            code="unknown_field",
                        )
                    ]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, nothing else: `"7"`, `7.0` and `true` are refused, not coerced."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's SlugRelatedField, refusing a NUL character as its field's 400 (as DRF's CharField
    does) before the look-up: PostgreSQL text cannot hold one, and psycopg's DataError for it
    is not among the errors DRF's field turns into "does not exist" (a 500 there; SQLite
    accepted it)."""

    default_error_messages = {"null_characters": "Null characters are not allowed."}

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_characters")
        return self.look_up(data)

    def look_up(self, data):
        """The row `data` names (a subclass's own look-up goes here, after the NUL check)."""
        return super().to_internal_value(data)


class ListField(serializers.ListField):
    """DRF's ListField, refusing a list over `max_length` before validating its items: DRF
    checks the length after them, so a 1 MB body of a quarter million bad items was validated
    item by item (about 40 s of a worker) into as many errors."""

    def to_internal_value(self, data):
        if self.max_length is not None and isinstance(data, list) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)
