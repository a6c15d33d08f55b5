#!/usr/bin/env python3
# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Build README.rst and static/description/index.html from the manifest and
the readme/ fragments, in the layout of OCA's oca-gen-addon-readme.

The fragments are Markdown (readme/NAME.md), converted here to
reStructuredText: headings, paragraphs, bullet and numbered lists (nested by
indentation), fenced code blocks, pipe tables, and inline code, bold,
emphasis and links. A readme/NAME.rst fragment is taken as it is.

Usage: scripts/gen_readme.py [--check]
With --check, nothing is written: exit 1 if a generated file is out of date.
"""

import argparse
import ast
import re
import sys
from pathlib import Path
from urllib.parse import quote

import docutils.core
import docutils.utils

ADDON_DIR = Path(__file__).resolve().parent.parent
GITHUB = "https://github.com/"
SECTIONS = [
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("PERFORMANCE", "Performance"),
    ("DEVELOP", "Development"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
]
STATUS_COLORS = {
    "Alpha": "red",
    "Beta": "yellow",
    "Production/Stable": "green",
    "Mature": "brightgreen",
}
LICENSE_URLS = {
    "LGPL-3": "http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
    "AGPL-3": "http://www.gnu.org/licenses/agpl-3.0-standalone.html",
    "GPL-3": "http://www.gnu.org/licenses/gpl-3.0-standalone.html",
}
HTML_SETTINGS = {
    "_disable_config": True,  # no docutils.conf of the machine
    "syntax_highlight": "none",  # the same output with or without Pygments
    "halt_level": 2,  # a warning is an error
}
HEADING = re.compile(r"(#{1,4}) +(.*?)#*$")
ITEM = re.compile(r"([-*+]|\d+[.)]) +")
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<path>[^)]+)\)$")
INLINE = re.compile(
    r"`(?P<code>[^`]+)`"
    r"|\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]+)\)"
    r"|<(?P<auto>https?://[^>\s]+)>"
    r"|\*\*(?P<strong>[^*]+)\*\*"
    r"|(?<![\w*])(?P<d>[_*])(?P<em>[^_*\s](?:[^_*]*[^_*\s])?)(?P=d)(?![\w*])"
)
# What reStructuredText accepts just before and just after inline markup.
BEFORE, AFTER = " \n-:/'\"<([{", " \n-.,:;!?\\/'\")]}>"


# Markdown to reStructuredText ---------------------------------------------


def inline(text):
    def convert(match):
        if match["code"]:
            out = f"``{match['code']}``"
        elif match["url"]:
            out = f"`{match['text'].replace('`', '')} <{match['url']}>`__"
        elif match["auto"]:
            return match["auto"]
        elif match["strong"]:
            out = f"**{match['strong']}**"
        else:
            out = f"*{match['em']}*"
        before = text[match.start() - 1 : match.start()]
        after = text[match.end() : match.end() + 1]
        escape_before = "\\ " if before and before not in BEFORE else ""
        escape_after = "\\ " if after and after not in AFTER else ""
        return escape_before + out + escape_after

    return INLINE.sub(convert, text)


def indent(text, width):
    return "\n".join(" " * width + line if line else "" for line in text.splitlines())


def dedent(line, width):
    return line[min(width, len(line) - len(line.lstrip())) :]


def table(lines):
    rows = [
        [
            inline(cell.strip().replace("\\|", "|"))
            for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1])
        ]
        for line in lines
        if not re.fullmatch(r"[\s|:-]+", line)
    ]
    widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]))]

    def rule(char):
        return "+" + "+".join(char * (width + 2) for width in widths) + "+"

    def row(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    body = [line for cells in rows[1:] for line in (row(cells), rule("-"))]
    return "\n".join([rule("-"), row(rows[0]), rule("="), *body])


def take_list(lines, start):
    """Convert the list starting at ``lines[start]``; return (rst, next index)."""
    ordered = ITEM.match(lines[start])[1][0].isdigit()
    items, index = [], start
    while index < len(lines) and (match := ITEM.match(lines[index])):
        if match[1][0].isdigit() != ordered:
            break
        width, body = match.end(), [lines[index][match.end() :]]
        index += 1
        while index < len(lines) and (not lines[index].strip() or lines[index][0] == " "):
            body.append(dedent(lines[index], width))
            index += 1
        marker = f"{len(items) + 1}. " if ordered else "- "
        items.append(marker + indent(markdown_to_rst(body), len(marker)).lstrip())
    separator = "\n\n" if any("\n\n" in item for item in items) else "\n"
    return separator.join(items), index


def markdown_to_rst(lines):
    """Convert Markdown lines to reStructuredText."""
    blocks, index = [], 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
        elif line.startswith("```"):
            end = lines.index("```", index + 1)
            code = "\n".join(lines[index + 1 : end])
            language = line[3:].strip() or "shell"
            blocks.append(f".. code-block:: {language}\n\n{indent(code, 4)}")
            index = end + 1
        elif match := HEADING.match(line):
            title = inline(match[2].strip())
            blocks.append(f"{title}\n{'=-~^'[len(match[1]) - 1] * len(title)}")
            index += 1
        elif match := IMAGE.match(line.strip()):
            blocks.append(f".. image:: {match['path']}\n   :alt: {match['alt']}")
            index += 1
        elif line.startswith("|"):
            end = index
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            blocks.append(table(lines[index:end]))
            index = end
        elif ITEM.match(line):
            block, index = take_list(lines, index)
            blocks.append(block)
        else:
            end = index + 1
            while end < len(lines) and lines[end].strip():
                if lines[end].startswith(("```", "#", "|")) or re.match(r"[-*+] ", lines[end]):
                    break
                end += 1
            blocks.append(inline("\n".join(text.strip() for text in lines[index:end])))
            index = end
    return "\n\n".join(blocks)


def fragment(name):
    readme = ADDON_DIR / "readme"
    if (readme / f"{name}.rst").exists():
        return (readme / f"{name}.rst").read_text(encoding="utf-8").strip()
    if (readme / f"{name}.md").exists():
        return markdown_to_rst((readme / f"{name}.md").read_text(encoding="utf-8").splitlines())
    return ""


# README --------------------------------------------------------------------


def section(title, body, char="="):
    return f"{title}\n{char * len(title)}\n\n{body}"


def badges(manifest):
    status = manifest.get("development_status", "Beta")
    license_ = manifest.get("license", "LGPL-3")
    return [
        (
            f"https://img.shields.io/badge/maturity-{quote(status.replace('-', '--'), safe='')}"
            f"-{STATUS_COLORS.get(status, 'lightgrey')}.png",
            "https://odoo-community.org/page/development-status",
            status,
        ),
        (
            f"https://img.shields.io/badge/licence-{license_.replace('-', '--')}-blue.png",
            LICENSE_URLS.get(license_, "https://spdx.org/licenses/"),
            f"License: {license_}",
        ),
    ]


def credits(manifest):
    authors = "\n".join(f"- {author.strip()}" for author in manifest["author"].split(","))
    logins = manifest.get("maintainers", [])
    maintainers = [
        f".. |maintainer-{login}| image:: https://github.com/{login}.png?size=40px\n"
        f"    :target: https://github.com/{login}\n"
        f"    :alt: {login}"
        for login in logins
    ]
    if logins:
        current = " ".join(f"|maintainer-{login}|" for login in logins)
        plural = "s" if len(logins) > 1 else ""
        maintainers.append(f"Current maintainer{plural}:\n\n{current}")
    website = manifest.get("website", "")
    if website.startswith(GITHUB):
        project = website.removeprefix(GITHUB)
        maintainers.append(
            f"This module is part of the `{project} <{website}>`__ project on GitHub."
        )
    parts = [
        section("Authors", authors, "-"),
        section("Contributors", fragment("CONTRIBUTORS"), "-"),
        section("Maintainers", "\n\n".join(maintainers), "-"),
    ]
    return section("Credits", "\n\n".join(parts))


def build_readme(manifest):
    name = manifest["name"]
    rule = "=" * len(name)
    images = badges(manifest)
    parts = [
        f"{rule}\n{name}\n{rule}",
        "..\n   This file is generated by scripts/gen_readme.py from __manifest__.py and\n"
        "   the readme/ fragments: edit those, not this file.",
        "\n".join(
            f".. |badge{n}| image:: {image}\n    :target: {target}\n    :alt: {alt}"
            for n, (image, target, alt) in enumerate(images, 1)
        ),
        " ".join(f"|badge{n}|" for n in range(1, len(images) + 1)),
        manifest.get("summary", ""),
        fragment("DESCRIPTION"),
        "**Table of contents**\n\n.. contents::\n   :local:",
    ]
    for fragment_name, title in SECTIONS:
        body = fragment(fragment_name)
        if body:
            parts.append(section(title, body))
    website = manifest.get("website", "")
    if website.startswith(GITHUB):
        parts.append(
            section(
                "Bug Tracker",
                f"Bugs are tracked on `GitHub Issues <{website}/issues>`__.\n"
                "In case of trouble, please check there if your issue has already been\n"
                "reported. If not, please open one with a detailed description.",
            )
        )
    parts.append(credits(manifest))
    return "\n\n".join(part for part in parts if part) + "\n"


def build_html(readme):
    try:
        html = docutils.core.publish_string(
            readme, writer_name="html", settings_overrides=HTML_SETTINGS
        ).decode()
    except docutils.utils.SystemMessage as error:
        sys.exit(f"README.rst is not valid reStructuredText: {error}")
    # The Apps store serves images of the description from its own folder.
    html = html.replace('src="static/description/', 'src="')
    # Odoo 17+ warns about an XML declaration in a module description.
    html = re.sub(r"^<\?xml[^>]*\?>\s*", "", html)
    # Like oca-gen-addon-readme: no docutils version, so that upgrading
    # docutils alone changes nothing.
    return re.sub(r'(<meta name="generator" content="Docutils)[^:"]*', r"\1", html)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a file is out of date; write nothing"
    )
    args = parser.parse_args()
    manifest_source = (ADDON_DIR / "__manifest__.py").read_text(encoding="utf-8")
    readme = build_readme(ast.literal_eval(manifest_source))
    outputs = {
        ADDON_DIR / "README.rst": readme,
        ADDON_DIR / "static" / "description" / "index.html": build_html(readme),
    }
    stale = []
    for path, content in outputs.items():
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            stale.append(path.relative_to(ADDON_DIR))
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8", newline="\n")
    if args.check and stale:
        names = ", ".join(map(str, stale))
        sys.stderr.write(f"{names} out of date: run scripts/gen_readme.py and commit the result.\n")
        return 1
    for path in stale:
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
