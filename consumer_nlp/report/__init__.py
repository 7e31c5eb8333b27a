"""Work-summary reports of tagged archives: tally (``_tally``) → tables and summary (``_build``) →
HTML, Excel and Markdown with charts (``_render``)."""
from ._build import report_archive
from ._render import ArchiveReport, report_format
from ._tally import PERIODS, parse_dates

__all__ = ["ArchiveReport", "PERIODS", "parse_dates", "report_archive", "report_format"]
