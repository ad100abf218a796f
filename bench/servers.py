"""The benchmarks' throw-away servers: the demo's Dovecot and SMTP server on
loopback ports, in a temporary folder that Dovecot's own users can reach (a
checkout under /root is mode 0700), stopped by their PID and removed on exit.

    with Servers() as s:
        imap = s.imap("cemr")
        cfg = s.config(run_dir)   # an intake config for both sample organisations
"""
import imaplib
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import demo  # noqa: E402  (the demo's server start-up, config writer and sample builder)

USERS = ("cemr", "atlantic-cities")  # the Dovecot users start_dovecot creates
PASSWORD = demo.PASSWORD
ROOT = demo.ROOT


class Servers:
    def __init__(self):
        self.home = None
        self.procs = []
        self.imap_port = self.smtp_port = None
        self.smtp_maildir = None

    def __enter__(self):
        self.home = tempfile.mkdtemp(prefix="intake-bench-", dir=demo.reachable_temp_root())
        os.chmod(self.home, 0o755)  # Dovecot's own users go through it
        imap_home = os.path.join(self.home, "imap")
        os.makedirs(imap_home)
        self.imap_port, self.smtp_port = demo.free_port(), demo.free_port()
        try:
            self.procs.append(demo.start_dovecot(imap_home, self.imap_port))
            smtp, self.smtp_maildir = demo.start_smtp(self.home, self.smtp_port)
            self.procs.append(smtp)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for p in reversed(self.procs):
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()  # ours, by PID
                p.wait()
        self.procs = []
        if self.home:
            shutil.rmtree(self.home, ignore_errors=True)
        return False

    def own(self, proc):
        """Stop proc (by its PID) with the servers, before them."""
        self.procs.append(proc)
        return proc

    def imap(self, user):
        conn = imaplib.IMAP4("127.0.0.1", self.imap_port)
        conn.login(user, PASSWORD)
        return conn

    def config(self, run_dir):
        """An intake config in run_dir (its HR folders and state beside it)."""
        os.makedirs(run_dir, exist_ok=True)
        return demo.write_config(run_dir, self.imap_port, self.smtp_port)

    def replies(self):
        """How many messages the SMTP server has received so far."""
        new = os.path.join(self.smtp_maildir, "new")
        return len(os.listdir(new)) if os.path.isdir(new) else 0
