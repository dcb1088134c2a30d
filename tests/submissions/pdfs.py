"""Small real PDFs for tests: one page, with the metadata that could name its authors."""

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

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
