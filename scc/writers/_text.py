"""Making untrusted text safe for the documents writers produce (XML and spreadsheets)."""
from __future__ import annotations

import re

# XML 1.0 Char production: tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF
NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_text(value: object) -> str:
    """The text with characters XML 1.0 cannot carry replaced by U+FFFD."""
    return NOT_XML_CHAR.sub("\ufffd", "" if value is None else str(value))


def spreadsheet_text(value: object) -> str:
    """Text a spreadsheet shows as text: a leading = + - @ tab or CR gets a single-quote prefix (OWASP CSV
    injection guidance), and characters XML cannot carry are replaced."""
    text = xml_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
