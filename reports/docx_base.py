"""Word documents in Vietnamese administrative format (Decree 30/2020/NĐ-CP), real footnotes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
BODY_PT = 14  # Decree 30: 13-14 pt
FOOTNOTE_PT = 11
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}  # Decree 30, Annex I
FIRST_LINE_CM = 1.27  # Decree 30: 1-1.27 cm
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

_SEPARATORS = (
    f'<w:footnotes {nsdecls("w")}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
    '</w:footnote></w:footnotes>'
)


def _fonts_xml(size_pt: float) -> str:
    half = int(round(size_pt * 2))
    return (f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
            f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')


def new_document() -> DocxDocument:
    """A4, Decree 30 margins, Times New Roman 14 pt justified body, single-to-1.5 line spacing."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)
    fmt = normal.paragraph_format
    fmt.space_after, fmt.space_before, fmt.line_spacing = Pt(6), Pt(0), 1.15
    return doc


def heading(doc: DocxDocument, text: str, *, size: float = BODY_PT, center: bool = True,
            bold: bool = True, italic: bool = False) -> Paragraph:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    run = p.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return p


def body(doc: DocxDocument, text: str = "", *, bold_lead: str = "") -> Paragraph:
    """A justified body paragraph with a 1.27 cm first-line indent (an optional bold lead-in)."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    p.paragraph_format.first_line_indent = Cm(FIRST_LINE_CM)
    if bold_lead:
        p.add_run(bold_lead).bold = True
    if text:
        p.add_run(text)
    return p


class Footnotes:
    """Real Word footnotes (python-docx has no API for them): a footnotes.xml part related to
    the document, a w:footnoteReference run in the text, the note's text in the part."""

    def __init__(self, doc: DocxDocument) -> None:
        package = doc.part.package
        self.part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES,
                            parse_xml(_SEPARATORS), package)
        doc.part.relate_to(self.part, RT.FOOTNOTES)
        self.count = 0

    def add(self, paragraph: Paragraph, text: str) -> int:
        """Put a footnote mark at the end of ``paragraph`` and the note at the page's foot."""
        self.count += 1
        note_id = self.count
        run = paragraph.add_run()
        run._r.get_or_add_rPr().append(parse_xml(
            f'<w:vertAlign {nsdecls("w")} w:val="superscript"/>'))
        run._r.append(parse_xml(f'<w:footnoteReference {nsdecls("w")} w:id="{note_id}"/>'))
        self.part.element.append(parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{note_id}"><w:p><w:pPr><w:spacing w:after="0"/>'
            f'<w:jc w:val="both"/></w:pPr><w:r><w:rPr>{_fonts_xml(FOOTNOTE_PT)}'
            '<w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:rPr>{_fonts_xml(FOOTNOTE_PT)}</w:rPr><w:t xml:space="preserve"> '
            f'{escape(text)}</w:t></w:r></w:p></w:footnote>'))
        return note_id


def table(doc: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[object]], *,
          size: float = 12, bold_last: bool = False) -> None:
    """A bordered table: bold centred header, numbers right-aligned."""
    t = doc.add_table(rows=1, cols=len(header))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        _cell(cell, text, size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for index, values in enumerate(rows):
        cells = t.add_row().cells
        last = bold_last and index == len(rows) - 1
        for col, (cell, value) in enumerate(zip(cells, values, strict=True)):
            numeric = col > 0 and not isinstance(value, str) or _looks_numeric(value)
            _cell(cell, str(value), size, bold=last,
                  align=WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT)


def _looks_numeric(value: object) -> bool:
    text = str(value).replace(".", "").replace(",", "").replace("%", "").strip("+−-– ")
    return text.isdigit()


def _cell(cell, text: str, size: float, *, bold: bool, align) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.first_line_indent = Cm(0)
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    run.bold, run.font.size = bold, Pt(size)


def picture(doc: DocxDocument, png: bytes, *, width_cm: float = 16.0, caption: str = "") -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if caption:
        heading(doc, caption, size=12, bold=False, italic=True)


def to_bytes(doc: DocxDocument) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def read_footnotes(docx_bytes: bytes) -> dict[int, str]:
    """Footnote id -> text of a saved document (for tests and checks)."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        if "word/footnotes.xml" not in z.namelist():
            return {}
        root = etree.fromstring(z.read("word/footnotes.xml"))
    out = {}
    for note in root.iter(f"{{{W_NS}}}footnote"):
        note_id = int(note.get(f"{{{W_NS}}}id"))
        if note_id > 0:
            out[note_id] = "".join(t.text or "" for t in note.iter(f"{{{W_NS}}}t")).strip()
    return out
