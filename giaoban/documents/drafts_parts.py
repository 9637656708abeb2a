"""The small pieces every draft is made of: a heading, a paragraph, a passage that names the unit it
came from, and the "Lưu …" line that closes "Nơi nhận:" as the issuing system writes it.

A draft is what an officer edits before issuing: it only says what the records hold, and where a
record is missing it says which, never a guess.
"""

from giaoban.documents.paper import Block, System

#: The last line of "Nơi nhận:", where the issuing body keeps its copy, per system.
#: - Party: "Lưu Văn phòng" — Hướng dẫn 36-HD/VPTW (03/4/2018), Part II, component 9 "Nơi nhận
#:   văn bản" (box 9a/9b of its layout diagram): the copy is kept by the office of the committee
#:   or body. Public Party documents and templates end "- Lưu Văn phòng." or "- Lưu Văn phòng
#:   Đảng ủy."; one third-party summary of 36-HD/VPTW shows "- Lưu: VT." instead, the State's
#:   form: the copies disagree and the Party's own practice is followed. 05-HD/VPTW (27/5/2026)
#:   was not found in a public copy; until it is read, its documents keep the same line.
#: - State: "Lưu: VT" — Decree 30/2020/NĐ-CP, Appendix I, Part I, Section II, item 9 "Nơi nhận"
#:   ("- Lưu: VT, <the drafting unit's abbreviation>, <copies>").
#: - The Fatherland Front and the Youth Union: their central guidance was not found in a public
#:   copy; the State's line is given and the officer edits it before issuing.
STORAGE_LINES = {
    System.PARTY: "Lưu Văn phòng",
    System.STATE: "Lưu: VT",
    System.FRONT: "Lưu: VT",
    System.YOUTH: "Lưu: VT",
}


def storage_line(system: str) -> str:
    """ "Lưu Văn phòng" for a Party body, "Lưu: VT" for a State body (see STORAGE_LINES)."""
    return STORAGE_LINES.get(system, STORAGE_LINES[System.STATE])


def heading(text: str) -> Block:
    return Block("heading", text)


def paragraph(text: str) -> Block:
    return Block("paragraph", text)


def lines_of(text: str) -> list[str]:
    """A narrative as typed: each non-empty line is a paragraph."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def passage(source: str, text: str) -> list[Block]:
    """What one unit wrote, saying which unit: "Thị xã Sa Pa: …" on one paragraph, or the unit's
    name as a line of its own above several paragraphs."""
    lines = lines_of(text)
    if not lines:
        return []
    if len(lines) == 1:
        return [paragraph(f"{source}: {lines[0]}")]
    return [paragraph(f"{source}:"), *(paragraph(f"- {line}") for line in lines)]


def names(items: list[str]) -> str:
    """ "A, B và C"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"
