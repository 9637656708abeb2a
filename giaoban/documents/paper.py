"""What a document says, before any layout: the issuing body, number, date, title, body, signature
and recipients. The register (`models`, `services`) fills a `Paper`; `layout.render(paper)` lays it
out as the issuing organization's system requires on the date of issue (`styles`).

A blank (a number not yet given, a date not yet known) is `None` or "", and the layout leaves the
dotted space an office fills by hand, never a guess.
"""

from dataclasses import dataclass, field
from datetime import date


class System:
    """The system whose guidance on documents an organization follows."""

    PARTY = "party"  # 36-HD/VPTW (2018) until 27/5/2026, 05-HD/VPTW since
    STATE = "state"  # Decree 30/2020/NĐ-CP
    FRONT = "front"  # the Vietnam Fatherland Front's own guidance
    YOUTH = "youth"  # the Ho Chi Minh Communist Youth Union's own guidance


@dataclass(frozen=True)
class Issuer:
    """The issuing body's block and its symbol: "TỈNH ỦY LÀO CAI" above "BAN DÂN VẬN", "BDVTU"."""

    system: str  # a System value
    name: str  # "BAN DÂN VẬN"
    superior: str = ""  # "TỈNH ỦY LÀO CAI"; "" where the guidance puts nothing above
    symbol: str = ""  # "BDVTU", "UBND", "MTTQ-BTT"
    place: str = ""  # "Lào Cai", for the place-and-date line
    full_name: str = ""  # "Ban Dân vận Tỉnh ủy Lào Cai", the registry's name, in running text


@dataclass(frozen=True)
class Signature:
    """The signature block: "K/T TRƯỞNG BAN" / "PHÓ TRƯỞNG BAN" / the name."""

    title: str  # the signer's position as printed: "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"
    name: str  # "Nguyễn Văn A"
    # "K/T TRƯỞNG BAN", "T/M BAN THƯỜNG VỤ", "TM. ỦY BAN NHÂN DÂN"; "" when signing directly
    authority: str = ""


@dataclass(frozen=True)
class Block:
    """One part of the body, in order."""

    kind: str  # "heading" (a numbered section), "paragraph", "table"
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()  # a table's rows, the first is its header


@dataclass(frozen=True)
class Paper:
    """A document's content. `kind` is its abbreviation: BC, TB, BB, KH, CV (công văn), HD."""

    issuer: Issuer
    kind: str
    title: str  # "BÁO CÁO", "THÔNG BÁO"; "" for a công văn, which has none
    summary: str  # the trích yếu: "kết quả công tác dân vận 9 tháng năm 2021"
    body: tuple[Block, ...] = ()
    number: int | None = None  # given at issue
    issued_on: date | None = None  # the date of issue; it also chooses the guidance in force
    signature: Signature | None = None
    recipients: tuple[str, ...] = ()  # "Nơi nhận:" lines, the last one "Lưu …"
    appendix: tuple[Block, ...] = field(default=())  # e.g. the consolidated report's figures table
    appendix_title: str = ""
    # A second signature, on the left where a document has two: the minutes' secretary ("THƯ KÝ")
    # beside the chair ("CHỦ TRÌ") in `signature`. None for a document one person signs.
    second_signature: Signature | None = None
