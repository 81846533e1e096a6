"""Message kind sniffing: real PAXLST, PNRGOV and MRZ samples, CSV headers, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from borderwatch.errors import FormatError
from borderwatch.formats.messages import detect_message_kind

DATA = Path(__file__).parent.parent / "data"


@pytest.mark.parametrize("path", sorted((DATA / "paxlst").glob("*.txt")), ids=lambda p: p.name)
def test_paxlst_samples(path: Path) -> None:
    assert detect_message_kind(path.read_bytes()) == "paxlst"


@pytest.mark.parametrize(
    "path", sorted(p for p in (DATA / "pnrgov").iterdir() if p.name != "SOURCES.md"), ids=lambda p: p.name
)
def test_pnrgov_samples(path: Path) -> None:
    assert detect_message_kind(path.read_bytes()) == "pnrgov"


def test_type_b_envelope_around_paxlst() -> None:
    data = b"\x01QN GBRRMOK\r\n.YOWAAXH KL/041643\r\n\x02UNB+UNOA:4+KL+GB+200130:0300+77'UNH+1+PAXLST:D:05B'"
    assert detect_message_kind(data) == "paxlst"


@pytest.mark.parametrize(
    "name", ["td3_doc9303_utopia_eriksson.txt", "td1_che_smith.txt", "td2_doc9303_utopia_eriksson.txt"]
)
def test_mrz_samples(name: str) -> None:
    path = DATA / "mrz" / name
    assert detect_message_kind(path.read_bytes()) == "mrz"


def test_mrz_lines() -> None:
    td3 = b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n"
    assert detect_message_kind(td3) == "mrz"


@pytest.mark.parametrize(
    "header",
    [
        b"family_name,given_names,birth_date,document_number\n",
        b"\xef\xbb\xbfNom;Prenom;Date de naissance\r\n",
        b"surname\tgiven\tnationality\n",
    ],
)
def test_csv_manifest_header(header: bytes) -> None:
    assert detect_message_kind(header + b"ALAOUI,YOUSSEF,1980-01-01,X1\n") == "csv"


@pytest.mark.parametrize(
    "data", [b"", b"%PDF-1.7\n...", b"hello world\n", b"UNB+UNOA:4+A+B+200130:0300+1'UNH+1+CUSRES:D:05B'"]
)
def test_anything_else_is_refused_with_its_first_bytes(data: bytes) -> None:
    with pytest.raises(FormatError, match="not a PAXLST, PNRGOV, CSV manifest or MRZ: first bytes") as caught:
        detect_message_kind(data)
    assert caught.value.position is not None
