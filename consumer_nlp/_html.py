"""The reports' markup (evaluation and archive): the one HTML page skeleton, self-contained, Chinese,
printable, and user text made plain text in Markdown."""
import html
import re

# Fonts with Chinese glyphs, in order of preference, across Linux, Windows and macOS (pages and charts).
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Arial Unicode MS"]
STYLE = "body{font-family:" + ",".join(f'"{font}"' for font in CJK_FONTS) + """,sans-serif;max-width:1000px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.6}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;overflow-wrap:anywhere}
table.numbers td,table.numbers th{text-align:right}table.numbers td:first-child,table.numbers th:first-child{text-align:left}
img{max-width:100%}.figures{display:flex;gap:1em;flex-wrap:wrap}
.summary{background:#f5f7fa;padding:1em;border-left:4px solid #2f6db3}.note{color:#a33}"""
# STYLE is shared: the reports use it, and so do the pages of the web application (consumer_nlp.web).
# The body's side padding keeps a narrow window's text off its edges; a wide one's centred margins take the rest.


def page(title: str, body: str) -> str:
    """A whole HTML document: ``title`` (plain text) as its title and heading, ``body`` (HTML) below."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style>
</head><body><h1>{html.escape(title)}</h1>
{body}
</body></html>
"""


# What Markdown reads as markup: HTML (< and entities), emphasis, links, code, strikethrough, a table's bars;
# an underscore inside a word (price_measurement) is none, and stays as it is.
_MARKDOWN_MARKUP = re.compile(r"([\\`*\[\]<>&~|]|(?<!\w)_|_(?!\w))")


def markdown_text(text: str) -> str:
    """``text`` as Markdown showing it as written: each sign Markdown reads as markup escaped, so a value
    holding <script>, [a](link) or two masked numbers (139****2417) is shown, never run, linked or bolded."""
    return _MARKDOWN_MARKUP.sub(r"\\\1", text)
