"""Interrupting a run and resuming it gives the same bytes as a run that was never interrupted."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from consumer_nlp.tagging import tag_file

pytestmark = pytest.mark.slow  # each test runs (and interrupts) a 30,000-row tagging run in a subprocess

ROWS, CHUNK = 30_000, 500


@pytest.fixture(scope="module")
def archive(tmp_path_factory, small_corpus, write_csv):
    texts = small_corpus[0]
    return write_csv(tmp_path_factory.mktemp("resume") / "archive.csv", [["id", "text"], *(
        [f"R{i:06d}", texts[i % len(texts)] + ("" if i % 7 else f" 第{i}号")] for i in range(ROWS))])


@pytest.fixture(scope="module")
def reference(archive, default_model):
    output = archive.with_name("reference.csv")
    tag_file(default_model, archive, output, chunk_size=CHUNK, jobs=2, progress=False)
    return output.read_bytes()


def command(archive, output, *extra):
    return [sys.executable, "-m", "consumer_nlp", "tag", str(archive), "-o", str(output),
            "--chunk-size", str(CHUNK), "--jobs", "2", "-q", *extra]


def interrupt_a_third_of_the_way(archive, output, how, **started):
    spool = output.with_name(f".{output.name}.parts")
    process = subprocess.Popen(command(archive, output), stderr=subprocess.PIPE, text=True, **started)
    deadline = time.time() + 120
    while len(list(spool.glob("*.json"))) < ROWS // CHUNK // 3 and time.time() < deadline:
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.005)
    process.send_signal(how)
    process.wait(timeout=60)
    return spool, process


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL],
                         ids=["SIGTERM", "Ctrl-C", "terminal closed", "kill -9"])
def test_resume_after_interruption_is_byte_identical(archive, reference, tmp_path, how, sigint_heard):
    # SIGHUP (the terminal closed) ended a run as kill -9 does (exit 129): nothing cleaned up, no word of --resume.
    output = tmp_path / "tagged.csv"
    spool, process = interrupt_a_third_of_the_way(archive, output, how)
    assert process.returncode == (-signal.SIGKILL if how == signal.SIGKILL else 130)
    assert not output.exists(), "an interrupted run must not leave a complete-looking output"
    done = len(list(spool.glob("*.json")))
    assert 0 < done < ROWS // CHUNK
    if how != signal.SIGKILL:
        assert "--resume" in process.stderr.read()
        assert sorted(p.name for p in tmp_path.iterdir()) == [spool.name], "the lock and any working copy removed"
    result = subprocess.run(command(archive, output, "--resume"), capture_output=True, text=True, check=True)
    assert "沿用上次结果" in result.stderr
    assert output.read_bytes() == reference
    assert not spool.exists()


def test_closing_the_terminal_stops_the_workers_too(archive, tmp_path, children_of):
    # The workers died of the SIGHUP sent to the terminal's whole process group, as kill -9 would have them.
    output = tmp_path / "tagged.csv"
    spool = output.with_name(f".{output.name}.parts")
    process = subprocess.Popen(command(archive, output), stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 120
    while not (list(spool.glob("0*.json")) and children_of(process.pid)) and time.time() < deadline:
        time.sleep(0.01)
    workers = children_of(process.pid)
    assert workers, "a --jobs 2 run has a worker process"
    os.killpg(process.pid, signal.SIGHUP)  # as a closed terminal does: the run and its workers
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "--resume" in err, err
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[1][:3]]
    assert not alive, f"workers {alive} outlived their run"


def test_a_run_started_under_nohup_outlives_its_terminal(archive, reference, tmp_path):
    # nohup sets SIGHUP to ignored before it starts the command: such a run was started to outlive its terminal.
    def as_nohup_does():
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    output = tmp_path / "tagged.csv"
    spool, process = interrupt_a_third_of_the_way(archive, output, signal.SIGHUP, preexec_fn=as_nohup_does)
    assert process.returncode == 0, process.stderr.read()
    assert output.read_bytes() == reference and not spool.exists()


def test_resume_refuses_a_checkpoint_of_another_run(archive, tmp_path, default_model):
    output = tmp_path / "tagged.csv"
    spool, _ = interrupt_a_third_of_the_way(archive, output, signal.SIGTERM)
    with pytest.raises(ValueError, match="different run.*chunk_size"):
        tag_file(default_model, archive, output, chunk_size=CHUNK * 2, resume=True, progress=False)


def test_killing_the_run_leaves_no_worker_behind(archive, tmp_path, children_of):
    output = tmp_path / "tagged.csv"
    spool = output.with_name(f".{output.name}.parts")
    process = subprocess.Popen(command(archive, output), stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (list(spool.glob("*.json")) and children_of(process.pid)) and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # the workers are at work
    workers = children_of(process.pid)
    assert workers, "a --jobs 2 run has a worker process"
    process.kill()
    process.wait(timeout=60)
    deadline = time.time() + 10
    while any(Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[1][:3]
              for pid in workers) and time.time() < deadline:
        time.sleep(0.05)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[1][:3]]
    assert not alive, f"workers {alive} outlived their run"
    parts = sorted(p.name for p in spool.iterdir())
    time.sleep(1.5)
    assert sorted(p.name for p in spool.iterdir()) == parts, "nothing writes into the spool after the kill"


def test_an_unfinished_run_is_never_thrown_away_unasked(archive, reference, tmp_path):
    output = tmp_path / "tagged.csv"
    spool, _ = interrupt_a_third_of_the_way(archive, output, signal.SIGTERM)
    kept = sorted(p.name for p in spool.iterdir())
    again = subprocess.run(command(archive, output), capture_output=True, text=True)
    assert again.returncode == 2 and "--resume" in again.stderr and "--restart" in again.stderr
    assert sorted(p.name for p in spool.iterdir()) == kept
    subprocess.run(command(archive, output, "--restart"), capture_output=True, text=True, check=True)
    assert output.read_bytes() == reference and not spool.exists()


def test_an_unfinished_run_on_an_input_changed_since_says_only_restart(archive, tmp_path):
    # Chunks found with neither flag were always met with "add --resume, or --restart", without a look at whose they
    # were: a desk who mended the file after a stop was sent to --resume, which was then refused as another run's.
    copy, output = tmp_path / "archive.csv", tmp_path / "tagged.csv"
    copy.write_bytes(archive.read_bytes())
    spool, _ = interrupt_a_third_of_the_way(copy, output, signal.SIGTERM)
    kept = sorted(p.name for p in spool.iterdir())
    copy.write_bytes(copy.read_bytes().replace(b"R000000", b"R999999", 1))  # the first row mended
    again = subprocess.run(command(copy, output), capture_output=True, text=True)
    first_line = again.stderr.splitlines()[0]
    assert again.returncode == 2 and "--restart" in first_line and "--resume" not in first_line, again.stderr
    assert "输入文件的内容与那次不同" in first_line
    assert sorted(p.name for p in spool.iterdir()) == kept  # still never thrown away unasked
    restarted = subprocess.run(command(copy, output, "--restart"), capture_output=True, text=True)
    assert restarted.returncode == 0 and not spool.exists() and output.exists(), restarted.stderr


def test_resume_notices_a_change_anywhere_in_the_input(archive, tmp_path, default_model):
    copy = tmp_path / "archive.csv"
    copy.write_bytes(archive.read_bytes())
    output = tmp_path / "tagged.csv"
    interrupt_a_third_of_the_way(copy, output, signal.SIGTERM)
    data, stat = bytearray(copy.read_bytes()), copy.stat()
    data[-3] = ord("9") if data[-3] != ord("9") else ord("8")  # same size, last row changed
    copy.write_bytes(bytes(data))
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same time stamp
    with pytest.raises(ValueError, match="different run.*input"):
        tag_file(default_model, copy, output, chunk_size=CHUNK, resume=True, progress=False)


def test_a_signal_is_noted_where_it_lands_and_acted_on_where_the_run_checks():
    """Raising from the signal handler wherever the main thread is can leave the worker pool's
    locks held and the run hanging; the signal is noted, and the run stops at its next check."""
    from consumer_nlp.tagging._run import _Stop, _StopRequest

    stops = signal.SIGTERM, signal.SIGINT, signal.SIGHUP
    before = [signal.getsignal(number) for number in stops]
    with _StopRequest() as stop:
        stop.check()  # nothing came yet
        for number in stops:
            os.kill(os.getpid(), number)  # without the handler this would end the test run
        with pytest.raises(_Stop):
            stop.check()
    assert [signal.getsignal(number) for number in stops] == before


def test_a_sigterm_while_the_parts_are_joined_leaves_no_partial_output_and_can_resume(archive, reference, tmp_path):
    # The signal handler was gone by the final join: SIGTERM killed the run on the spot, leaving the
    # half-joined out.csv.partial and the lock file behind, without a word.
    output = tmp_path / "tagged.csv"
    script = ("import os, signal, sys\n"
              "from consumer_nlp import cli, io\n"
              "from consumer_nlp.tagging import _run\n"
              "def join(*args, **options):\n"
              "    os.kill(os.getpid(), signal.SIGTERM)\n"
              "    return io.join_parts(*args, **options)\n"
              "_run.join_parts = join\n"
              "sys.exit(cli.main(sys.argv[1:]))\n")
    stopped = subprocess.run([sys.executable, "-c", script, *command(archive, output)[3:]], capture_output=True,
                             text=True, timeout=300)
    assert stopped.returncode == 130 and "--resume" in stopped.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tagged.csv.parts"]
    subprocess.run(command(archive, output, "--resume"), capture_output=True, text=True, check=True)
    assert output.read_bytes() == reference


def test_a_run_that_fails_before_any_chunk_leaves_nothing_behind(tmp_path, default_model):
    (tmp_path / "in.csv").write_text("编号,正文x\n1,手机屏幕坏了\n", encoding="utf-8")
    (tmp_path / "tagged.csv").write_text("id,text,category\n1,手机屏幕坏了,quality\n", encoding="utf-8")
    for source, options in [("in.csv", {}), ("in.csv", {"text_col": "正文x", "id_col": "nope"}),
                            ("tagged.csv", {})]:
        with pytest.raises(ValueError):
            tag_file(default_model, tmp_path / source, tmp_path / "out.csv", jobs=1, progress=False, **options)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "tagged.csv"], options


def test_a_killed_worker_ends_the_run_with_its_lock_and_says_how_to_go_on(archive, reference, tmp_path,
                                                                          children_of):
    # With --jobs 3, a worker killed (by the OOM killer, say) while its sibling waited for work left
    # the sibling blocked for ever on the queue's lock the dead one held, ignoring the pool's SIGTERM:
    # the run hung, holding the output's lock, so not even --resume could go on.
    output = tmp_path / "tagged.csv"
    spool = output.with_name(f".{output.name}.parts")
    run = [*command(archive, output)[:-3], "--jobs", "3", "-q"]
    process = subprocess.Popen(run, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (list(spool.glob("0*.json")) and len(children_of(process.pid)) >= 2) and time.time() < deadline:
        time.sleep(0.01)  # a chunk finished (not only manifest.json), the workers at work
    os.kill(children_of(process.pid)[0], signal.SIGKILL)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the run hung after one of its workers was killed")
    assert process.returncode != 0 and "--resume" in err, err
    assert subprocess.run(command(archive, output, "--resume"), capture_output=True, text=True).returncode == 0
    assert output.read_bytes() == reference
