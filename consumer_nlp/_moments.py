"""How a moment is shown to a desk (the review workbook's 导出时间, the web's 上传于 and 中断): one home for the
workbook that writes and reads it and the pages that show it."""
import datetime

# This machine's local time to the second, its offset said (UTC+08:00): a desk in China reading a server kept in UTC
# is not left eight hours off. The review workbook's import reads 导出时间 back by it, so it does not change.
SHOWN_TIME = "%Y-%m-%d %H:%M:%S（UTC%z）"


def shown_time(moment: datetime.datetime | str, *, seconds: bool = True) -> str:
    """``moment`` (aware, or its ISO 8601 text; a naive one is taken as local time) as :data:`SHOWN_TIME` shows it, or
    to the minute."""
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.fromisoformat(str(moment))
    local = moment.astimezone()
    offset = local.isoformat(timespec="seconds")[19:]  # +08:00, which strftime's %z says +0800
    return local.strftime((SHOWN_TIME if seconds else SHOWN_TIME.replace(":%S", "")).replace("%z", offset))
