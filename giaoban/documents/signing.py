"""Signing a document's PDF with its issuing organization's certificate: PAdES (ETSI EN 319 142,
`/SubFilter /ETSI.CAdES.detached`) through pyHanko, with a visible signature block.

What the block says follows Decree 30/2020/NĐ-CP, Phụ lục I, on the digital signature of an
organization on an electronic document: its information is the organization's name and the time
of signing (day, month, year; hour, minute, second; Vietnam's time zone, as ISO 8601 writes it).
The Decree's image of that signature is the organization's seal, in red, over about a third of the
signer's signature on its left; giaoban has no image of the seal, so the block is the text alone,
framed, placed where the signature goes: in the space above the signer's name on the last page
(found in the PDF's text), or, when the name is not found, at the bottom right of the last page.

The time written is `when`, the moment of issue, also written as the signature's /M time: that is
the signer's claim, as in every signature without a timestamp authority.
"""

import functools
import io
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from django.utils.translation import gettext as _
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader

from giaoban.documents.certificates import signing_material
from giaoban.documents.pdf import PdfUnavailable

log = logging.getLogger("giaoban.documents.signing")

__all__ = ["FIELD_NAME", "sign_pdf", "signature_box", "signature_text"]

FIELD_NAME = "ChuKySoCoQuan"  # the organization's signature (chữ ký số của cơ quan)
#: Debian's fonts-liberation2 (or fonts-liberation): Times New Roman's metrics, Vietnamese glyphs.
FONTS = (
    Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"),
)
BOX_WIDTH = 210.0
BOX_HEIGHT = 48.0
_MARGIN = 56.7  # 2 cm, the smallest margin any of the styles uses


class _DatedSigner(signers.PdfSigner):
    """pyHanko's signer, with the signing time the register gave rather than the clock's."""

    def __init__(self, *args, when: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._when = when

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._when
        return session


def signature_text(organization_name: str, when: datetime) -> str:
    """The block's text: "Ký bởi: <organization>" and "Thời gian ký: 08.10.2021 16:30:00 +07:00"."""
    local = timezone.localtime(when)
    offset = local.strftime("%z")
    moment = local.strftime("%d.%m.%Y %H:%M:%S ") + f"{offset[:3]}:{offset[3:]}"
    return f"Ký bởi: {organization_name}\nThời gian ký: {moment}"


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _name_position(page, name: str) -> tuple[float, float, float] | None:
    """Where the signer's name starts on the page (x, y of its baseline) and its font size."""
    wanted = _fold(name)
    found: list[tuple[float, float, float]] = []

    def visit(text, cm, tm, _font, size):
        if wanted and wanted in _fold(text):
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x, y, size * (abs(tm[3] * cm[3]) or 1.0)))

    page.extract_text(visitor_text=visit)
    return min(found, key=lambda spot: spot[1]) if found else None  # the lowest: the signature


def signature_box(pdf: bytes, signer_name: str) -> tuple[float, float, float, float]:
    """The block's rectangle on the last page: above the signer's name, centred on it, or at the
    bottom right of the page when the name is not in the PDF's text."""
    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    width = float(page.mediabox.width)
    spot = _name_position(page, signer_name) if signer_name else None
    if spot is None:
        left = width - _MARGIN - BOX_WIDTH
        return (left, _MARGIN, left + BOX_WIDTH, _MARGIN + BOX_HEIGHT)
    x, y, size = spot
    centre = x + len(signer_name) * size * 0.25  # half the name's width, near enough
    left = min(max(centre - BOX_WIDTH / 2, 0.0), width - BOX_WIDTH)
    bottom = y + size * 1.2
    return (left, bottom, left + BOX_WIDTH, bottom + BOX_HEIGHT)


def _signer(material) -> signers.SimpleSigner:
    der = serialization.Encoding.DER
    key = material.key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in material.chain]
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(material.certificate.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


#: Basic Latin, Latin-1, Latin Extended-A/B, combining marks, Latin Extended Additional (ạ, ế,
#: ữ…), punctuation: every letter and sign of a Vietnamese organization's name and a date.
_VIETNAMESE = [
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x300, 0x36F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
]


@functools.cache
def _font_bytes(path: Path) -> bytes:
    """The font rescaled to 1000 units per em: pyHanko writes glyph widths in font units, and a
    PDF's CID font reads them per 1000 (Liberation has 2048: the letters would stand apart).
    Cut down once to the Latin letters Vietnamese writes with, so that pyHanko's own subsetting
    at each signature works on a small font."""
    font = TTFont(str(path))
    if "FFTM" in font:  # FontForge's timestamps: fontTools cannot subset them, and warns
        del font["FFTM"]
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    cutter = subset.Subsetter(options=options)
    cutter.populate(unicodes=[c for first, last in _VIETNAMESE for c in range(first, last + 1)])
    cutter.subset(font)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class _ScaledFontFactory(GlyphAccumulatorFactory):
    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_font_bytes(Path(self.font_file))),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


def _font() -> GlyphAccumulatorFactory:
    for path in FONTS:
        if path.is_file():
            return _ScaledFontFactory(str(path), font_size=9)
    raise PdfUnavailable(
        _("The font Liberation Serif is not installed (Debian's fonts-liberation2 package).")
    )


def _style() -> TextStampStyle:
    return TextStampStyle(
        stamp_text="%(block)s",
        text_box_style=TextBoxStyle(font=_font(), font_size=9),
        border_width=1,
        background=None,
    )


def sign_pdf(pdf: bytes, organization, *, signer_name: str, when: datetime) -> bytes:
    """The PDF signed (PAdES) with `organization`'s certificate, its visible block placed above
    `signer_name` on the last page. An `ApplicationError` when the organization has no usable
    certificate; nothing is signed then."""
    material = signing_material(organization)
    box = signature_box(pdf, signer_name)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=organization.name,
        location=getattr(getattr(organization, "unit", None), "name", None),
        reason=f"Phát hành văn bản; người ký: {signer_name}" if signer_name else None,
    )
    signer = _DatedSigner(
        metadata,
        signer=_signer(material),
        stamp_style=_style(),
        new_field_spec=fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=-1, box=box),
        when=timezone.localtime(when),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = signer.sign_pdf(
        writer, appearance_text_params={"block": signature_text(organization.name, when)}
    )
    return output.getvalue()
