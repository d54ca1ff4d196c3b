#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Write each addon's README.rst from its readme/*.md fragments, in the
layout of OCA's oca-gen-addon-readme (title and badges from the manifest,
then the fragments in OCA's order), converting Markdown with pandoc
(pypandoc-binary, from PyPI: OCA's generator itself is not published
there). Run by the gen-addon-readme hook of .pre-commit-config.yaml, so a
fragment changed without its README.rst fails the lint step.

Usage: gen_readme.py [ADDON_DIR...] (default: every addon of the repository).
"""

import ast
import pathlib
import re
import sys

import pypandoc

ROOT = pathlib.Path(__file__).resolve().parent.parent
# (fragment, section title), in OCA's order; DESCRIPTION opens the page.
SECTIONS = (
    ("CONTEXT", "Use Cases / Context"),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("DEVELOP", "Development"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
    ("CONTRIBUTORS", "Contributors"),
)
# A fence's language makes pandoc write ``.. code:: json``, which docutils
# can only render with Pygments (Odoo warns at install when it is missing):
# plain literal blocks instead.
CODE_DIRECTIVE = re.compile(r"^(\s*)\.\. code:: \S+$", re.MULTILINE)
BADGES = """\
|badge1| |badge2|

.. |badge1| image:: https://img.shields.io/badge/maturity-{status}-yellow.png
    :alt: {status}
.. |badge2| image:: https://img.shields.io/badge/license-AGPL--3-blue.png
    :target: http://www.gnu.org/licenses/agpl-3.0-standalone.html
    :alt: License: AGPL-3
"""


def to_rst(path):
    # --wrap=none: one line per paragraph, so a reflowed fragment does not
    # rewrite the whole README.
    text = pypandoc.convert_file(
        str(path), "rst", format="gfm", extra_args=["--wrap=none"]
    )
    return CODE_DIRECTIVE.sub(r"\1::", text).strip() + "\n"


def title(text, char="="):
    return f"{text}\n{char * len(text)}\n"


def render(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    readme = addon / "readme"
    name = manifest["name"]
    parts = [
        f"{'=' * len(name)}\n{title(name)}",
        BADGES.format(status=manifest.get("development_status", "Beta")),
    ]
    if (readme / "DESCRIPTION.md").exists():
        parts.append(to_rst(readme / "DESCRIPTION.md"))
    parts.append("**Table of contents**\n\n.. contents::\n   :local:\n")
    for fragment, heading in SECTIONS:
        path = readme / f"{fragment}.md"
        if path.exists():
            parts.append(title(heading) + "\n" + to_rst(path))
    authors = [a.strip() for a in manifest.get("author", "").split(",") if a.strip()]
    credits = title("Credits") + "\n" + title("Authors", "-") + "\n"
    credits += "".join(f"* {author}\n" for author in authors)
    website = manifest.get("website")
    if website:
        project = website.rstrip("/").rsplit("/", 1)[-1]
        credits += f"\nThis module is part of the `{project} <{website}>`_ project.\n"
    parts.append(credits)
    return "\n".join(parts)


def addons():
    return sorted(p.parent for p in ROOT.glob("*/__manifest__.py"))


def main(args):
    for addon in [pathlib.Path(a).resolve() for a in args] or addons():
        target = addon / "README.rst"
        text = render(addon)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"{target.relative_to(ROOT)} regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
