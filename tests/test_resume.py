"""Interrupting a run and resuming it gives the same bytes as a run that was never interrupted."""
import csv
import signal
import subprocess
import sys
import time

import pytest

from consumer_nlp._batch import tag_file

ROWS, CHUNK = 30_000, 500


@pytest.fixture(scope="module")
def archive(tmp_path_factory, small_corpus):
    path = tmp_path_factory.mktemp("resume") / "archive.csv"
    texts = small_corpus[0]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        writer.writerows([f"R{i:06d}", texts[i % len(texts)] + ("" if i % 7 else f" 第{i}号")] for i in range(ROWS))
    return path


@pytest.fixture(scope="module")
def reference(archive, default_model):
    output = archive.with_name("reference.csv")
    tag_file(default_model, archive, output, chunk_size=CHUNK, jobs=2, progress=False)
    return output.read_bytes()


def command(archive, output, *extra):
    return [sys.executable, "-m", "consumer_nlp", "tag", str(archive), "-o", str(output),
            "--chunk-size", str(CHUNK), "--jobs", "2", "-q", *extra]


def interrupt_a_third_of_the_way(archive, output, how):
    spool = output.with_name(f".{output.name}.parts")
    process = subprocess.Popen(command(archive, output), stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while len(list(spool.glob("*.json"))) < ROWS // CHUNK // 3 and time.time() < deadline:
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.005)
    process.send_signal(how)
    process.wait(timeout=60)
    return spool, process


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["SIGTERM", "Ctrl-C", "kill -9"])
def test_resume_after_interruption_is_byte_identical(archive, reference, tmp_path, how):
    output = tmp_path / "tagged.csv"
    spool, process = interrupt_a_third_of_the_way(archive, output, how)
    assert process.returncode != 0
    assert not output.exists(), "an interrupted run must not leave a complete-looking output"
    done = len(list(spool.glob("*.json")))
    assert 0 < done < ROWS // CHUNK
    if how != signal.SIGKILL:
        assert "--resume" in process.stderr.read()
    result = subprocess.run(command(archive, output, "--resume"), capture_output=True, text=True, check=True)
    assert "沿用上次结果" in result.stderr
    assert output.read_bytes() == reference
    assert not spool.exists()


def test_resume_refuses_a_checkpoint_of_another_run(archive, tmp_path, default_model):
    output = tmp_path / "tagged.csv"
    spool, _ = interrupt_a_third_of_the_way(archive, output, signal.SIGTERM)
    with pytest.raises(ValueError, match="different run.*chunk_size"):
        tag_file(default_model, archive, output, chunk_size=CHUNK * 2, resume=True, progress=False)
