#!/usr/bin/env python3
"""Drain benchmark, run by hand (never in CI): N applications of about SIZE KiB
each in one Dovecot mailbox on loopback, then one `intake once` timed, with its
peak memory (the maximum resident set size of the intake process; the servers are
still running, so getrusage's children are intake alone).

    python3 bench/drain.py --binary build/src/intake --messages 1000 --size 330

Prints messages per second, MB per second and peak RSS. The roadmap's full
comparison with getmail6, fetchmail and curl comes with its own issue.
"""
import argparse
import imaplib
import os
import resource
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import demo  # noqa: E402  (the demo's throw-away servers and sample builder)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(demo.ROOT, "build", "src", "intake"))
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--size", type=int, default=330, help="KiB of attachments per message")
    args = parser.parse_args()
    run = os.path.join(demo.ROOT, "bench-run")
    shutil.rmtree(run, ignore_errors=True)
    os.makedirs(run)
    imap_port, smtp_port = demo.free_port(), demo.free_port()
    procs = []
    try:
        procs.append(demo.start_dovecot(run, imap_port))
        procs.append(demo.start_smtp(run, smtp_port)[0])
        imap = imaplib.IMAP4("127.0.0.1", imap_port)
        imap.login("cemr", demo.PASSWORD)
        total = 0
        half = args.size * 512
        for n in range(args.messages):
            pad = os.urandom(half)
            raw = demo.application(f"applicant{n}@example.org", f"Applicant {n}",
                                   "application@ccre-cemr.org", "Policy Internship",
                                   "Dear CEMR team, my application is attached.",
                                   [(f"CV_{n}.pdf", demo.pdf("cv") + pad),
                                    (f"Cover_letter_{n}.pdf", demo.pdf("letter") + pad)],
                                   demo.datetime.now(demo.timezone.utc))
            imap.append("INBOX", None, None, raw)
            total += len(raw)
        imap.logout()
        cfg = demo.write_config(run, imap_port, smtp_port)
        # Enough per pass to drain the mailbox in one run.
        with open(cfg, "a") as f:
            f.write(f"\n[limits]\nmax_messages_per_pass = {args.messages + 1}\n")
        start = time.monotonic()
        status = subprocess.run([args.binary, "once", "--config", cfg], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode
        seconds = time.monotonic() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        mb = total / 1e6
        print(f"{args.messages} messages, {mb:.0f} MB: {seconds:.1f} s, "
              f"{args.messages / seconds:.1f} messages/s, {mb / seconds:.1f} MB/s, "
              f"peak RSS of intake {peak_kib / 1024:.0f} MB, exit {status}")
        return status
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()
        shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
