"""What stops a run beside its data and its model, said in Chinese with how to go on: an interrupted run's finished
chunks, a count out of its range, memory or disk running out, and the files the system refuses (missing, existing,
forbidden, read-only, undecodable)."""
import errno

from .._values import CountError
from ..exceptions import CheckpointError


def _count(error: CountError, names: dict) -> str:
    """A count given out of its range, by the front end's name for it."""
    also = "".join(f" {n} 或" for n in error.also)
    return (f"{names.get(error.name, error.name)} 的值应是{also}不小于 {error.minimum} 的整数，「{error.value}」不行。"
            f"请改正后再运行")


def interrupted_in_chinese(stop: KeyboardInterrupt, names: dict) -> str | None:
    """What an interrupted tagging run kept and how to go on, in Chinese, by the front end's ``names`` (its
    ``chunks_kept``: the folder of its finished chunks, or None where it finished none); None for another stop."""
    if not hasattr(stop, "chunks_kept"):
        return None
    if stop.chunks_kept is None:
        return "还没有标注完任何一块，什么也没有保留"
    return f"已标注完的部分都保留着，用同样的命令加 {names.get('resume', 'resume=True')} 接着运行"


def _checkpoint(error: CheckpointError, names: dict) -> str:
    """An interrupted run's finished chunks found unasked, or not to be gone on from."""
    if error.problem == "resume_and_restart":
        resume, restart = names.get("resume", "resume=True"), names.get("restart", "restart=True")
        return f"{resume}（接着上次中断的运行）和 {restart}（丢弃上次完成的部分，从头开始）只能用其中一个。请去掉其中一个后再运行"
    if error.problem == "unfinished":
        return (f"上次对同一输出文件的运行没有完成，留下了已标注的 {error.details['chunks']} 块。请加 "
                f"{names.get('resume', 'resume=True')} 接着运行，或加 {names.get('restart', 'restart=True')} 从头开始")
    restart = f"请加 {names['restart']} 从头开始" if "restart" in names else "请从头重新运行"
    if not error.details.get("changed"):
        return "上次中断时已完成的部分不能接着用（输入文件、模型或设置与那次不同，或是旧版本留下的）。" + restart
    return _changed_run(error.details["changed"], error.details.get("earlier", {}), names, restart)


_WHAT_CHANGED = {"input": "输入文件的内容与那次不同",
                 "read_as": "输入文件的扩展名与那次不同（文件按扩展名读作 CSV、TSV 等；改回那次的扩展名即可接着运行）",
                 "model": "所用的模型与那次不同",
                 "software": "本软件或它用到的组件在那次之后更新过"}


def _changed_run(changed: list, earlier: dict, names: dict, restart: str) -> str:
    """A checkpoint of another run: what differs; where only settings do, each as that run had it, so that giving them
    again goes on from its finished chunks."""
    settings = "、".join(f"{names.get(key, key)}（那次{'是 ' + str(value) if value is not None else '没有给出'}）"
                         for key, value in earlier.items())
    others = "，".join(_WHAT_CHANGED[key] for key in changed if key in _WHAT_CHANGED)
    if others:
        return (f"上次中断时已完成的部分不能接着用：{others}"
                f"{'；与那次不同的设置：' + settings if settings else ''}。{restart}")
    resume = names.get("resume", "resume=True")
    return (f"上次中断时已完成的部分是按别的设置标注的，与那次不同的设置：{settings}。按那次的设置再加 {resume} 即可接着运行，"
            f"已完成的部分都能用上；要用现在的设置，{restart}")


def run_headline(error: Exception, names: dict) -> str | None:
    """A run's error of these kinds in Chinese, with how to go on; None for an error of no such kind."""
    if isinstance(error, CountError):
        return _count(error, names)
    if isinstance(error, CheckpointError):
        return _checkpoint(error, names)
    if isinstance(error, FileExistsError) and "force=True" in str(error) and "force" in names:
        return f"文件已经存在，没有覆盖（要覆盖它请加 {names['force']}，或换一个文件名）"
    encoding = (f"请用 {names['encoding']} 指定文件的编码（如 {names['encoding']} gb18030）" if "encoding" in names
                else "请把文件另存为 UTF-8 编码后再运行")
    kinds = [(FileNotFoundError, "找不到文件。请检查文件名和所在的文件夹后再运行"),
             (IsADirectoryError, "给出的是一个文件夹，不是文件。请给出文件夹里要用的那个文件后再运行"),
             (FileExistsError, "文件已经存在，没有覆盖。请换一个文件名，或先把那个文件移走"),
             (UnicodeError, "文件的编码无法识别。" + encoding),
             (ImportError, "缺少需要安装的组件。请照下面的 pip install 命令安装后再运行")]
    if isinstance(error, MemoryError):
        return "内存不够。" + _less_memory(error, names)
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        where = f"（正在写 {error.filename}）" if error.filename else ""
        return f"磁盘空间不足{where}。" + _way_on(error, names, "请腾出空间后再运行", "腾出空间后")
    if isinstance(error, OSError) and error.errno == errno.EROFS:  # a read-only disk or share: no right would help
        return "这个文件或文件夹所在的磁盘是只读的，不能写入。" + _way_on(error, names, "请换一个可以写入的文件夹后再运行",
                                                                "磁盘可以写入后")
    if isinstance(error, PermissionError):
        return "没有权限读写这个文件或文件夹。" + _way_on(error, names, "请换一个有权限的文件夹，或请管理员开放权限后再运行",
                                                     "请管理员开放权限后")
    return next((said for kind, said in kinds if isinstance(error, kind)), None)


def _less_memory(error: MemoryError, names: dict) -> str:
    """How to go on with less memory: fewer worker processes or smaller chunks, where the front end has them (a
    checkpoint's chunks are cut by their size: changed, a resume cannot use them)."""
    jobs, chunk_size = names.get("jobs"), names.get("chunk_size")
    fewer = f"减少 {jobs} " if jobs else "关掉其他占用内存的程序"
    anew = f"请{fewer}{f'或减小 {chunk_size} ' if chunk_size else ''}后再运行"
    return _way_on(error, names, anew, f"{fewer}后", f"改了 {chunk_size} 则要从头开始" if chunk_size else None)


def _way_on(error: Exception, names: dict, anew: str, mended: str, lost: str | None = "换一个文件夹则要从头开始") -> str:
    """How to go on from what stopped a run: ``anew``, or, where a tagging run stopped so kept its finished chunks
    (``chunks_kept``, beside its output: another folder would not find them), the same command resumed once
    ``mended``; ``lost``, what would throw them away."""
    if not getattr(error, "chunks_kept", None):
        return anew
    return (f"已标注的部分都保留着：{mended}，用同样的命令加 {names.get('resume', 'resume=True')} 接着运行"
            + (f"（{lost}）" if lost else ""))
