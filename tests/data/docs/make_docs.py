#!/usr/bin/env python3
"""Writes the document fixtures of intake's tests into a folder (argv[1]).

Real files, made with Python's standard library (and qpdf for the encrypted
PDF): PDFs with text, DOCX and ODT files, CVs and cover letters in English,
French, Portuguese and Spanish under unhelpful names, and hostile ones: a
scanned PDF, an encrypted PDF, a macro-enabled .docm, a TNEF winmail.dat, a
garbage PDF, zip bombs and a PDF whose content takes minutes to read.
"""
import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib

TEXTS = {
    "cv_en": """Maria Lopez Garcia
Curriculum Vitae
maria.lopez@example.org  +34 600 123 456
Education
2016 - 2020  Bachelor in Political Science, Universidad de Salamanca
Work experience
03/2021 - 06/2024  Project officer, Interreg Atlantic Area, European projects, Lisbon, Portugal
2020 - 2021  Erasmus+ trainee, Brussels, Belgium
Languages
Spanish: native
English: C2
French: C1
Portuguese: B2
Skills
MS Office, project management""",
    "letter_en": """Dear Sir or Madam,
I am writing to apply for the position advertised on your website. During my studies
I worked on European projects and I would be glad to bring this experience to your team.
My university will sign the learning agreement for the internship.
Thank you for considering my application.
Yours sincerely,
Maria Lopez Garcia""",
    "cv_fr": """Camille Martin
Formation
2018 - 2023  Master Affaires européennes, Université de Rennes
Expérience professionnelle
2021 - 2023  Chargée de projets européens, Ville de Brest
Langues
Français : langue maternelle
Anglais : courant (C1)
Espagnol : B1
Compétences
Gestion de projet, rédaction""",
    "letter_fr": """Madame, Monsieur,
Actuellement étudiante en master, je souhaite effectuer mon stage au sein de votre
association. Je suis inscrite à l'université de Rennes, qui signera la convention de stage.
Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.
Camille Martin""",
    "cv_pt": """Joana Ferreira
Formação académica
2017 - 2021  Licenciatura em Relações Internacionais, Universidade do Porto
Experiência profissional
2021 - 2024  Técnica de projetos europeus, Câmara Municipal do Porto
Línguas
Português: língua materna
Inglês: C1
Espanhol: C1
Francês: B2
Competências
Gestão de projetos""",
    "letter_pt": """Exmos. Senhores,
Venho por este meio apresentar a minha candidatura ao estágio na vossa associação.
Sou estudante da Universidade do Porto e a universidade assinará o acordo de estágio.
Com os melhores cumprimentos,
Joana Ferreira""",
    "cv_es": """Lucía Fernández Ruiz
Formación académica
2015 - 2019  Grado en Derecho, Universidad de Oviedo
Experiencia profesional
2019 - 2024  Técnica de proyectos europeos, Ayuntamiento de Gijón
Idiomas
Español: lengua materna
Inglés: C2
Francés: C1
Portugués: C1
Habilidades
Gestión de proyectos""",
    "sidebar_cv_left": """Jonas Berg
Malmö, Sweden
jonas.berg@example.org
Languages
Swedish: native
English: C1
German: B2""",
    "sidebar_cv_right": """Work experience
2021 - 2024  Project officer, City of Malmö
2019 - 2021  Trainee, Eurocities, Brussels
Education
2015 - 2019  Master in European Studies, Lund University""",
    "letter_es": """Estimados señores:
Me dirijo a ustedes para presentar mi candidatura a las prácticas en su asociación.
Soy estudiante de la Universidad de Oviedo, que firmará el convenio de prácticas.
Atentamente,
Lucía Fernández Ruiz""",
}


def pdf_string(line):
    data = line.encode("cp1252", "replace")
    out = b"("
    for b in data:
        if b in b"()\\":
            out += b"\\" + bytes([b])
        elif b < 32 or b > 126:
            out += b"\\%03o" % b
        else:
            out += bytes([b])
    return out + b")"


def pdf(objects):
    """A PDF from object bodies (bytes), object 1 being the catalog."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def stream(content, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def helvetica_page_pdf(ops):
    """A one-page PDF whose content stream `ops` writes with font F1, Helvetica."""
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        stream(ops),
    ])


def text_pdf(text):
    ops = b"BT /F1 10 Tf 12 TL 50 800 Td\n"
    for line in text.split("\n"):
        ops += pdf_string(line) + b" Tj T*\n"
    ops += b"ET"
    return helvetica_page_pdf(ops)


def positioned_pdf(runs):
    """A page of text runs [(x, line, text)] drawn in that order, line 0 at the top."""
    ops = b""
    for x, line, text in runs:
        ops += b"BT /F1 10 Tf %d %d Td " % (x, 800 - 12 * line) + pdf_string(text) + b" Tj ET\n"
    return helvetica_page_pdf(ops)


def sidebar_pdf(left, right):
    """A sidebar CV: two columns side by side, the left one drawn first."""
    return positioned_pdf([(x, i, line) for x, text in ((50, left), (330, right))
                           for i, line in enumerate(text.split("\n"))])


def table_pdf(rows):
    """A Europass-like CV: a column of dates beside a column of roles, row by row."""
    return positioned_pdf([(x, i, cell) for i, row in enumerate(rows)
                           for x, cell in zip((50, 150), row) if cell])


def scanned_pdf():
    pixels = bytes([200, 200, 200] * 64 * 64)
    image = stream(pixels, b"/Type /XObject /Subtype /Image /Width 64 /Height 64 "
                           b"/ColorSpace /DeviceRGB /BitsPerComponent 8 ")
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
        image,
        stream(b"q 500 0 0 700 50 80 cm /Im1 Do Q"),
    ])


def slow_pdf():
    """A content stream that inflates to ~400 MB of drawing operators."""
    chunk = b"0 0 m 1 1 l S\n" * 70000
    z = zlib.compressobj(9)
    data = b"".join(z.compress(chunk) for _ in range(400)) + z.flush()
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        stream(data, b"/Filter /FlateDecode "),
    ])


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx(text, macro=False):
    paragraphs = "".join(
        '<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % escape(line)
        for line in text.split("\n"))
    body = '<?xml version="1.0" encoding="UTF-8"?><w:document %s><w:body>%s</w:body></w:document>' % (
        W, paragraphs)
    main = ("application/vnd.ms-word.document.macroEnabled.main+xml" if macro else
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
             'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="%s"/>'
             '</Types>' % main)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("word/document.xml", body)
        if macro:
            z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really VBA")
    return out.getvalue()


def odt(text):
    paragraphs = "".join("<text:p>%s</text:p>" % escape(line) for line in text.split("\n"))
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
               '<office:body><office:text>%s</office:text></office:body></office:document-content>'
               % paragraphs)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", "<manifest/>")
    return out.getvalue()


def zip_bomb(size):
    """A DOCX whose document.xml inflates to `size` bytes of spaces."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            block = b" " * (1 << 20)
            for _ in range(size >> 20):
                f.write(block)
    return out.getvalue()


def lying_zip_bomb(size):
    """The same, with the declared sizes rewritten to 100 bytes: only counting the
    bytes really inflated catches it."""
    data = bytearray(zip_bomb(size))
    name = b"word/document.xml"
    local = data.find(b"PK\x03\x04" + b"", 0)
    while local != -1:
        n = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30:local + 30 + n] == name:
            struct.pack_into("<I", data, local + 22, 100)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        n = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + n] == name:
            struct.pack_into("<I", data, central + 24, 100)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def tnef(files):
    """A TNEF stream (Outlook's winmail.dat) carrying (name, bytes) files."""
    def attribute(level, ident, data):
        return (struct.pack("<BII", level, ident, len(data)) + data +
                struct.pack("<H", sum(data) & 0xFFFF))
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += attribute(1, 0x00089006, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += attribute(1, 0x00069007, struct.pack("<II", 1252, 0))  # attOemCodepage
    for name, content in files:
        out += attribute(2, 0x00069002, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0))
        out += attribute(2, 0x00018010, name.encode("cp1252") + b"\0")  # attAttachTitle
        out += attribute(2, 0x0006800F, content)  # attAttachData
    return out


def main():
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)

    def write(name, data):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)

    # Unhelpful names: the role is only in the text.
    write("document1.pdf", text_pdf(TEXTS["cv_en"]))
    write("document2.pdf", text_pdf(TEXTS["letter_en"]))
    write("scan_0001.pdf", text_pdf(TEXTS["cv_fr"]))
    write("scan_0002.pdf", text_pdf(TEXTS["letter_fr"]))
    write("Documento1.docx", docx(TEXTS["cv_pt"]))
    write("Documento2.docx", docx(TEXTS["letter_pt"]))
    write("Documento1.odt", odt(TEXTS["cv_es"]))
    write("Documento2.odt", odt(TEXTS["letter_es"]))
    write("sidebar.pdf", sidebar_pdf(TEXTS["sidebar_cv_left"], TEXTS["sidebar_cv_right"]))
    write("table.pdf", table_pdf([("Work experience", ""),
                                  ("2021 - 2024", "Project officer, City of Malmö"),
                                  ("", "Coordination of Interreg partners"),
                                  ("2019 - 2021", "Trainee, Eurocities, Brussels")]))
    write("notes.txt", TEXTS["letter_fr"].encode("cp1252"))
    write("image_only.pdf", scanned_pdf())
    write("garbage.pdf", b"%PDF-1.7\n" + bytes((i * 7919) % 251 for i in range(4000)))
    write("macro.docm", docx(TEXTS["cv_en"], macro=True))
    write("bomb.docx", zip_bomb(64 << 20))
    write("lying_bomb.docx", lying_zip_bomb(64 << 20))
    write("slow.pdf", slow_pdf())
    write("winmail.dat", tnef([("CV Maria Lopez.pdf", text_pdf(TEXTS["cv_en"])),
                               ("Carta.docx", docx(TEXTS["letter_es"]))]))
    write("plain_cv.pdf", text_pdf(TEXTS["cv_en"]))
    subprocess.run(["qpdf", "--encrypt", "user-pw", "owner-pw", "256", "--",
                    os.path.join(folder, "plain_cv.pdf"), os.path.join(folder, "locked.pdf")],
                   check=True)
    os.remove(os.path.join(folder, "plain_cv.pdf"))


if __name__ == "__main__":
    main()
