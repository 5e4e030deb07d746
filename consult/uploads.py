"""Does an uploaded file hold what its name says? Checked from its first bytes (`filetype`).

A file named `.pdf` that is really a program, or a web page renamed `.png`, is refused. Text
kinds (txt, csv) must be text: no NUL bytes and no known binary signature. Kinds this table
does not know (a staff member may allow any extension on a file question) are checked by
their extension and size only.
"""

import filetype
from django.core.files.uploadedfile import UploadedFile

# Extension → what `filetype` may recognise in such a file. Office documents are ZIP
# containers that some tools write without the marker `filetype` looks for.
SIGNATURES: dict[str, set[str]] = {
    "pdf": {"pdf"},
    "png": {"png"},
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "gif": {"gif"},
    "webp": {"webp"},
    "mp3": {"mp3"},
    "m4a": {"m4a", "mp4"},
    "docx": {"docx", "zip"},
    "xlsx": {"xlsx", "zip"},
    "odt": {"odt", "zip"},
    "ods": {"ods", "zip"},
}
TEXT_KINDS = {"txt", "csv"}
HEAD_BYTES = 8192


def content_matches(upload: UploadedFile, extension: str) -> bool:
    """True when the file's first bytes fit its extension (or the extension is not known)."""
    extension = extension.lower().lstrip(".")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if extension == "rtf":
        return head.startswith(b"{\\rtf")
    if extension in TEXT_KINDS:
        return b"\x00" not in head and filetype.guess(head) is None
    expected = SIGNATURES.get(extension)
    if expected is None:
        return True
    kind = filetype.guess(head)
    return kind is not None and kind.extension in expected
