"""The audit log: records, the hash chain, tampering, rotation, concurrency, show and verify."""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from secretguard import __version__
from secretguard.audit import log as audit
from secretguard.errors import SecretguardError

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def _write(count: int, **fields: object) -> None:
    for n in range(count):
        audit.record("hook", n=n, **fields)


def _lines(path: Path | None = None) -> list[bytes]:
    return (path or audit.log_path()).read_bytes().splitlines(keepends=True)


def _put(lines: list[bytes]) -> None:
    audit.log_path().write_bytes(b"".join(lines))


def _verify(sg, *args: str) -> tuple[int, str]:
    proc = sg("audit", "verify", *args)
    assert proc.stderr == "" or proc.returncode == 0, proc.stderr
    return proc.returncode, proc.stdout.strip()


def _git_repo(path: Path, email: str) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "config", "user.email", email], check=True)
    return path


# --- records


def test_record_has_the_documented_fields(tmp_path: Path) -> None:
    repo = _git_repo(tmp_path / "repo", "dev@example.test")
    audit.record("scan", repo=repo, root=str(repo), findings=2, rules=["dotenv"])
    audit.record("hook", repo=repo / "sub" / "dir", decision="allow")
    first, second = (json.loads(line) for line in _lines())
    assert list(first) == sorted(first)
    assert TS.match(first["ts"]) and first["ts"] <= second["ts"]
    assert first["event"] == "scan" and first["findings"] == 2 and first["rules"] == ["dotenv"]
    assert first["user"] == pwd.getpwuid(os.getuid()).pw_name
    assert first["host"] == os.uname().nodename
    assert first["git_email"] == second["git_email"] == "dev@example.test"
    assert first["version"] == __version__
    assert (first["seq"], first["prev"]) == (1, "0" * 64)
    assert second["seq"] == 2
    # prev is the SHA-256 of the previous line's exact bytes, newline included
    assert second["prev"] == audit.line_hash(_lines()[0])
    log = audit.log_path()
    assert log.stat().st_mode & 0o777 == 0o600
    assert log.parent.stat().st_mode & 0o777 == 0o700


def test_git_email_follows_includes_and_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "work" / "proj"
    repo.parent.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (tmp_path / "work.inc").write_text("[user]\n\temail = \"work@example.test\"\n")
    home_cfg = tmp_path / "global.gitconfig"
    home_cfg.write_text(f"[user]\n\temail = home@example.test\n"
                        f"[includeIf \"gitdir:{tmp_path}/work/\"]\n\tpath = {tmp_path}/work.inc\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home_cfg))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(repo)
    audit.record("config")  # no repo given: the cwd's repository counts
    other = tmp_path / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    audit.record("config", repo=other)
    outside = tmp_path / "plain"
    outside.mkdir()
    audit.record("config", repo=outside)
    emails = [json.loads(line)["git_email"] for line in _lines()]
    assert emails[0] == "work@example.test"
    assert emails[1] == "home@example.test"
    # and git itself agrees
    git = subprocess.run(["git", "-C", str(repo), "config", "user.email"], capture_output=True, text=True)
    assert git.stdout.strip() == "work@example.test"
    assert emails[2] is None  # not inside any repository


def test_secret_named_string_fields_are_refused() -> None:
    planted = "tok" + secrets.token_hex(12)
    for fields in ({"token": planted}, {"Password": planted}, {"env": {"secret": planted}},
                   {"refs": [{"value": planted}]}):
        with pytest.raises(audit.AuditError) as info:
            audit.record("exec", **fields)
        assert planted not in str(info.value)
    assert not audit.log_path().exists()
    audit.record("exec", token_accessor="acc-1", value=None, secret={"path": "kv/app"})
    assert planted not in audit.log_path().read_text()


def test_bad_calls_are_refused() -> None:
    with pytest.raises(audit.AuditError):
        audit.record("coffee")
    with pytest.raises(audit.AuditError):
        audit.record("hook", seq=5)
    with pytest.raises(audit.AuditError):
        audit.record("hook", blob=object())
    assert issubclass(audit.AuditError, SecretguardError)


def test_unwritable_log_directory_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("SECRETGUARD_AUDIT_LOG", str(blocker / "audit.jsonl"))
    with pytest.raises(audit.AuditError, match="cannot write the audit log"):
        audit.record("hook", decision="allow")
    monkeypatch.setenv("SECRETGUARD_AUDIT_LOG", "relative/audit.jsonl")
    with pytest.raises(audit.AuditError, match="absolute"):
        audit.record("hook")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through directory permissions")
def test_read_only_log_directory_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "ro"
    locked.mkdir(mode=0o500)
    monkeypatch.setenv("SECRETGUARD_AUDIT_LOG", str(locked / "audit.jsonl"))
    with pytest.raises(audit.AuditError):
        audit.record("hook")


def test_configured_log_path_keeps_its_checkpoint_in_the_state_dir(tmp_path: Path, sg,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "elsewhere" / "team.jsonl"
    monkeypatch.setenv("SECRETGUARD_AUDIT_LOG", str(log))
    _write(3)
    assert audit.log_path() == log and len(_lines(log)) == 3
    head = audit.head_path(log)
    assert head.parent == Path(os.environ["XDG_STATE_HOME"]) / "secretguard" and head.exists()
    assert _verify(sg) == (0, "audit log OK: 3 records in 1 files")


# --- concurrency

WRITER = """
import os, sys, time
from secretguard.audit import log as audit
worker, count, go = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
while not os.path.exists(go):
    time.sleep(0.001)
for n in range(count):
    audit.record("hook", worker=worker, n=n, pad="x" * (n % 37))
"""


def _run_writers(tmp_path: Path, workers: int, count: int) -> None:
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(w), str(count), str(go)])
             for w in range(workers)]
    time.sleep(0.3)  # let every writer import and wait, so they all start together
    go.touch()
    assert [p.wait(timeout=120) for p in procs] == [0] * workers


def test_eight_writers_at_once_lose_and_interleave_nothing(tmp_path: Path, sg) -> None:
    _run_writers(tmp_path, 8, 200)
    lines = _lines()
    assert len(lines) == 1600
    records = [json.loads(line) for line in lines]  # each line is one whole JSON object
    assert [r["seq"] for r in records] == list(range(1, 1601))
    assert sorted((r["worker"], r["n"]) for r in records) == [(w, n) for w in range(8) for n in range(200)]
    workers_seen = {r["worker"] for r in records[:400]}
    assert len(workers_seen) > 1, "writers did not overlap; the test proves nothing"
    assert _verify(sg) == (0, "audit log OK: 1600 records in 1 files")


def test_concurrent_writers_across_rotations(tmp_path: Path, sg, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETGUARD_AUDIT_MAX_BYTES", "4000")
    _run_writers(tmp_path, 4, 50)
    files = [p for _, p in audit.rotated_files(audit.log_path())] + [audit.log_path()]
    assert len(files) > 5
    seqs = [json.loads(line)["seq"] for f in files for line in _lines(f)]
    assert seqs == list(range(1, 201))
    assert _verify(sg) == (0, f"audit log OK: 200 records in {len(files)} files")


# --- tampering: each detected at the right line and seq


def _forged(seq: int, prev: str) -> bytes:
    rec = {"event": "hook", "decision": "allow", "seq": seq, "prev": prev, "ts": "2020-01-01T00:00:00.000000Z"}
    return (json.dumps(rec, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _edit(lines: list[bytes]) -> list[bytes]:
    lines[9] = lines[9].replace(b'"n":9', b'"n":99')
    return lines


def _edit_last(lines: list[bytes]) -> list[bytes]:
    lines[-1] = lines[-1].replace(b'"decision":"deny"', b'"decision":"allow"')
    return lines


def _edit_prev(lines: list[bytes]) -> list[bytes]:
    lines[9] = re.sub(rb'"prev":"[0-9a-f]{4}', b'"prev":"0000', lines[9])
    return lines


def _edit_seq(lines: list[bytes]) -> list[bytes]:
    lines[9] = lines[9].replace(b'"seq":10', b'"seq":12')
    return lines


def _delete(lines: list[bytes]) -> list[bytes]:
    del lines[9]
    return lines


def _delete_first(lines: list[bytes]) -> list[bytes]:
    return lines[1:]


def _insert_naive(lines: list[bytes]) -> list[bytes]:
    lines.insert(10, _forged(11, "ab" * 32))
    return lines


def _insert_chained(lines: list[bytes]) -> list[bytes]:
    lines.insert(10, _forged(11, audit.line_hash(lines[9])))
    return lines


def _duplicate(lines: list[bytes]) -> list[bytes]:
    lines.insert(10, lines[9])
    return lines


def _swap(lines: list[bytes]) -> list[bytes]:
    lines[9], lines[10] = lines[10], lines[9]
    return lines


def _move(lines: list[bytes]) -> list[bytes]:
    lines.insert(15, lines.pop(9))
    return lines


def _truncate(lines: list[bytes]) -> list[bytes]:
    return lines[:-3]


def _cut_mid_line(lines: list[bytes]) -> list[bytes]:
    return lines[:-1] + [lines[-1][:30]]


def _garbage(lines: list[bytes]) -> list[bytes]:
    lines[4] = b"not json at all\n"
    return lines


TAMPERING = {
    # name: (tamper, line reported, seq reported, words in the reason)
    "edit a field": (_edit, 10, 10, "edited"),
    "edit the last record": (_edit_last, 20, 20, "edited"),
    "edit a prev": (_edit_prev, 10, 10, "edited"),
    "edit a seq": (_edit_seq, 10, 10, "edited"),
    "delete a record": (_delete, 10, 10, "missing before this line (deleted)"),
    "delete the first record": (_delete_first, 1, 1, "missing before this line (deleted)"),
    "insert a forged record": (_insert_naive, 11, 11, "inserted"),
    "insert a well-chained forgery": (_insert_chained, 11, 11, "inserted"),
    "insert a copied record": (_duplicate, 11, 10, "not in the chain"),
    "swap two records": (_swap, 10, 11, "out of order"),
    "move a record later": (_move, 10, 11, "out of order"),
    "truncate the tail": (_truncate, 18, 18, "truncated tail: log ends at seq 17 but checkpoint says 20"),
    "cut the last line": (_cut_mid_line, 20, 20, "incomplete line"),
    "replace a line": (_garbage, 5, 5, "not valid JSON"),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_tampering_is_detected_where_it_happened(name: str, sg) -> None:
    tamper, line, seq, words = TAMPERING[name]
    _write(20, decision="deny")
    assert _verify(sg) == (0, "audit log OK: 20 records in 1 files")
    _put(tamper(_lines()))
    code, out = _verify(sg)
    assert code == 1
    assert out.startswith(f"audit log BROKEN: {audit.log_path()}:{line}: seq {seq}: "), out
    assert words in out
    assert len(out.splitlines()) == 1


def test_truncation_stays_detected_after_new_records(sg) -> None:
    _write(20)
    _put(_lines()[:-3])
    _write(2)  # the writer trusts the log, and marks its record
    lines = _lines()
    assert json.loads(lines[17])["seq"] == 18
    assert json.loads(lines[17])["checkpoint_mismatch"] == {"checkpoint_seq": 20, "log_seq": 17}
    code, out = _verify(sg)
    assert code == 1 and f":18: seq 18: " in out and "removed" in out


def test_checkpoint_missing_or_behind(sg) -> None:
    _write(5)
    head = audit.head_path(audit.log_path())
    behind = head.read_bytes()
    _write(1)
    head.write_bytes(behind)  # as if the writer died between the line and the checkpoint
    proc = sg("audit", "verify")
    assert proc.returncode == 0 and "6 records" in proc.stdout and "behind" in proc.stderr
    _write(1)  # the next record catches the checkpoint up, with no complaint
    assert "checkpoint_mismatch" not in _lines()[-1].decode()
    assert sg("audit", "verify").stderr == ""
    head.unlink()
    code, out = _verify(sg)
    assert code == 1 and "no checkpoint" in out


def test_torn_line_does_not_swallow_the_next_record(sg) -> None:
    _write(3)
    with open(audit.log_path(), "ab") as fh:
        fh.write(b'{"event":"hook","seq":4')  # a writer killed mid-line
    _write(1)
    lines = _lines()
    assert len(lines) == 5 and json.loads(lines[4])["seq"] == 4
    code, out = _verify(sg)
    assert code == 1 and ":4: seq 4: not valid JSON" in out


def test_verify_json_and_empty_log(sg) -> None:
    assert _verify(sg) == (0, "audit log OK: 0 records in 0 files")
    _write(4)
    _put(_lines()[:2] + _lines()[3:])
    proc = sg("audit", "verify", "--json")
    assert proc.returncode == 1
    verdict = json.loads(proc.stdout)
    assert verdict["ok"] is False and verdict["problem"]["line"] == 3 and verdict["problem"]["seq"] == 3
    assert verdict["problem"]["file"] == str(audit.log_path())


# --- rotation


def test_rotation_carries_the_chain_and_verify_walks_every_file(sg, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETGUARD_AUDIT_MAX_BYTES", "2000")
    _write(40, decision="allow")
    log = audit.log_path()
    rotated = audit.rotated_files(log)
    assert [n for n, _ in rotated] == list(range(1, len(rotated) + 1)) and len(rotated) >= 3
    files = [p for _, p in rotated] + [log]
    assert all(p.stat().st_size <= 2000 for p in files)
    for older, newer in zip(files, files[1:]):
        assert json.loads(_lines(newer)[0])["prev"] == audit.line_hash(_lines(older)[-1])
    assert _verify(sg) == (0, f"audit log OK: 40 records in {len(files)} files")
    shown = sg("audit", "show", "--json").stdout.splitlines()
    assert [json.loads(s)["seq"] for s in shown] == list(range(1, 41))
    # a rotated file removed: verify names the first line of the next file, and the gap
    middle = files[1]
    first_missing = json.loads(_lines(middle)[0])["seq"]
    middle.unlink()
    code, out = _verify(sg)
    assert code == 1
    assert f"{files[2]}:1: seq {first_missing}: " in out and "deleted" in out and middle.name in out


def test_rotated_record_edit_is_found_in_its_file(sg, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETGUARD_AUDIT_MAX_BYTES", "2000")
    _write(30)
    first = audit.rotated_files(audit.log_path())[0][1]
    lines = _lines(first)
    lines[2] = lines[2].replace(b'"n":2', b'"n":7')
    first.write_bytes(b"".join(lines))
    code, out = _verify(sg)
    assert code == 1 and out.startswith(f"audit log BROKEN: {first}:3: seq 3: record edited")


# --- show


def test_show_filters_by_event_session_since_and_limit(sg) -> None:
    audit.record("scan", root="/w", findings=0)
    audit.record("hook", session_id="s-1", tool="Read", decision="deny", reason="credential file")
    audit.record("hook", session_id="s-2", tool="Bash", decision="allow")
    audit.record("exec", profile="deploy", exit_code=0, session_id="s-1")
    middle_ts = json.loads(_lines()[2])["ts"]

    def seqs(*args: str) -> list[int]:
        proc = sg("audit", "show", "--json", *args)
        assert proc.returncode == 0, proc.stderr
        return [json.loads(line)["seq"] for line in proc.stdout.splitlines()]

    assert seqs() == [1, 2, 3, 4]
    assert seqs("--event", "hook") == [2, 3]
    assert seqs("--event", "scan", "--event", "exec") == [1, 4]
    assert seqs("--session", "s-1") == [2, 4]
    assert seqs("--since", middle_ts) == [3, 4]
    assert seqs("--since", "1h") == [1, 2, 3, 4]
    assert seqs("--since", "2999-01-01") == []
    assert seqs("--limit", "2") == [3, 4]
    assert seqs("--json") == seqs()
    # JSON lines are the stored bytes, so they still hash to the chain
    assert sg("audit", "show", "--json").stdout.encode() == audit.log_path().read_bytes()

    table = sg("audit", "show", "--event", "hook").stdout.splitlines()
    assert table[0].split() == ["TIME", "(UTC)", "EVENT", "USER", "SUMMARY"]
    assert len(table) == 3
    assert "deny" in table[1] and "tool=Read" in table[1] and "credential file" in table[1]
    assert table[1].index("hook") == table[0].index("EVENT")  # columns line up

    bad = sg("audit", "show", "--since", "yesterday-ish")
    assert bad.returncode == 2 and "--since" in bad.stderr and "Traceback" not in bad.stderr


def test_show_on_an_empty_log(sg) -> None:
    proc = sg("audit", "show")
    assert proc.returncode == 0 and proc.stdout.strip() == "no audit records match"
