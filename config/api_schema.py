"""OpenAPI post-processing: describe the error answers every endpoint can give.

drf-spectacular documents the success responses of each view; the errors that Django REST
framework gives on its own (an unknown object, a bad filter value, a wrong method or media
type, a missing or bad token) are the same everywhere, so they are added here once.
"""

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# Field errors: each field (or "non_field_errors") maps to messages, or, for nested data, to
# more field errors.
FIELD_ERRORS = {"type": "object", "additionalProperties": True}

ERRORS = {
    "400": ("Invalid input: messages by field, in the request's language.", FIELD_ERRORS),
    "401": ("Authentication is missing or not valid.", DETAIL),
    "403": ("Not allowed.", DETAIL),
    "404": ("Not found.", DETAIL),
    "405": ("Method not allowed.", DETAIL),
    "406": ("Not acceptable.", DETAIL),
    "415": ("Unsupported media type.", DETAIL),
    "429": ("Too many requests; try again later.", DETAIL),
}


def add_error_responses(result, generator, request, public):
    """Add the common error responses to every operation that does not describe its own."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, (description, schema) in ERRORS.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": schema}},
                    },
                )
    return result
