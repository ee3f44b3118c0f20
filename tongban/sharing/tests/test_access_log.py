"""The access log is append-only and tamper-evident: per-subject chains and seals."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.sharing.access_log import access_log_append, access_log_seal, access_log_verify
from tongban.sharing.models import AccessLogEntry, AccessLogHead, AccessLogSeal, Outcome

from .conftest import LI_NA, T0, WANG_FANG, ZHANG_WEI, person


def line(world, id_number, minutes=0, purpose="核验"):
    return access_log_append(
        kind="verify", target="identity", subject=person(id_number), outcome=Outcome.ANSWERED,
        purpose=purpose, consumer=world.market, actor=world.clerk, fields=["name"],
        case_no="C-1", now=T0 + dt.timedelta(minutes=minutes),
    )  # fmt: skip


def write(world):
    """Three subjects, interleaved: 张伟 ×3, 王芳 ×2, 李娜 ×1."""
    people = [ZHANG_WEI, WANG_FANG, ZHANG_WEI, LI_NA, WANG_FANG, ZHANG_WEI]
    return [line(world, id_number, minute) for minute, id_number in enumerate(people)]


def test_lines_chain_per_subject_and_verify(world):
    lines = write(world)
    zhang = [e for e in lines if e.subject_token == lines[0].subject_token]
    assert zhang[1].prev_hash == zhang[0].hash and zhang[2].prev_hash == zhang[1].hash
    assert lines[1].prev_hash == "0" * 64  # 王芳's first line starts her own chain
    head = AccessLogHead.objects.get(subject_token=lines[0].subject_token)
    assert (head.last_hash, head.count) == (zhang[-1].hash, 3)
    result = access_log_verify()
    assert (result.ok, result.checked) == (True, 6)


def test_an_edited_line_breaks_the_chain(world):
    lines = write(world)
    AccessLogEntry.objects.filter(seq=lines[2].seq).update(purpose="另一用途")
    result = access_log_verify()
    assert (result.ok, result.broken_seq) == (False, lines[2].seq)


def test_a_deleted_line_breaks_the_chain_and_a_deleted_last_line_the_head(world):
    lines = write(world)
    AccessLogEntry.objects.filter(seq=lines[0].seq).delete()
    assert access_log_verify().broken_seq == lines[2].seq
    AccessLogEntry.objects.filter(seq__in=[lines[2].seq, lines[5].seq]).delete()
    result = access_log_verify()  # 张伟's chain is gone but his head remembers it
    assert not result.ok and "链尾" in result.reason


def test_a_whole_subject_deleted_after_sealing_breaks_the_seal(world):
    lines = write(world)
    assert access_log_seal(now=T0) is None  # nothing has settled yet
    seal = access_log_seal(now=T0 + dt.timedelta(minutes=10))
    assert seal is not None
    assert (seal.count, seal.first_seq, seal.last_seq) == (6, lines[0].seq, lines[-1].seq)
    assert set(AccessLogEntry.objects.values_list("seal", flat=True)) == {seal.pk}
    later = line(world, LI_NA, minutes=20)
    second = access_log_seal(now=T0 + dt.timedelta(minutes=30))
    assert second is not None
    assert (second.count, second.prev_hash) == (1, seal.hash)
    assert access_log_verify().ok
    token = lines[3].subject_token  # 李娜: one line in each seal
    AccessLogEntry.objects.filter(subject_token=token).delete()
    AccessLogHead.objects.filter(subject_token=token).delete()
    result = access_log_verify()
    assert not result.ok and "封存批次" in result.reason
    assert later.seq > lines[-1].seq


def test_the_command_reports_the_chains(world, capsys):
    write(world)
    call_command("sharing", "seal")
    call_command("sharing", "verify-log")
    assert "完整" in capsys.readouterr().out
    AccessLogSeal.objects.update(count=99)
    try:
        call_command("sharing", "verify-log")
    except CommandError as exc:
        assert "封存批次" in str(exc)
    else:
        raise AssertionError("a forged seal passed")
