"""Django REST framework's own error messages, listed so that `makemessages` puts them in our
catalogues.

DRF ships no catalogue for some of our languages (Malay, Tamil), so without this its type
errors stay English there. Nothing imports this module: gettext finds the translations by
message id, and catalogues in LOCALE_PATHS come first.
"""

from django.utils.translation import gettext_noop

DRF_MESSAGES = (
    gettext_noop("A valid integer is required."),
    gettext_noop("A valid number is required."),
    gettext_noop("Must be a valid UUID."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("This field may not be null."),
    gettext_noop("This field may not be blank."),
    gettext_noop("This list may not be empty."),
    gettext_noop('Expected a list of items but got type "{input_type}".'),
    gettext_noop('Expected a dictionary of items but got type "{input_type}".'),
    gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
    gettext_noop('"{input}" is not a valid choice.'),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop("Authentication credentials were not provided."),
    gettext_noop('Method "{method}" not allowed.'),
    gettext_noop('Unsupported media type "{media_type}" in request.'),
)
