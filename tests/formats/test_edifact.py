"""EDIFACT tokenizer and envelope: service characters, release, noise, envelope counts, positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from borderwatch.errors import FormatError
from borderwatch.formats.edifact import (
    DEFAULT_SERVICE_CHARS,
    ServiceChars,
    escape,
    read_interchange,
    tokenize,
)
from borderwatch.formats.problems import Severity

DATA = Path(__file__).parent.parent / "data"


def tags(data: bytes) -> list[str]:
    return [s.tag for s in tokenize(data).segments]


def test_defaults_apply_without_una() -> None:
    tokens = tokenize(b"UNB+UNOA:4+A+B+200130:0300+1'UNH+1+PAXLST:D:02B:UN:IATA'UNT+2+1'UNZ+1+1'")
    assert tokens.chars == DEFAULT_SERVICE_CHARS
    assert [s.tag for s in tokens.segments] == ["UNB", "UNH", "UNT", "UNZ"]
    assert tokens.segments[1].elements == [["1"], ["PAXLST", "D", "02B", "UN", "IATA"]]


def test_una_declares_every_separator() -> None:
    # GTAS airline2.edi style: '*' element separator and '$' terminator; then a '?' release of '*'.
    data = (
        b"UNA:*.? $UNB*UNOA:4*AIR*DHS*070218:1545*9$UNH*1*PAXLST:D:05B:UN:IATA$"
        b"NAD*FL***O?*NEIL:ANN$UNT*3*1$UNZ*1*9$"
    )
    tokens = tokenize(data)
    assert tokens.chars == ServiceChars(":", "*", ".", "?", " ", "$")
    nad = tokens.segments[2]
    assert nad.tag == "NAD"
    assert nad.elements == [["FL"], [""], [""], ["O*NEIL", "ANN"]]


def test_release_character_is_applied_after_tokenising() -> None:
    data = b"UNH+1+PAXLST:D:05B:UN:IATA'NAD+FL+++O?'LEARY:FRED? SAMPLES'FTX+AAA+++A??B?:C?+D'UNT+4+1'"
    segments = tokenize(data).segments
    assert segments[1].elements[3] == ["O'LEARY", "FRED SAMPLES"]
    assert segments[2].elements[3] == ["A?B:C+D"]
    assert [s.tag for s in segments] == ["UNH", "NAD", "FTX", "UNT"]


def test_backslash_release_from_pnrgov_page_75() -> None:
    data = (DATA / "pnrgov" / "gtas_parsers_pnrMessagePg75.txt").read_bytes()
    tokens = tokenize(data)
    assert tokens.chars.release == "\\"
    lts = [s for s in tokens.segments if s.tag == "LTS"]
    assert "LK *1A/E*/KE/KR" in lts[1].elements[0][0]


def test_type_b_envelope_before_unb_and_text_after_unz() -> None:
    data = (
        b"\x01QN GBRRMOK\r\n.YOWAAXH KL/041643\r\n\x02"
        b"UNB+UNOA:4+KL+GB+200130:0300+77'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'UNT+3+1'UNZ+1+77'\r\n13Nov09\x03"
    )
    ic = read_interchange(data, source="typeb.txt")
    assert ic.sender == "KL"
    assert len(ic.messages) == 1
    assert ic.messages[0].body[0].tag == "BGM"
    after = [p for p in ic.problems if p.field == "UNZ"]
    assert len(after) == 1
    assert "after UNZ" in after[0].reason
    assert after[0].raw.startswith("13Nov09")
    assert after[0].severity is Severity.WARNING


def test_line_breaks_inside_segments_are_teletype_wrapping() -> None:
    data = (DATA / "pnrgov" / "gtas_parsers_pnrMessagePg77.txt").read_bytes()
    ic = read_interchange(data, source="pg77")
    assert ic.messages[0].common_access_ref == "AUTZ000623052013221001SIN20130528"
    docs = next(s for s in ic.messages[0].body if s.tag == "SSR" and s.get(1, 0) == "DOCS")
    assert docs.elements[0][8].endswith("/VANDENBERG/KEVIN/MICHAEL")


def test_leading_spaces_and_reserved_star(tmp_path: Path) -> None:
    data = (DATA / "paxlst" / "gtas_parsers_apisMessage.txt").read_bytes()
    ic = read_interchange(data, source="apis")
    assert ic.chars.reserved == "*"
    assert ic.syntax == "UNOA:4"
    assert ic.control_ref == "000006640"
    assert ic.messages[0].type == "PAXLST"
    assert ic.messages[0].version == "D:05B"
    assert ic.problems == []  # UNT+33, UNE+1, UNZ+1 all right


def test_message_only_fragment_without_unb() -> None:
    ic = read_interchange(b"UNH+7+PAXLST:D:05B:UN:IATA+AT800/261129/0745+02'BGM+745'UNT+3+7'")
    assert not ic.has_unb
    msg = ic.messages[0]
    assert (msg.ref, msg.common_access_ref, msg.part_number, msg.part_indicator) == (
        "7",
        "AT800/261129/0745",
        2,
        "",
    )
    assert ic.problems == []


def test_count_mismatches_are_warnings_with_positions() -> None:
    data = (DATA / "paxlst" / "gtas_loader_Test3.txt").read_bytes()
    ic = read_interchange(data, source="Test3.txt")
    (unt,) = ic.problems
    assert unt.field == "UNT"
    assert unt.reason == "UNT says 99 segments, message 'WSPDLA' has 3131"
    assert unt.severity is Severity.WARNING
    assert unt.position.segment == 3133
    assert unt.position.line == 261  # the file ends lines with CR alone
    assert unt.raw == "UNT+099+WSPDLA"


def test_unz_and_une_counts_and_references() -> None:
    data = (
        b"UNB+UNOA:4+A+B+200130:0300+REF1'UNG+PAXLST+A+B+200130:0300+G1+UN+D:05B'"
        b"UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'UNT+3+1'UNE+2+G9'UNZ+3+REF2'"
    )
    reasons = [p.reason for p in read_interchange(data).problems]
    assert "UNE says 2 messages, the group has 1" in reasons
    assert "UNE reference 'G9' differs from UNG reference 'G1'" in reasons
    assert "UNZ says 3 groups, the interchange has 1" in reasons
    assert "UNZ reference 'REF2' differs from UNB reference 'REF1'" in reasons


def test_positions_give_line_segment_and_byte_offset() -> None:
    data = (DATA / "paxlst" / "gtas_tamr_flight1.txt").read_bytes()
    tokens = tokenize(data)
    nad = next(s for s in tokens.segments if s.tag == "NAD" and s.get(1) == "FL")
    assert nad.position.line == 11
    assert nad.position.segment == 11
    assert data[nad.position.offset :].startswith(b"NAD+FL+++JIANG:HSIUYUAN:")


def test_byte_offsets_count_utf8_bytes() -> None:
    text = "UNB+UNOW:4+A+B+200130:0300+1'UNH+1+PAXLST:D:05B:UN:IATA'NAD+FL+++ÉLODIE'DOC+P+X'UNT+4+1'UNZ+1+1'"
    data = text.encode()
    doc = next(s for s in tokenize(data).segments if s.tag == "DOC")
    assert doc.position.offset == data.index(b"DOC+P+X")


def test_five_character_una_is_tolerated() -> None:
    ic = read_interchange(
        b"UNA:+.?'UNB+IATA:1+A+B+200130:0300+1'UNH+1+PNRGOV:11:1:IA'MSG+:22'UNT+3+1'UNZ+1+1'"
    )
    assert ic.chars.terminator == "'"
    assert ic.messages[0].type == "PNRGOV"
    assert any(p.field == "UNA" for p in ic.problems)


def test_typographic_apostrophe_terminator_is_reported() -> None:
    data = (DATA / "pnrgov" / "gtas_parsers_pnrMessagePg75.txt").read_bytes()
    ic = read_interchange(data)
    body_tags = [s.tag for s in ic.messages[0].body]
    assert body_tags[body_tags.index("REF") + 2] == "TVL"  # the line after SSR DOCS...’ is its own segment
    assert any("U+2019" in p.reason for p in ic.problems)


def test_not_edifact_is_a_format_error_with_position() -> None:
    with pytest.raises(FormatError) as caught:
        read_interchange(b"surname,given\nALAOUI,YOUSSEF\n", source="x.csv")
    assert caught.value.position is not None
    assert caught.value.position.offset == 0


def test_una_cut_short_is_a_format_error() -> None:
    with pytest.raises(FormatError) as caught:
        tokenize(b"UNA:+.")
    assert caught.value.field == "UNA"


def test_unclosed_message_and_interchange_are_warnings() -> None:
    ic = read_interchange(b"UNB+UNOA:4+A+B+200130:0300+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'")
    reasons = [p.reason for p in ic.problems]
    assert "message '1' is not closed by UNT" in reasons
    assert "interchange is not closed by UNZ" in reasons


@pytest.mark.parametrize("value", ["O'BRIEN", "A+B", "X:Y", "WHAT?", "??'+:", ""])
def test_escape_then_tokenise_gives_the_value_back(value: str) -> None:
    data = f"UNH+1+PAXLST:D:05B:UN:IATA'FTX+AAA+++{escape(value)}:END'UNT+3+1'".encode()
    ftx = tokenize(data).segments[1]
    assert ftx.elements[3] == [value, "END"]
