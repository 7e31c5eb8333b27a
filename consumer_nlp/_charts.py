"""Pictures for reports: matplotlib with a font that has Chinese characters, embedded as PNG."""
import base64
import io
import threading
import warnings

from ._html import CJK_FONTS
from ._unicode import cut, shown_escaped

# Held while a page's figures are made and drawn: pyplot is not thread-safe (matplotlib's FAQ, "Working with
# threads"), and a web server draws reports in its worker threads.
DRAWING = threading.RLock()
LABEL_CHARS = 20  # a chart names a group in this many characters at most: a cell of 32,400 drew 500,000 px

INSTALL_HINT = ("no font with Chinese characters was found, so chart labels would show as boxes. Install one: "
                "Debian/Ubuntu `apt-get install fonts-wqy-microhei` (or fonts-noto-cjk); Windows and macOS "
                "already have one")


def cjk_fonts() -> list:
    """The fonts with Chinese glyphs that matplotlib can use here, best first (maybe none)."""
    from matplotlib import font_manager

    found = [name for name in CJK_FONTS if name in {f.name for f in font_manager.fontManager.ttflist}]
    if not found:  # a font may have been installed after matplotlib built its cache
        font_manager.fontManager.__init__()
        found = [name for name in CJK_FONTS if name in {f.name for f in font_manager.fontManager.ttflist}]
    return found


def pyplot():
    """matplotlib's pyplot, headless, set to a CJK font; raises if the machine has none."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    found = cjk_fonts()
    if not found:
        raise RuntimeError(INSTALL_HINT)
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = found + ["DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    # Labels are the data's own words (channels, column names): text between two $ is no formula.
    plt.rcParams["text.parse_math"] = False
    # A character no font here has (an emoji in a channel's name) is drawn as a box; matplotlib's English warning
    # of it, with a line of source, reached the desk's terminal. The tables show the value whole.
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from", category=UserWarning)
    return plt


def chart_label(text: str) -> str:
    """``text`` as a chart names it: on one line, control characters escaped, cut to LABEL_CHARS
    characters ending in … (the tables show it whole)."""
    return cut(shown_escaped(str(text)), LABEL_CHARS)


def png(figure, dpi: int = 110) -> bytes:
    """A figure drawn as PNG, then closed: pyplot keeps every figure until it is closed, so a web
    server's report pages kept theirs (6.5 MB a visit)."""
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    finally:
        from matplotlib import pyplot as plt

        plt.close(figure)
    return buffer.getvalue()


def png_data_uri(figure) -> str:
    """A figure as a data: URI, so an HTML report is one self-contained file (the figure is closed)."""
    return "data:image/png;base64," + base64.b64encode(png(figure)).decode("ascii")


def confusion_figure(matrix, names):
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 5.2))
    image = axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(names)), names, rotation=30, ha="right")
    axes.set_yticks(range(len(names)), names)
    axes.set_xlabel("预测类别")
    axes.set_ylabel("实际类别")
    axes.set_title("混淆矩阵")
    top = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            axes.text(j, i, count, ha="center", va="center", color="white" if count > top / 2 else "black")
    figure.colorbar(image, ax=axes, shrink=0.8)
    return figure


def reliability_figure(reliability):
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(5.6, 5.0))
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="完全校准")
    confidence = [r["confidence"] for r in reliability]
    accuracy = [r["accuracy"] for r in reliability]
    sizes = [max(20, r["count"] * 2) for r in reliability]
    axes.plot(confidence, accuracy, marker="o", color="#1f6fb4", label="模型")
    axes.scatter(confidence, accuracy, s=sizes, alpha=0.3, color="#1f6fb4")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("置信度")
    axes.set_ylabel("实际准确率")
    axes.set_title("可靠性图（点的大小表示文本数）")
    axes.legend(loc="upper left")
    return figure
