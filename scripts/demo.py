#!/usr/bin/env python3
"""make demo: a throw-away Dovecot and SMTP server on loopback, a few sample
applications in two mailboxes, one `intake once`, then what HR and applicants
see: the sorted folders, one applications.csv and one reply.

What HR and applicants see lives in ./demo-run (recreated each time). The
IMAP server's own files live in a temporary folder outside the checkout:
Dovecot's auth and mail processes run as its own users, and cannot reach a
clone under /root (mode 0700). The servers are stopped by their PID when the
demo ends, and their folder is removed.
"""
import argparse
import email
import email.policy
import grp
import imaplib
import mailbox
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "demo-password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, what, proc, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"demo: {what} exited at start (status {proc.returncode}): {proc.args}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(100):
                    return
        except OSError:
            time.sleep(0.1)
    proc.terminate()  # ours: stopped by its PID before giving up
    proc.wait()
    sys.exit(f"demo: {what} did not answer on 127.0.0.1:{port}")


def reachable_temp_root():
    """$TMPDIR when every folder above it lets others through, else /tmp."""
    path = os.path.abspath(tempfile.gettempdir())
    while path != os.path.dirname(path):
        if not os.stat(path).st_mode & 0o001:
            return "/tmp"
        path = os.path.dirname(path)
    return tempfile.gettempdir()


def start_dovecot(home, port):
    """Dovecot in `home`, a folder of its own that its users can reach."""
    os.chmod(home, 0o755)
    os.makedirs(os.path.join(home, "mail"))
    # Dovecot refuses to run its login and mail processes as root: under root it
    # uses the Debian package's own users, otherwise the current user.
    if os.geteuid() == 0:
        dovecot = pwd.getpwnam("dovecot")
        login_user, internal_user = "dovenull", "dovecot"
        internal_group = grp.getgrgid(dovecot.pw_gid).gr_name
        uid, gid = dovecot.pw_uid, dovecot.pw_gid
        os.chown(os.path.join(home, "mail"), uid, gid)
    else:
        me = pwd.getpwuid(os.getuid())
        login_user = internal_user = me.pw_name
        internal_group = grp.getgrgid(os.getgid()).gr_name
        uid, gid = os.getuid(), os.getgid()
    with open(os.path.join(home, "passwd"), "w") as f:
        for name in ("cemr", "atlantic-cities"):
            f.write(f"{name}:{{PLAIN}}{PASSWORD}\n")
    conf = os.path.join(home, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(f"""protocols = imap
listen = 127.0.0.1
base_dir = {home}/run
state_dir = {home}/state
log_path = {home}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 0
first_valid_gid = 0
mail_uid = {uid}
mail_gid = {gid}
mail_location = maildir:{home}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {home}/passwd
}}
userdb {{
  driver = static
  args = home={home}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
{"" if os.geteuid() == 0 else "  chroot ="}
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
""")
    proc = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", conf], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(home, "dovecot.stderr"), "w"))
    wait_for_port(port, "Dovecot", proc)
    return proc


def start_smtp(run, port):
    maildir = os.path.join(run, "smtp-received")
    proc = subprocess.Popen(["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Mailbox", maildir],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(run, "smtp.log"), "w"))
    wait_for_port(port, "the SMTP server", proc)
    return proc, maildir


def pdf(lines):
    """A one-page PDF whose text is `lines` (Helvetica, Latin-1), with a correct xref table."""
    def escaped(line):
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = ("BT /F1 11 Tf 50 790 Td 15 TL\n"
               + "".join(f"({escaped(line)}) '\n" for line in lines) + "ET\n").encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1,
                                                                               xref)
    return bytes(out)


def cv(name, lines):
    return pdf([name, "Curriculum vitae", ""] + lines)


def letter(name, lines):
    return pdf(["Dear Sir or Madam,", ""] + lines + ["", "Kind regards,", name])


def application(sender, name, to, subject, body, attachments, when, extra=None):
    m = EmailMessage()
    m["From"] = f"{name} <{sender}>"
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = format_datetime(when)
    m["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    for k, v in (extra or {}).items():
        m[k] = v
    m.set_content(body)
    for filename, data in attachments:
        m.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return m.as_bytes(policy=email.policy.SMTP)


def samples():
    now = datetime.now(timezone(timedelta(hours=1)))
    cemr, ac = "application@ccre-cemr.org", "rh@atlanticcities.eu"
    return {
        "cemr": [
            application("marie.dupont@example.org", "Marie Dupont", cemr, "Policy Internship",
                        "Dear CEMR team,\n\nPlease find attached my CV and cover letter.\n\nMarie",
                        [("Marie_Dupont_CV.pdf", cv("Marie Dupont", [
                            "Education",
                            "2020 - 2024  Master in European Studies, Sciences Po Lille",
                            "Experience",
                            "2023 - 2024  Trainee, European Parliament, Brussels",
                            "Languages",
                            "French: native", "English: C1", "German: B2"])),
                         ("Marie_Dupont_cover_letter.pdf", letter("Marie Dupont", [
                            "I am applying for the Policy Internship at CEMR.",
                            "I am a master's student in European Studies, and my university",
                            "will sign an internship agreement with you."]))], now),
            application("joana.pires@example.pt", "Joana Pires", cemr, "Project Lead – Joana Pires",
                        "Dear Sir or Madam,\n\nMy application for the Projects Lead post.\n",
                        [("Joana Pires - Curriculum Vitae.pdf", cv("Joana Pires", [
                            "Experience",
                            "2016 - present  Project manager, Lisbon city council",
                            "Languages",
                            "Portuguese: native", "English: C2", "French: B2"])),
                         ("Joana Pires - Cover Letter.pdf", letter("Joana Pires", [
                            "I am applying for the post of Projects Lead.",
                            "I have led EU-funded projects for eight years."]))],
                        datetime(2025, 3, 14, 23, 20, tzinfo=timezone.utc)),
            application("k.mertens@example.be", "Katrien Mertens", cemr,
                        "Automatic reply: Your message", "I am away until Friday.", [], now,
                        {"Auto-Submitted": "auto-replied"}),
            application("visits@example.de", "Stadt Musterstadt", cemr, "Study visit in June",
                        "Hello, could a delegation of our council visit you in June?", [], now),
        ],
        "atlantic-cities": [
            application("lou.kerbrat@example.fr", "Lou Kerbrat", ac, "Candidature spontanée",
                        "Bonjour,\n\nJe vous adresse ma candidature spontanée pour rejoindre votre "
                        "vivier de talents. Vous trouverez ci-joint mon CV.\n\nCordialement,\nLou",
                        [("Lou_Kerbrat_CV.pdf", cv("Lou Kerbrat", [
                            "Experience",
                            "2019 - present  Chargee de mission, Erasmus+ projects, Nantes",
                            "2017 - 2019  Assistant, Porto (abroad)",
                            "Langues",
                            "Francais : langue maternelle", "Anglais : C1", "Espagnol : B2",
                            "Portugais : B1"]))], now),
        ],
    }


def write_config(run, imap_port, smtp_port):
    cfg = os.path.join(run, "intake.toml")
    conf = os.path.join(ROOT, "config")
    with open(os.path.join(run, "imap-password"), "w") as f:
        f.write(PASSWORD + "\n")
    orgs = [("cemr", "CEMR", "application@ccre-cemr.org", '["en", "fr"]', "false"),
            ("atlantic-cities", "Atlantic Cities", "rh@atlanticcities.eu", '["en", "fr", "pt", "es"]',
             "true")]
    with open(cfg, "w") as f:
        f.write(f'[storage]\nroot = "hr"\nstate_dir = "state"\n\n'
                f'[documents]\nrules = "{conf}/rules.toml"\n\n'
                f'[[smtp]]\nname = "demo-smtp"\nurl = "smtp://127.0.0.1:{smtp_port}"\ntls_verify = false\n\n')
        for oid, name, address, languages, feedback in orgs:
            f.write(f'[[organisation]]\nid = "{oid}"\nname = "{name}"\naddress = "{address}"\n'
                    f'languages = {languages}\nfeedback = {feedback}\nsmtp = "demo-smtp"\n'
                    f'postings = "{conf}/postings/{oid}.toml"\ntemplates = "{conf}/templates/{oid}"\n\n'
                    f'[[mailbox]]\nname = "{oid}"\norganisation = "{oid}"\n'
                    f'url = "imap://127.0.0.1:{imap_port}"\nuser = "{oid}"\n'
                    f'password_file = "imap-password"\ntls_verify = false\n\n')
    return cfg


def show_tree(path):
    print(f"\n== The folders HR reads ({path}) ==")
    for dirpath, dirnames, filenames in sorted(os.walk(path)):
        dirnames.sort()
        depth = dirpath[len(path):].count(os.sep)
        print("  " * depth + os.path.basename(dirpath) + "/")
        for name in sorted(filenames):
            print("  " * (depth + 1) + name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "intake"))
    args = parser.parse_args()
    run = os.path.join(ROOT, "demo-run")
    shutil.rmtree(run, ignore_errors=True)
    os.makedirs(run)
    imap_port, smtp_port = free_port(), free_port()
    procs = []
    imap_home = tempfile.mkdtemp(prefix="intake-demo-imap-", dir=reachable_temp_root())
    try:
        procs.append(start_dovecot(imap_home, imap_port))
        smtp, maildir = start_smtp(run, smtp_port)
        procs.append(smtp)
        for user, messages in samples().items():
            imap = imaplib.IMAP4("127.0.0.1", imap_port)
            imap.login(user, PASSWORD)
            for raw in messages:
                imap.append("INBOX", None, None, raw)
            imap.logout()
            print(f"demo: {len(messages)} sample mails in the {user} mailbox")
        cfg = write_config(run, imap_port, smtp_port)
        print(f"\n== intake once --config {cfg} ==", flush=True)
        status = subprocess.run([args.binary, "once", "--config", cfg]).returncode
        print(f"(exit status {status})")
        show_tree(os.path.join(run, "hr"))
        csv = os.path.join(run, "hr", "cemr", "policy-internship", "applications.csv")
        print(f"\n== {os.path.relpath(csv, run)} ==")
        print(open(csv, encoding="utf-8-sig").read())
        replies = list(mailbox.Maildir(maildir, create=False))
        print(f"== {len(replies)} replies reached the SMTP server; one of them ==")
        first = sorted(replies, key=lambda m: m["To"])[0]
        decoded = email.message_from_bytes(first.as_bytes(), policy=email.policy.default)
        for header in ("From", "To", "Subject", "In-Reply-To", "Auto-Submitted"):
            print(f"{header}: {decoded[header]}")
        print()
        print(decoded.get_content())
        return status
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(imap_home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
