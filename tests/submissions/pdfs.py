"""Small real PDFs for tests: one page, with the metadata that could name its authors."""

import io

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

XMP = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


def pdf_bytes(*, author: str = "", title: str = "") -> bytes:
    """Return a one-page PDF whose Info dictionary and XMP stream name ``author``."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if author or title:
        writer.add_metadata({"/Author": author, "/Title": title, "/Creator": f"{author}'s TeX"})
        xmp = DecodedStreamObject()
        xmp.set_data(XMP.format(author=author).encode())
        xmp[NameObject("/Type")] = NameObject("/Metadata")
        xmp[NameObject("/Subtype")] = NameObject("/XML")
        writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def latex_like_pdf(*, author: str, home: str) -> bytes:
    """Return a one-page PDF carrying what pdfTeX and viewers leave behind in a paper.

    A figure included as PDF (a form XObject) with pdfTeX's PTEX.InfoDict (the figure's own
    /Author) and PTEX.FileName (under the author's home directory) and its own XMP stream; a
    page-level /Info and /PieceInfo; a sticky note whose /T, /Subj and /Contents name the
    author; an embedded file; a JavaScript open action.
    """
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    xmp = DecodedStreamObject()
    xmp.set_data(XMP.format(author=author).encode())
    xmp.update(
        {NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")}
    )
    figure = DecodedStreamObject()
    figure.set_data(b"0 0 m 100 100 l S")
    figure.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([NumberObject(0)] * 2 + [NumberObject(100)] * 2),
        NameObject("/PTEX.FileName"): TextStringObject(f"{home}/paper/figures/plot.pdf"),
        NameObject("/PTEX.PageNumber"): NumberObject(1),
        NameObject("/PTEX.InfoDict"): DictionaryObject({
            NameObject("/Author"): TextStringObject(author),
            NameObject("/Creator"): TextStringObject("matplotlib"),
        }),
        NameObject("/Metadata"): xmp,
    })  # fmt: skip
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Fm1"): figure})}
    )
    page[NameObject("/Info")] = DictionaryObject({NameObject("/Author"): TextStringObject(author)})
    page[NameObject("/PieceInfo")] = DictionaryObject(
        {NameObject("/LaTeX"): DictionaryObject({NameObject("/Private"): TextStringObject(home)})}
    )
    note = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Text"),
        NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 30, 30)]),
        NameObject("/T"): TextStringObject(author),
        NameObject("/Subj"): TextStringObject(f"Note by {author}"),
        NameObject("/Contents"): TextStringObject(f"{author}: fix this before submitting"),
    })  # fmt: skip
    page[NameObject("/Annots")] = ArrayObject([note])
    writer.add_attachment("notes.txt", f"Private notes of {author}".encode())
    writer.add_open_action(JavaScript(f"app.alert('{author}');"))
    writer.add_metadata({"/Author": author})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with(**page_entries) -> bytes:
    """Return a one-page PDF whose page dictionary has these extra entries (PDF objects)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    for key, value in page_entries.items():
        page[NameObject(f"/{key}")] = value
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
