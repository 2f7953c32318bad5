"""The output stream on its own: bytes cut anywhere in, the same log and the same blocks out."""

from __future__ import annotations

import io
import itertools
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.pipeline.display import DISPLAY_MAX, display_lines
from wizard.pipeline.events import StepOutput, StepSubstatus
from wizard.pipeline.output import CHUNK, MAX_PENDING, OutputStream
from wizard.pipeline.redact import MASK, Redactor


def _stream(redact=None):
    log, events = io.BytesIO(), []
    kw = {"redact": redact} if redact else {}
    return OutputStream("s", log, events.append, batch_seconds=3600, **kw), log, events


def _run(pieces, redact=None):
    stream, log, events = _stream(redact)
    for piece in pieces:
        stream.feed(piece)
    stream.close_partial()
    stream.flush()
    text = "\n".join(e.text for e in events if isinstance(e, StepOutput))
    return log.getvalue(), text, stream


def _cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.one_of(
            st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=40),
            st.sampled_from(["\x1b[1;31mred\x1b[0m", "50%\r100%", "naïve ✓", "TASK [x : y] ***", "pw=s3cr3t-value"]),
        ),
        max_size=30,
    ),
    cuts=st.lists(st.integers(min_value=0), max_size=12),
)
def test_where_the_reads_cut_the_output_changes_nothing(lines, cuts):
    data = "\n".join(lines).encode() + (b"\n" if lines else b"")
    redact = Redactor(values=["s3cr3t-value"])
    whole = _run([data], redact)
    pieces = _run(_cut(data, cuts), redact)
    assert pieces[0] == whole[0] and pieces[1] == whole[1]
    assert b"s3cr3t-value" not in whole[0] and "\r" not in whole[1]
    assert not any("\x1b" in line for line in display_lines(whole[1]))


def test_blocks_are_whole_lines_and_the_log_is_the_output_plus_newline():
    log, text, _ = _run([b"one\ntw", b"o\nthree"])
    assert log == b"one\ntwo\nthree\n"
    assert text == "one\ntwo\nthree"


def test_an_empty_line_is_a_line():
    log, text, _ = _run([b"\n\nx\n"])
    assert log == b"\n\nx\n"
    assert StepOutput("s", text).lines == ["", "", "x"]


def test_a_character_split_between_two_reads_is_decoded_whole():
    check = "✓".encode()
    log, text, _ = _run([b"ok " + check[:1], check[1:] + b" done\n"])
    assert text == "ok ✓ done" and log == "ok ✓ done\n".encode()


def test_invalid_utf8_becomes_replacement_characters_in_the_log_too():
    log, text, _ = _run([b"bad \xff byte\n"])
    assert text == "bad \ufffd byte"
    assert log.decode() == "bad \ufffd byte\n"


def test_a_line_longer_than_the_pending_limit_is_cut_at_a_character_boundary():
    line = ("é" * MAX_PENDING).encode()  # two bytes a character: a cut in the middle of one is likely
    log, text, _ = _run([line[i : i + 65536] for i in range(0, len(line), 65536)] + [b"\nend\n"])
    assert log.decode().replace("\n", "") == "é" * MAX_PENDING + "end"
    assert "\ufffd" not in text
    assert text.endswith("\nend")


def test_reading_more_than_a_chunk_at_once_works():
    data = b"".join(b"%d\n" % n for n in range(400_000))
    assert len(data) > 2 * CHUNK
    log, text, _ = _run([data])
    assert log == data
    assert text.count("\n") + 1 == 400_000


def test_read_from_a_real_pipe_reads_into_the_buffer():
    stream, log, events = _stream()
    r, w = os.pipe()
    os.write(w, b"alpha\nbe")
    os.write(w, b"ta\n\x1b[32mgreen\x1b[0m\n")
    os.close(w)
    while stream.read_from(r):
        pass
    os.close(r)
    stream.close_partial()
    stream.flush()
    assert log.getvalue() == b"alpha\nbeta\ngreen\n"
    assert [line for e in events for line in e.lines] == ["alpha", "beta", "green"]


def test_secrets_are_masked_in_log_blocks_and_tail():
    redact = Redactor(values=["hunter2-long"])
    log, text, stream = _run([b"password: hunter2-long\n"], redact)
    assert b"hunter2" not in log and f"password: {MASK}" in text
    assert stream.tail == (f"password: {MASK}",)


def test_the_tail_keeps_the_last_lines_ready_to_show():
    _, _, stream = _run([b"".join(b"line %d\n" % n for n in range(1000)), b"x" * 10000 + b"\x07\n"])
    tail = stream.tail
    assert len(tail) == 200 and tail[0] == "line 801"
    assert tail[-1].startswith("x" * DISPLAY_MAX) and "more characters in the log file" in tail[-1]


def test_ansible_headers_become_substatus_once_each():
    stream, _, events = _stream()
    stream.feed(b"PLAY [Apply role nova] ***\nTASK [nova : Copy] ***\nok: [localhost]\n")
    stream.feed(b"ok: [localhost]\n")
    stream.feed(b"RUNNING HANDLER [nova : Restart] ***\n")
    stream.feed(b"  some text mentioning TASK [not a header]\n")
    subs = [e.text for e in events if isinstance(e, StepSubstatus)]
    assert subs == ["TASK [nova : Copy]", "RUNNING HANDLER [nova : Restart]"]


def test_display_lines_cleans_and_shortens_only_what_is_asked_for():
    text = "a\x00b\nplain\n" + "y" * (DISPLAY_MAX + 5)
    assert display_lines(text) == ["ab", "plain", "y" * DISPLAY_MAX + " … (5 more characters in the log file)"]
    assert display_lines(text, last=1)[0].startswith("yyy")
    assert display_lines("one\ntwo", last=5) == ["one", "two"]
    assert display_lines("x", last=0) == []
