#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Render each reStructuredText file given with docutils (as rst2html,
PyPI and Odoo's module page do) and fail on what would not show as
written: any docutils warning or error, and table rows that did not
become a table (``| a | b |`` left as text in a paragraph: what pandoc
makes of a Markdown table broken by a line that is not a row).

Usage: check_rst.py FILE...
"""

import io
import re
import sys

from docutils import nodes
from docutils.core import publish_doctree
from docutils.utils import SystemMessage

# Two cells or more of a Markdown/grid row, as text.
STRAY_ROW = re.compile(r"\|[^|\n]+\|[^|\n]+\|")


def problems(path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    try:
        doctree = publish_doctree(
            source,
            source_path=path,
            # halt at the first warning; its message is the exception's
            settings_overrides={"halt_level": 2, "warning_stream": io.StringIO()},
        )
    except SystemMessage as exc:  # the first warning, halt_level=2
        return [str(exc)]
    found = []
    for paragraph in doctree.findall(nodes.paragraph):
        text = paragraph.astext()
        if STRAY_ROW.search(text):
            line = paragraph.line or (paragraph.parent and paragraph.parent.line)
            found.append(
                f"{path}:{line or '?'}: table rows shown as text "
                f"(a broken table in its source?): {text[:100]!r}"
            )
    return found


def main(paths):
    found = [message for path in paths for message in problems(path)]
    for message in found:
        print(message)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
