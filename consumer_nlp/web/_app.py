"""The routes of the web application: 分类, 批量, 复核 and 模型, rendered on the server."""
import asyncio
import contextlib
import datetime
import html
import logging
import re
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from urllib.parse import quote, unquote

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .._categories import CATEGORIES
from .._evaluate import ENOUGH_TEXTS
from .._html import STYLE
from ..messages import (REASON_LOW_CONFIDENCE, TERMS_NOTE, VERSION_WORDS, added_columns_note, blank_text_column_note,
                        days_1904_note, dispute_in_chinese, excel_changes_note, mixed_types_note, names_rows_note,
                        queue_counts_in_chinese, tagged_by)
from ..review import NOW, text_key
from ..tagging import review_reasons
from ._checking import UploadChecks
from ._downloads import Misaligned
from ._jobs import Jobs, Stopped, download_in_process, queue_in_process, retrain_in_process, tag_in_process
from ._models import Models
from ._progress import TaggingProgress
from ._queues import Queue, Queues, write_queue
from ._security import CSRF_FIELD, Refused, TokenGate, check_csrf, csrf_token, keep_csrf_cookie
from ._workspace import (DOWNLOAD_FORMATS, NoBatch, TitleAbove, Workspace, in_chinese, recorded_moment,
                         recorded_result, result_name, shown_id, shown_moment, upload_rows)

HERE = Path(__file__).parent
REVIEWER_COOKIE = "cnlp_reviewer"
log = logging.getLogger("consumer_nlp.web")
# What a column of mixed types (messages.mixed_types_note) means for the batch page's downloads, in the web's words.
MIXED_IN_DOWNLOADS = "下载 Parquet 文件时这些列是文字；CSV、Excel 和 JSONL 下载保留原来的值"
# The downloads that hold a 1904 workbook's day numbers without their date system (messages.days_1904_note): all but
# XLSX, which is written in the workbook's own.
DAYS_1904_IN = "下载的 CSV、JSONL 和 Parquet 文件"
PAGE_TEXT = 20_000  # the most characters of a pasted text 分类 classifies (a batch's texts are tagged whole)
# How long a review page waits for the batch's review queue its tagging job builds (tens of seconds for a large batch)
# before it asks the reviewer to come back: a job that never ends holds no request for good.
QUEUE_WAIT_SECONDS = 120


def explain_error(error: Exception) -> str:
    """A failure of background work, said for the page: the message of errors the library raises on
    purpose, a general sentence for anything else (details go to the server's log, not the page); a batch deleted
    while a job worked on it is no failure (the desk meant it), and is logged as such."""
    if isinstance(error, NoBatch):
        log.info("a deleted batch's job ended: %s", error)
        return error.message
    log.error("background work failed", exc_info=error)
    if isinstance(error, Refused):
        return error.message
    if isinstance(error, (ValueError, KeyError, OSError)) and (said := in_chinese(error)):
        return f"处理失败：{said}"
    if isinstance(error, (BrokenProcessPool, MemoryError)):  # what the system does when memory runs out
        return ("处理失败：标注进程意外退出，常见原因是服务器内存不足（文件很大，或服务器同时在做别的重活）。"
                "请稍后重新标注；如果再次失败，请把文件分成几份上传。")
    return "处理失败：服务器内部错误，详情见服务器日志。"


def highlight(text: str, terms) -> Markup:
    """``text`` escaped, with each of ``terms`` marked where it occurs (longest first)."""
    words = sorted({part for term in terms for part in str(term).split()}, key=len, reverse=True)  # "用 三天": two words
    if not words:
        return Markup(html.escape(text))
    pattern = re.compile("|".join(re.escape(w) for w in words))
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts += [html.escape(text[last:match.start()]), f"<mark>{html.escape(match[0])}</mark>"]
        last = match.end()
    return Markup("".join(parts + [html.escape(text[last:])]))


def create_app(*, registry, workspace, token: str | None = None, corpus=None,
               max_upload_bytes: int = 200_000_000, allowed_hosts: set | None = None) -> Starlette:
    """The application over the model registry at ``registry``, keeping uploads in ``workspace``;
    ``corpus`` is the labeled file retraining starts from (default: the repository's data);
    ``allowed_hosts``: the Host headers accepted (None: any)."""
    checks = UploadChecks()  # in a process of their own: a zip bomb ends that one, not the server
    space = Workspace(workspace, max_upload_bytes, check=checks.run)
    models = Models(registry, space.root / "models")
    jobs = Jobs(explain_error)
    corpus = Path(corpus) if corpus else Path(__file__).resolve().parents[2] / "data" / "complaints.csv"  # a clone's

    def retraining_refused() -> tuple[int, str] | None:
        """Why retraining cannot start, for the page (an HTTP status and a message): no corpus (a pip install has
        no data/ folder), or a registry where the version could not be stored (it would train, then fail)."""
        if not corpus.is_file():
            return 400, (f"重新训练需要训练语料，但找不到文件 {corpus.name}。请在启动服务时用 consumer-nlp serve --corpus "
                         f"文件 指定带 text、label 列的语料（例如本项目的 data/complaints.csv）。")
        try:
            models.check_storable()
        except PermissionError as error:
            log.warning("retraining is not offered: %s", error)  # the folder, for whoever keeps the server
            return 403, ("运行服务的账户没有权限在模型注册表的文件夹里写入，重新训练出的新版本无法保存，所以不能重新训练（文件夹见"
                         "服务器日志）。请让管理服务器的人给这个账户写入权限，或用 consumer-nlp serve --registry 文件夹 指定"
                         "一个可写的注册表后重新启动服务。")
        except ValueError as error:
            log.warning("retraining is not offered: %s", error)
            return 409, ("模型注册表里新版本要放的位置被一个文件占着，重新训练出的新版本无法保存，所以不能重新训练（位置见服务器"
                         "日志）。请让管理服务器的人移走那个文件，或用 consumer-nlp serve --registry 文件夹 指定另一个注册表后"
                         "重新启动服务。")
        return None
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(style=Markup(STYLE), csrf_field=CSRF_FIELD, terms_note=TERMS_NOTE,
                                 columns_note=added_columns_note(None, {}),
                                 low_confidence=REASON_LOW_CONFIDENCE, categories=list(CATEGORIES.items()),  # keys 1–6
                                 version_words=VERSION_WORDS)
    templates.env.filters.update(shown_id=shown_id, shown_moment=shown_moment)

    def render(request: Request, name: str, status: int = 200, **context) -> Response:
        context.update(request=request, csrf=csrf_token(request))
        response = templates.TemplateResponse(request, name, context, status_code=status)
        keep_csrf_cookie(request, response)
        # a page says how things stand now: the browser's back button asks for it again rather than showing a copy
        # from before (复核's 已完成 0 条 after a choice, a batch's 开始标注 after its tagging)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def checked_form(request: Request):
        form = await request.form()
        check_csrf(request, form)
        return form

    # ---- 分类 ----
    async def classify(request: Request):
        if request.method == "GET":
            return render(request, "classify.html", page="classify", text="", result=None)
        form = await checked_form(request)
        sent = str(form.get("text") or "")
        text = sent[:PAGE_TEXT]
        ref, model = await run_in_threadpool(models.production)  # loaded there the first time: seconds
        tags = model.tag_columns([text])  # the same columns, and the same review reason, as a tagged archive
        label, terms = str(tags["category"][0]), tags["top_terms"][0]
        by_label = {str(c): float(p) for c, p in zip(model.classes_, tags["probabilities"][0])}
        result = {"category": label, "category_zh": CATEGORIES.get(label, label),
                  "confidence": float(tags["confidence"][0]), "needs_review": bool(tags["needs_review"][0]),
                  "top_terms": terms, "reason": str(review_reasons(tags["empty"], tags["needs_review"])[0]) or None,
                  "threshold": model.review_threshold_,
                  "probabilities": [(zh, by_label.get(c, 0.0), c == label) for c, zh in CATEGORIES.items()],
                  "marked": highlight(text, [t for t, _ in terms]), "model": ref,
                  "cut": f"只分类了前 {PAGE_TEXT:,} 个字（共 {len(sent):,} 个字）：更长的文本请放进文件，用「批量」标注。"
                         if len(sent) > PAGE_TEXT else None}
        return render(request, "classify.html", page="classify", text=text, result=result)

    # ---- 批量 ----
    def tagging_job(batch_id: str):
        """The job tagging the batch now, or None (one tagging of a batch at a time)."""
        running = jobs.latest(f"/batch/{batch_id}")
        return running if running is not None and running.state == "running" else None

    def batches() -> list[dict]:
        """The batches, newest first; one deleted as it is listed (by another desk, or an upload refused) is left
        off, not the list refused."""
        found = []
        for folder in space.root.iterdir():
            try:
                meta, changed = space.meta(folder.name), folder.stat().st_mtime
                tagged = space.tagged_path(folder.name, meta).is_file()
            except (NoBatch, FileNotFoundError):  # not a batch (the models' folder, an upload being saved), or gone
                continue
            uploaded = meta.get("uploaded") or recorded_moment(datetime.datetime.fromtimestamp(
                changed))  # batches uploaded before the time was kept
            found.append({"id": folder.name, **meta, "uploaded": uploaded, "tagged": tagged, "changed": changed,
                          "being_tagged": tagging_job(folder.name) is not None})
        return sorted(found, key=lambda batch: batch["changed"], reverse=True)

    async def batch_list(request: Request):
        if request.method == "GET":
            return render(request, "batch.html", page="batch", batches=batches(), message=None)
        length = request.headers.get("content-length")
        if length is None or not length.isdecimal():
            raise Refused(411, "上传请求缺少长度信息，请用浏览器的上传按钮重新上传。")
        if int(length) > space.max_bytes + 1_000_000:
            raise Refused(413, f"文件太大：上限是 {space.max_bytes / 1e6:.0f} MB。")
        form = await request.form(max_files=1, max_fields=10)
        check_csrf(request, form)
        upload = form.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise Refused(400, "请先选择要上传的文件。")
        batch_id = await space.save_upload(upload)
        try:
            await run_in_threadpool(space.text_columns, batch_id)
        except TitleAbove:  # kept: its page offers the row of its names
            pass
        except Refused as bad:
            space.discard(batch_id)
            return render(request, "batch.html", status=400, page="batch", batches=batches(), message=bad.message)
        return RedirectResponse(f"/batch/{batch_id}", status_code=303)

    async def batch_page(request: Request):
        return await batch_view(request, request.path_params["batch_id"])

    async def batch_view(request: Request, batch_id: str, status: int = 200, problem: Refused | None = None):
        """The batch's page; ``problem``: why the row of its column names the desk chose cannot be read."""
        try:
            columns, found = await run_in_threadpool(space.text_columns, batch_id)
        except TitleAbove as above:  # its names in a later row: that row is offered, no column yet
            columns, found, problem = [], None, problem or above
        meta = space.meta(batch_id)  # as text_columns kept it
        blank = meta.get("blank_text_col")  # uploads checked before it was kept hold none
        blank_note = blank and blank_text_column_note(*blank, others=True)
        running = tagging_job(batch_id)
        cut_off = meta.get("tagging") if running is None else None
        # what Excel changes of the CSV download (batches tagged before it was counted hold no count)
        excel_note = excel_changes_note(meta.get("excel_changes", {}), opened="下载的 CSV 文件", fix="请下载 XLSX 文件")
        # columns of mixed types: text in the Parquet copy and its download, as they were in the others
        mixed = meta.get("text_columns") and mixed_types_note(meta["text_columns"], written=MIXED_IN_DOWNLOADS)
        days = meta.get("days_1904") and days_1904_note(meta["days_1904"], opened=DAYS_1904_IN, fix="请下载 XLSX 文件")
        # the column tagged and, of a text file, the encoding it was read in (batches tagged before it was kept: none)
        tagged_what = meta.get("text_col") and tagged_by(meta["text_col"], meta.get("encoding"))
        offered = getattr(problem, "row", None) or meta.get("header_row", 1)
        return render(request, "batch_one.html", status=status, page="batch", batch_id=batch_id, meta=meta,
                      columns=columns, found=found, header_problem=problem and problem.message, header_row=offered,
                      tagged=space.tagged_path(batch_id, meta).is_file(), formats=DOWNLOAD_FORMATS,
                      cut_off=cut_off, running=running, excel_note=excel_note, mixed_note=mixed, days_note=days,
                      blank_note=blank_note, tagged_what=tagged_what)

    async def batch_tag(request: Request):
        batch_id = request.path_params["batch_id"]
        form = await checked_form(request)
        columns, _ = await run_in_threadpool(space.text_columns, batch_id)
        column = form.get("text_col")
        if isinstance(column, str) and column not in columns:  # browsers send a heading's line breaks as CRLF
            column = column.replace("\r\n", "\n")
        if column not in columns:
            raise Refused(400, "请从列表中选择投诉文本所在的列。")
        ref, _ = await run_in_threadpool(models.production)
        meta = space.meta(batch_id)
        # the download offered first is written as the tagging ends: its first click gets a finished file
        result = result_name()
        first_download = space.made_from_result(batch_id, f"download.{DOWNLOAD_FORMATS[0]}", result)

        def work():
            space.update(batch_id, tagging=column, stopped=None)  # until the result is in: a restart is told
            try:
                done = tag_in_process(jobs, ref, str(models.registry.root), str(space.input_path(batch_id)),
                                      str(space.tagging_path(batch_id)), column, str(first_download), meta["name"],
                                      meta.get("header_row", 1))
            except Stopped:  # said on the batch page once the server is started again
                space.update(batch_id, stopped=recorded_moment())
                raise
            # only once the result is of this column
            space.new_result(batch_id, result, text_col=column, encoding=done["encoding"], model=ref, rows=done["rows"],
                             text_columns=done["text_columns"], number_formats=done["number_formats"],
                             row_notes=done["row_notes"], counts=done["counts"], excel_changes=done["excel_changes"],
                             dates_1904=done["dates_1904"], days_1904=done["days_1904"], tagging=None)
            build_queue(batch_id)  # after the result can be downloaded, which desks do far more often than review
            return done

        progress = TaggingProgress(space.tagging_path(batch_id), time.time())  # from the run's checkpoint
        job = jobs.start(f"标注「{meta['name']}」", f"/batch/{batch_id}", work, progress=progress, alone=True)
        if job is None:  # one is running: checked as it is started, or two clicks (on two event loops) both started
            raise Refused(409, "这一批正在标注：请等当前的标注任务完成后再重新标注。")
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    async def batch_header(request: Request):
        batch_id = request.path_params["batch_id"]
        form = await checked_form(request)
        if tagging_job(batch_id) is not None or space.tagged_path(batch_id).is_file():
            raise Refused(409, "这一批已经开始标注，列名所在的行不能再改：要按另一行读取，请重新上传这个文件。")
        try:
            await run_in_threadpool(space.choose_header_row, batch_id, str(form.get("header_row") or ""))
        except NoBatch:
            raise
        except Refused as bad:  # the page again, saying why, the row offered again
            return await batch_view(request, batch_id, status=400, problem=bad)
        return RedirectResponse(f"/batch/{batch_id}", status_code=303)

    async def batch_delete(request: Request):
        batch_id = request.path_params["batch_id"]
        await checked_form(request)
        space.folder(batch_id)  # a batch that is not there is not found
        if tagging_job(batch_id) is not None:
            raise Refused(409, "这一批正在标注：请等标注任务完成后再删除。")
        space.discard(batch_id)
        return RedirectResponse("/batch", status_code=303)

    async def job_page(request: Request):
        job = jobs.get(request.path_params["job_id"])
        if job is None:
            raise Refused(404, "没有这项任务的记录：服务器重启后，或任务完成一天以后（任务很多时更早），记录会清空。"
                               "标注结果请到「批量」页查看，重新训练的模型请到「模型」页查看。")
        return render(request, "job.html", page=None, job=job)

    making, making_lock = {}, threading.Lock()  # a file made from a batch's result -> [its lock, the requests at it]

    def make_once(path: Path, make, *args) -> None:
        """``make(*args)``, which writes ``path``, unless ``path`` is there: made once however many requests ask for
        it at once (reviewers), the later ones waiting for it. Thread locks, not asyncio's: an asyncio.Lock belongs
        to one event loop, and a request on another loop waiting on it was never woken. The lock is kept only while
        a request is at it: a server running for months would keep one for every file it ever made."""
        with making_lock:
            held = making.setdefault(path, [threading.Lock(), 0])
            held[1] += 1
        try:
            with held[0]:
                if not path.is_file():
                    make(*args)
        finally:
            with making_lock:
                held[1] -= 1
                if not held[1]:
                    del making[path]

    async def made_once(path: Path, make, *args) -> None:
        """:func:`make_once` in a thread, when ``path`` is not there yet."""
        if not path.is_file():
            await run_in_threadpool(make_once, path, make, *args)

    def tagged(batch_id: str, meta: dict) -> Path:
        """The Parquet copy of the result the batch's record ``meta`` names (read once, with the files made from it)."""
        path = space.tagged_path(batch_id, meta)
        if not path.is_file():
            if tagging_job(batch_id) is not None:  # its first tagging
                raise Refused(409, "这一批正在标注：请等标注完成后再下载、查看报告或复核（进度见这一批的页面）。")
            raise Refused(404, "这个批次还没有标注：请先选择文本列并开始标注。")
        return path

    def make_download(batch_id: str, meta: dict, source: Path, path: Path) -> None:
        """Write to ``path`` the batch's download made from the result its record ``meta`` names (its Parquet copy
        ``source``), in a process of its own (:func:`download_in_process`); refused with what its job's page says."""
        try:
            download_in_process(jobs, str(space.input_path(batch_id)), str(source), str(path), meta["text_col"],
                                meta["name"], meta.get("number_formats"), meta.get("header_row", 1))
        except ValueError as error:
            raise Refused(400, in_chinese(error) or "无法生成这种格式的文件，请换一种格式下载。") from None
        except Misaligned:
            raise Refused(409, "这一批标注以后，本软件读取文件的方式有了变化（升级了），文件不再与标注结果逐行"
                               "对应：请重新标注这一批，再下载。") from None
        except FileNotFoundError:
            if recorded_result(space.meta(batch_id)) != recorded_result(meta):  # "没有这个批次" if deleted meanwhile
                return  # tagged again meanwhile (its files went with the record): the job's link makes the new one
            raise Refused(404, "找不到这一批上传的文件（也许在服务器上被移走或删除了），无法生成这种格式的下载。已经能下载的"
                               "格式不受影响；要这种格式，请重新上传这个文件并标注。") from None

    def unless_deleted(batch_id: str, work, *args):
        """``work(*args)``, a job's work on the batch: failing once the batch was deleted meanwhile (its files gone
        with it), it ends as :class:`NoBatch`, which is why."""
        try:
            return work(*args)
        except Stopped:
            raise
        except Exception:
            space.folder(batch_id)  # NoBatch once deleted
            raise

    def download_job(batch_id: str, meta: dict, kind: str, source: Path, path: Path) -> str:
        """The page of the job writing the batch's download of ``kind`` to ``path`` (:func:`make_download`): the one
        running, else one started: the upload is read again, seconds to minutes for a large workbook, which no request
        waits for. Found by ``path``, named by its result: one still making the download of a result before it leads
        to a file that would not be served."""
        running = jobs.start(f"生成「{meta['name']}」的 {kind.upper()} 下载", f"/batch/{batch_id}/download?format={kind}",
                             unless_deleted, batch_id, make_download, batch_id, meta, source, path,
                             back=f"/batch/{batch_id}", download=True, key=str(path), alone=True)
        return f"/jobs/{(running or jobs.latest(str(path))).id}"

    async def batch_download(request: Request):
        batch_id = request.path_params["batch_id"]
        kind = request.query_params.get("format", "xlsx")
        if kind not in DOWNLOAD_FORMATS:
            raise Refused(400, "不支持的下载格式：可选 csv、xlsx、jsonl、parquet。")
        meta = space.meta(batch_id)  # once: the result it names and the files made from it switch together
        path = tagged(batch_id, meta)
        stem = Path(meta["name"]).stem + ".已标注"
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(stem + '.' + kind)}"}
        if kind != "parquet":  # written by the archive writers: text stays text, never a formula
            # ("download": those named "tagged" were made from the Parquet copy alone, and are not served)
            made = space.made_from_result(batch_id, f"download.{kind}", recorded_result(meta))
            if not made.is_file():  # a first click (the CSV is written as tagging ends): its job's page at once
                return RedirectResponse(download_job(batch_id, meta, kind, path, made), status_code=303)
            path = made
        types = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson", "parquet": "application/octet-stream",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        return FileResponse(path, media_type=types[kind], headers=headers)

    def report_page(batch_id: str) -> str:
        """The report of the batch's result as an HTML page (seconds for a large batch: read, counted, drawn)."""
        from ..report import report_archive

        meta = space.meta(batch_id)
        rows_named = upload_rows(space.input_path(batch_id), meta.get("header_row", 1))  # as the desk finds them
        # the upload's date system: its Parquet copy keeps none (batches tagged before it was kept: 1900's)
        report = report_archive(tagged(batch_id, meta), text_col=meta.get("text_col"),
                                corrections=models.store.labels(), dates_1904=meta.get("dates_1904", False),
                                rows_named=rows_named)
        report.source = meta["name"]  # the file the desk uploaded, not the server's copy of it
        return report.to_html()

    async def batch_report(request: Request):
        # in a thread, the charts drawn too: every other page waited while they were drawn in the event loop
        return HTMLResponse(await run_in_threadpool(report_page, request.path_params["batch_id"]))

    # ---- 复核 ----
    def build_queue(batch_id: str) -> None:
        """Start building the review queue of the batch's result as a job of its own, in a process of its own
        (:func:`queue_in_process`), so that its first view finds it made."""
        meta = space.meta(batch_id)
        paths = [str(path) for path in (space.tagged_path(batch_id, meta), space.input_path(batch_id))]
        queue = str(space.made_from_result(batch_id, "queue.json", recorded_result(meta)))
        jobs.start(f"准备「{meta['name']}」的复核队列", f"/batch/{batch_id}/review", unless_deleted, batch_id,
                   queue_in_process, jobs, meta.get("model", "default"), str(models.registry.root), *paths,
                   meta.get("text_col"), queue, meta.get("header_row", 1))

    async def queue_built(batch_id: str) -> None:
        """Wait while the batch's tagging job builds its review queue, rather than build it a second time; up to
        QUEUE_WAIT_SECONDS, then the reviewer is asked to come back."""
        building, deadline = jobs.latest(f"/batch/{batch_id}/review"), time.monotonic() + QUEUE_WAIT_SECONDS
        while building is not None and building.finished is None:
            if time.monotonic() > deadline:
                raise Refused(503, "这一批的复核队列正在准备（大的批次要几十秒到几分钟）：请稍后刷新页面。")
            await asyncio.sleep(0.1)

    def make_queue(batch_id: str, meta: dict, path: Path) -> None:
        """Write the review queue of the result the batch's record ``meta`` names to ``path`` (a batch tagged before
        the tagging job built its queue, or whose build failed)."""
        _, model = models.get(meta.get("model", "default"))
        write_queue(model, tagged(batch_id, meta), space.input_path(batch_id), meta.get("text_col"), path,
                    meta.get("header_row", 1))

    queues = Queues()

    async def queue_of(batch_id: str) -> Queue:
        await queue_built(batch_id)
        meta = space.meta(batch_id)  # once: the queue is named by the result it is made from
        path = space.made_from_result(batch_id, "queue.json", recorded_result(meta))
        await made_once(path, make_queue, batch_id, meta, path)
        return await run_in_threadpool(queues.read, path)

    async def review_list(request: Request):
        return render(request, "review_list.html", page="review", batches=[b for b in batches() if b["tagged"]])

    def settled(key: str, corrected: dict, disputed: dict) -> bool:
        """Whether a person has settled the queued text of ``key``: corrected, and no copies of one export disagreeing
        on it since (``corrected`` and ``disputed`` as the store's ``labels()`` and ``disputes()`` give them)."""
        return key in corrected and key not in disputed

    async def review_page(request: Request):
        batch_id = request.path_params["batch_id"]
        queue, keys, names_rows, flagged, empty = await queue_of(batch_id)
        corrected, disputed = models.store.labels_and_disputes()
        disputed_at = [n for n, key in enumerate(keys) if key in disputed] if disputed else []  # few, if any
        done = sum(key in corrected for key in keys) - sum(keys[n] in corrected for n in disputed_at)  # settled ones
        position = request.query_params.get("i")
        if position is None or not position.isdecimal():  # the first row nobody has settled yet
            position = next((n for n, key in enumerate(keys) if not settled(key, corrected, disputed)), len(queue))
        position = min(int(position), len(queue))
        item = queue[position] if position < len(queue) else None
        choices = disputed.get(keys[position]) if item else None
        reviewer = unquote(request.cookies.get(REVIEWER_COOKIE, ""))
        return render(request, "review.html", page="review", batch_id=batch_id, item=item, position=position,
                      key=text_key(item["text"]) if item else "", total=len(queue), done=done,
                      remaining=len(queue) - done, reviewer=reviewer,
                      corrected=corrected.get(keys[position]) if item else None,
                      dispute=dispute_in_chinese(choices, corrected.get(keys[position])) if choices else None,
                      disputed=disputed_at, previous=request.query_params.get("from"),
                      names_note=names_rows and names_rows_note(names_rows[:10], len(names_rows), "没有列入复核表"),
                      counts=None if flagged is None else queue_counts_in_chinese(flagged, len(queue), empty))

    async def review_store(request: Request):
        batch_id = request.path_params["batch_id"]
        form = await checked_form(request)
        queue, keys = (await queue_of(batch_id))[:2]
        position, label = str(form.get("i", "")), form.get("label")
        reviewer = str(form.get("reviewer") or "").strip()[:60]
        if not position.isdecimal() or int(position) >= len(queue):  # a form older than the queue, an edited address
            raise Refused(400, "这一条不在复核队列里（队列也许刚刚更新过），这条选择没有保存：请回到复核页重新选择。")
        if label not in CATEGORIES:
            raise Refused(400, "这条更正不完整：请选择六个类别之一。")
        if not reviewer:
            raise Refused(400, "请先在页面上方填写复核人姓名，再选择类别。")
        item = queue[int(position)]
        if form.get("key") != text_key(item["text"]):  # the batch was tagged again while this was on screen
            raise Refused(409, "复核队列已更新（这一批刚刚重新标注过），这条选择没有保存：请回到复核页重新选择。")
        # A review of the moment it is stored: no older workbook undoes it.
        models.store.add([{"text": item["text"], "label": label, "model_label": item["guess"],
                           "source": space.meta(batch_id)["name"], "row": item["row"], "exported_at": NOW}],
                         reviewer=reviewer)
        corrected, disputed = models.store.labels_and_disputes()
        following = next((n for n in range(int(position) + 1, len(queue))
                          if not settled(keys[n], corrected, disputed)), len(queue))
        response = RedirectResponse(f"/batch/{batch_id}/review?i={following}&from={position}", status_code=303)
        response.set_cookie(REVIEWER_COOKIE, quote(reviewer), max_age=365 * 86400, samesite="strict")
        return response

    # ---- 模型 ----
    def retraining_now() -> bool:
        latest = jobs.latest("/models")  # one retraining at a time
        return latest is not None and latest.state == "running"

    async def models_page(request: Request):
        return render(request, "models.html", page="models", versions=models.versions(),
                      production=models.production_ref(), corrections=len(models.store.labels()),
                      corpus=corpus, refused=retraining_refused(), damaged=models.damaged(),
                      cut_off=None if retraining_now() else models.retraining_note())

    def version_of(form) -> int:
        value = str(form.get("version", ""))
        if not value.isdecimal() or int(value) not in {v["version"] for v in models.versions()}:
            raise Refused(404, "没有这个模型版本。")
        return int(value)

    async def models_retrain(request: Request):
        await checked_form(request)
        if refused := retraining_refused():
            raise Refused(*refused)
        started = {"started": recorded_moment()}

        def work() -> int:
            models.note_retraining(started)  # until a version is stored: a restart meanwhile is told
            try:
                version = retrain_in_process(jobs, models, corpus)
            except Stopped:  # said on the 模型 page once the server is started again
                models.note_retraining({**started, "stopped": recorded_moment()})
                raise
            models.note_retraining(None)
            return version

        job = jobs.start("用更正重新训练", "/models", work, alone=True)
        if job is None:  # one is running: checked as it is started, or two clicks (on two event loops) both started
            raise Refused(409, "正在重新训练：请等这次训练完成后再开始。")
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    async def models_compare(request: Request):
        version = version_of(request.query_params)
        if not models.held_back(version):
            raise Refused(400, f"第 {version} 版没有留出的更正可供比较：先在「复核」中更正至少 5 条，再重新训练。")
        figures, n, production, warned = await run_in_threadpool(models.compare, version)  # both models loaded
        table = figures.to_html(classes="numbers", border=0, na_rep="—", float_format=lambda v: f"{v:.3f}")
        return render(request, "compare.html", page="models", version=version, n=n, table=Markup(table),
                      production=production, enough=ENOUGH_TEXTS, warned=warned)

    async def models_promote(request: Request):
        if request.method == "GET":
            return render(request, "promote.html", page="models", version=version_of(request.query_params),
                          production=models.production_ref())
        form = await checked_form(request)
        models.promote(version_of(form))
        return RedirectResponse("/models", status_code=303)

    # ---- errors: a Chinese page, never a traceback ----
    async def refused(request: Request, error: Refused):
        return render(request, "error.html", status=error.status, page=None, message=error.message)

    async def http_error(request: Request, error: HTTPException):
        message = {404: "没有这个页面。", 405: "不支持这种请求方式。"}.get(error.status_code, "请求无法处理。")
        return render(request, "error.html", status=error.status_code, page=None, message=message)

    async def failed(request: Request, error: Exception):
        log.error("request failed: %s", request.url.path, exc_info=error)
        return render(request, "error.html", status=500, page=None, message="服务器内部错误，详情见服务器日志。")

    batch = "/batch/{batch_id:str}"
    routes = [
        Route("/", classify, methods=["GET", "POST"]),
        Route("/batch", batch_list, methods=["GET", "POST"]),
        Route(batch, batch_page),
        Route(batch + "/tag", batch_tag, methods=["POST"]),
        Route(batch + "/header", batch_header, methods=["POST"]),
        Route(batch + "/delete", batch_delete, methods=["POST"]),
        Route(batch + "/download", batch_download),
        Route(batch + "/report", batch_report),
        Route(batch + "/review", review_page),
        Route(batch + "/review", review_store, methods=["POST"]),
        Route("/jobs/{job_id:str}", job_page),
        Route("/review", review_list),
        Route("/models", models_page),
        Route("/models/retrain", models_retrain, methods=["POST"]),
        Route("/models/compare", models_compare),
        Route("/models/promote", models_promote, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await run_in_threadpool(jobs.stop)  # stopped (SIGTERM, Ctrl-C): its work stops too, not after it
        await run_in_threadpool(checks.close)

    app = Starlette(routes=routes, exception_handlers={Refused: refused, HTTPException: http_error,
                                                       Exception: failed}, lifespan=lifespan)
    app.add_middleware(TokenGate, token=token, allowed_hosts=allowed_hosts)
    app.state.workspace, app.state.models, app.state.jobs = space, models, jobs
    return app
