"""A deterministic corpus of realistic job applications, made at bench time.

Each mail: a multipart/alternative body (plain text and HTML) in the applicant's
language, 1 to 3 real documents (PDF 1.4 with a text page and a Flate-compressed
photo; DOCX with word/document.xml and a PNG in word/media), an accented sender
name (RFC 2047 in From) and accented file names (RFC 2231), and a subject built
from one of the postings' titles in config/postings/*.toml. The same seed gives
the same bytes, so every tool of every round downloads the same mailbox.
"""
import io
import os
import random
import struct
import tomllib
import zipfile
import zlib
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

FIRST = ["Élodie", "João", "Zoë", "Ángel", "Søren", "Łucja", "Gonçalo", "Maëlle", "Íñigo", "Chloé",
         "Dāvis", "Ana", "Björn", "Ioana", "Mélanie", "Tomás", "Anaïs", "Jürgen", "Inês", "Noé"]
LAST = ["Lefèvre", "Gonçalves", "Müller", "Núñez", "Kierkegård", "Wałęsa", "Sánchez", "Le Bihan",
        "Ibáñez", "Dupré", "Ozoliņš", "Côté", "Ström", "Popescu", "Brönte", "Ó Súilleabháin",
        "Castaño", "Kerbrat", "Araújo", "Bénard"]
WORDS = ("experience project European cities regional policy cooperation municipal "
         "coordination research communication languages university master degree internship "
         "stakeholders funding programme report analysis team network events mobility "
         "sustainable urban development governance").split()
BODIES = {
    "en": ("Dear Sir or Madam,", "Please find attached my application for the position of {t}.",
           "Kind regards,"),
    "fr": ("Madame, Monsieur,", "Veuillez trouver ci-joint ma candidature pour le poste « {t} ».",
           "Cordialement,"),
    "pt": ("Exmos. Senhores,", "Envio em anexo a minha candidatura para «{t}».",
           "Com os melhores cumprimentos,"),
    "es": ("Estimados señores:", "Les adjunto mi candidatura para «{t}».", "Atentamente,"),
}
DOCUMENTS = [("CV", "cv"), ("Lettre de motivation", "letter"), ("Cover letter", "letter"),
             ("Diplôme", "diploma"), ("Convenio de prácticas", "agreement")]


def postings(config_dir):
    """[(organisation address, language, title)] for every posting of both organisations."""
    addresses = {"cemr": "application@ccre-cemr.org", "atlantic-cities": "rh@atlanticcities.eu"}
    found = []
    for org, address in addresses.items():
        with open(os.path.join(config_dir, "postings", org + ".toml"), "rb") as f:
            for posting in tomllib.load(f).get("posting", []):
                for lang, title in posting["titles"].items():
                    found.append((org, address, lang, title))
    return found


def prose(rng, words):
    out = []
    while len(out) < words:
        sentence = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
        out.append(" ".join(sentence).capitalize() + ".")
        words -= len(sentence) - 1
    return " ".join(out)


def pdf(rng, title, name, image_bytes):
    """A small valid PDF: one page of text and one RGB image, with a correct xref table."""
    lines = [title, name] + [prose(rng, 12)[:90] for _ in range(40)]
    text = "BT /F1 10 Tf 50 800 Td 12 TL\n" + "".join(
        "(" + ln.encode("latin-1", "replace").decode("latin-1").replace("\\", "\\\\")
        .replace("(", "\\(").replace(")", "\\)") + ") '\n" for ln in lines) + "ET\n"
    text += "q 120 0 0 150 420 640 cm /Im1 Do Q\n"
    content = zlib.compress(text.encode("latin-1", "replace"))
    side = max(8, int((image_bytes / 3) ** 0.5))
    pixels = zlib.compress(rng.randbytes(side * side * 3), 1)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (side, side, len(pixels))
        + pixels + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def png(rng, image_bytes):
    side = max(8, int((image_bytes / 3) ** 0.5))
    rows = b"".join(b"\x00" + rng.randbytes(side * 3) for _ in range(side))

    def chunk(kind, data):
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))


class Fixed:
    """A zip writer that stamps every member with one date, so the bytes are reproducible."""

    def __init__(self, archive):
        self.archive = archive

    def writestr(self, name, data, method=zipfile.ZIP_DEFLATED):
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 5, 9, 0, 0))
        info.compress_type = method
        self.archive.writestr(info, data)


def docx(rng, title, name, image_bytes):
    """A small valid DOCX: paragraphs of text and a PNG part related to the document."""
    paragraphs = [title, name] + [prose(rng, 60) for _ in range(25)]
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>'
                   for p in paragraphs)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        z = Fixed(archive)
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/'
                   'vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="png" ContentType="image/png"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                   '</Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   f'<Relationships xmlns="{pkg}/relationships">'
                   f'<Relationship Id="rId1" Type="{rel}/officeDocument" '
                   'Target="word/document.xml"/>'
                   '</Relationships>')
        z.writestr("word/_rels/document.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   f'<Relationships xmlns="{pkg}/relationships">'
                   f'<Relationship Id="rId5" Type="{rel}/image" Target="media/image1.png"/>'
                   '</Relationships>')
        z.writestr("word/document.xml",
                   f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>')
        z.writestr("word/media/image1.png", png(rng, image_bytes), zipfile.ZIP_STORED)
    return out.getvalue()


def application(rng, n, posting, when):
    org, address, lang, title = posting
    first, last = rng.choice(FIRST), rng.choice(LAST)
    name = f"{first} {last}"
    sender = f"applicant{n}@example.{rng.choice(['org', 'fr', 'pt', 'es', 'eu'])}"
    greeting, line, closing = BODIES.get(lang, BODIES["en"])
    paragraphs = [greeting, line.format(t=title), prose(rng, rng.randint(80, 200)), closing, name]
    m = EmailMessage()
    m["From"] = f"{name} <{sender}>"  # non-ASCII: RFC 2047 encoded-words
    m["To"] = address
    m["Subject"] = rng.choice([title, f"{title} – {name}", f"Application: {title}", f"Re: {title}"])
    m["Date"] = format_datetime(when)
    m["Message-ID"] = f"<bench.{n}.{rng.getrandbits(48):x}@example.org>"
    m.set_content("\n\n".join(paragraphs) + "\n")
    m.add_alternative("<html><body>" + "".join(f"<p>{p}</p>" for p in paragraphs)
                      + "</body></html>\n", subtype="html")
    # Attachment bytes for this mail: 160-315 KB raw, 220-430 KB once base64-encoded, so
    # with its bodies a mail is about 330 KB on average, the size issue 13 names.
    budget = rng.randint(160_000, 315_000)
    kinds = rng.sample(DOCUMENTS, rng.randint(1, 3))
    if not any(k[1] == "cv" for k in kinds):
        kinds[0] = DOCUMENTS[0]
    for label, _ in kinds:
        share = budget // len(kinds)
        filename = f"{label} {name}"
        if rng.random() < 0.5:
            data = pdf(rng, label, name, share)
            m.add_attachment(data, maintype="application", subtype="pdf",
                             filename=filename + ".pdf")
        else:
            data = docx(rng, label, name, share)
            m.add_attachment(data, maintype="application",
                             subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                             filename=filename + ".docx")  # non-ASCII: RFC 2231 filename*=
    for i, part in enumerate(p for p in m.walk() if p.is_multipart()):
        part.set_boundary(f"=_bench_{n}_{i}_{rng.getrandbits(32):08x}")  # not random.random's
    return org, m.as_bytes(policy=SMTP)


def build(count, seed, config_dir):
    """{organisation id: [raw message]} for `count` applications, the same for the same seed."""
    rng = random.Random(seed)
    every = postings(config_dir)
    start = datetime(2026, 3, 2, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    out = {}
    for n in range(count):
        posting = every[n % len(every)]  # every posting's subject, in every language
        org, raw = application(rng, n, posting, start + timedelta(minutes=7 * n))
        out.setdefault(org, []).append(raw)
    return out
