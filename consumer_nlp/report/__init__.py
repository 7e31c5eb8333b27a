"""Work-summary reports of tagged archives: counts, shares, trends, money, terms and examples."""
from ._build import ArchiveReport, parse_dates, report_archive

__all__ = ["ArchiveReport", "parse_dates", "report_archive"]
