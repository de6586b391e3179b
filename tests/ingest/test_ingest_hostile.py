"""Hostile and broken files: a DOCTYPE is refused before anything is expanded or
fetched, a broken file is named in one stderr line and listed in the run, the other
files still go in, nothing of a broken file does, and the command exits 4."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from recorder.ingest.junit_reader import JUnitFileError, JUnitReader
from tests.ingest.ingest_support import cases, document_of, run_cli, write

GOOD = "<testsuite name='s'><testcase classname='Good' name='t'/></testsuite>"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<testsuite name="s"><testcase classname="Bomb" name="&lol9;"/></testsuite>"""


def xxe(target: str) -> str:
    return f"""<?xml version="1.0"?>
<!-- a comment first -->
<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "{target}">]>
<testsuite name="s"><testcase classname="Leak" name="t"><failure message="&xxe;"/></testcase>
</testsuite>"""


@pytest.fixture
def listener() -> tuple[str, list[bytes]]:
    """A loopback server that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            seen.append(connection.recv(1000) or b"connected")
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/evil", seen
    stop.set()
    thread.join()
    server.close()


def refusal(tmp_path: Path, xml: str | bytes) -> str:
    path = tmp_path / "hostile.xml"
    path.write_bytes(xml if isinstance(xml, bytes) else xml.encode())
    with pytest.raises(JUnitFileError) as raised:
        list(JUnitReader(path).cases())
    assert str(path) in raised.value.message
    return raised.value.message


def test_billion_laughs_is_refused_at_the_doctype(tmp_path: Path) -> None:
    assert "declares a DOCTYPE" in refusal(tmp_path, BILLION_LAUGHS)


def test_an_external_entity_to_a_local_file_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    hostile = write(tmp_path, "hostile.xml", xxe(secret.as_uri()))
    good = write(tmp_path, "good.xml", GOOD)
    db = tmp_path / "events.db"
    result = run_cli("ingest", "junit", str(hostile), str(good), "--db", str(db))
    assert result.returncode == 4
    assert "declares a DOCTYPE" in result.stderr
    journal_and_db = b"".join(p.read_bytes() for p in tmp_path.rglob("events.db*") if p.is_file())
    assert b"TOP-SECRET" not in journal_and_db
    assert set(cases(document_of(db, result.stdout.splitlines()[-1]))) == {("Good", "t")}


def test_an_external_entity_or_dtd_over_http_is_never_fetched(
        tmp_path: Path, listener: tuple[str, list[bytes]]) -> None:
    url, seen = listener
    assert "DOCTYPE" in refusal(tmp_path, xxe(url))
    assert "DOCTYPE" in refusal(tmp_path, f'<!DOCTYPE testsuite SYSTEM "{url}.dtd">'
                                          "<testsuite name='s'/>")
    assert "DOCTYPE" in refusal(tmp_path, f'<!DOCTYPE t [<!ENTITY % p SYSTEM "{url}"> %p;]>'
                                          "<testsuite name='s'/>")
    with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1].split("/")[0]))):
        pass  # the listener works: it would have seen a fetch
    for _ in range(50):
        if seen:
            break
        threading.Event().wait(0.01)
    assert seen == [b"connected"]  # only our own probe, never the parser


def test_a_doctype_in_utf16_is_refused_too(tmp_path: Path) -> None:
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE t [<!ENTITY e "x">]><testsuite/>'
    assert "DOCTYPE" in refusal(tmp_path, xml.encode("utf-16"))


def test_an_undeclared_entity_is_not_well_formed(tmp_path: Path) -> None:
    message = refusal(tmp_path, "<testsuite name='s'><testcase name='&xxe;'/></testsuite>")
    assert "not well-formed XML (undefined entity" in message


@pytest.mark.parametrize(("content", "fragment"), [
    (b"", "the file is empty"),
    (b"   \n", "not well-formed XML (no element found"),
    (b"this is a log file, not XML", "not well-formed XML (syntax error"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not well-formed XML"),
    (b"<suites><suite name='x'/></suites>", "root element is <suites>"),
    (b"<testsuite name='s'><testcase name='a'/><testcase name='b'><skipped/>",
     "not well-formed XML (no element found"),
], ids=["empty", "blank", "text", "binary", "not-junit", "truncated"])
def test_broken_files_are_named_listed_and_leave_nothing_behind(
        tmp_path: Path, content: bytes, fragment: str) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(content)
    good = write(tmp_path, "good.xml", GOOD)
    db = tmp_path / "events.db"
    result = run_cli("ingest", "junit", str(broken), str(good), "--db", str(db))
    assert result.returncode == 4, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {broken}: "), result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr
    run_id = result.stdout.splitlines()[-1]
    document = document_of(db, run_id)
    assert set(cases(document)) == {("Good", "t")}  # none of the truncated file's cases
    assert document["collection"]["errors"] == [{"nodeid": str(broken),
                                                 "message": lines[0].removeprefix("Error: ")}]
    assert document["status"] == "failed"
    assert document["exit_status"] == 1


def test_every_broken_file_gets_its_own_line(tmp_path: Path) -> None:
    write(tmp_path, "reports/a-empty.xml", "")
    write(tmp_path, "reports/b-good.xml", GOOD)
    write(tmp_path, "reports/c-bomb.xml", BILLION_LAUGHS)
    db = tmp_path / "events.db"
    result = run_cli("ingest", "junit", str(tmp_path / "reports"), "--db", str(db))
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        str(tmp_path / "reports/a-empty.xml"), str(tmp_path / "reports/c-bomb.xml")]
    assert "Ingested 1 cases (1 <testcase> elements) from 1 files, 2 could not be read" in (
        result.stdout)
    errors = document_of(db, result.stdout.splitlines()[-1])["collection"]["errors"]
    assert len(errors) == 2


@pytest.mark.parametrize(("args", "code", "fragment"), [
    (["missing.xml"], 3, "missing.xml does not exist"),
    (["empty-dir"], 3, "holds no *.xml files"),
    (["good.xml", "--label", "nokey"], 2, "--label 'nokey': write it as KEY=VALUE"),
], ids=["missing-file", "empty-directory", "bad-label"])
def test_usage_mistakes_record_nothing(tmp_path: Path, args: list[str], code: int,
                                       fragment: str) -> None:
    write(tmp_path, "good.xml", GOOD)
    (tmp_path / "empty-dir").mkdir()
    result = run_cli("ingest", "junit", *args, "--db", "events.db", cwd=tmp_path)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0]
    assert result.stdout == ""
    assert not (tmp_path / "events.db").exists()


def test_a_run_id_already_in_the_database_is_refused(tmp_path: Path) -> None:
    good = write(tmp_path, "good.xml", GOOD)
    db = tmp_path / "events.db"
    first = run_cli("ingest", "junit", str(good), "--db", str(db), "--run-id", "r1")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "r1"
    again = run_cli("ingest", "junit", str(good), "--db", str(db), "--run-id", "r1")
    assert again.returncode == 2
    assert again.stderr.strip() == (f"Error: run 'r1' is already in {db}: choose a new "
                                    "--run-id, or leave it out for a fresh one")
    assert document_of(db, "r1")["summary"]["total"] == 1
