#!/usr/bin/env python3
"""Drain benchmark, run by hand (never in CI): N applications of about SIZE KiB
each in one Dovecot mailbox on loopback, then one `intake once` timed, with its
peak memory (the maximum resident set size of the intake process; the servers are
still running, so getrusage's children are intake alone).

    python3 bench/drain.py --binary build/src/intake --messages 1000 --size 330

Prints messages per second, MB per second and peak RSS. The roadmap's full
comparison with getmail6, fetchmail and curl is bench/compare.py.
"""
import argparse
import os
import resource
import subprocess
import sys
import time

import servers  # the throw-away Dovecot and SMTP server; scripts/demo.py's builders
from servers import demo


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(demo.ROOT, "build", "src", "intake"))
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--size", type=int, default=330, help="KiB of attachments per message")
    args = parser.parse_args()
    with servers.Servers() as srv:
        imap = srv.imap("cemr")
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
        cfg = srv.config(os.path.join(srv.home, "run"))
        start = time.monotonic()
        status = subprocess.run([args.binary, "once", "--config", cfg], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode
        seconds = time.monotonic() - start
        # Note: a child's ru_maxrss starts from this script's own resident set at the fork;
        # bench/compare.py measures through GNU time for that reason.
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        mb = total / 1e6
        print(f"{args.messages} messages, {mb:.0f} MB: {seconds:.1f} s, "
              f"{args.messages / seconds:.1f} messages/s, {mb / seconds:.1f} MB/s, "
              f"peak RSS of intake {peak_kib / 1024:.0f} MB, exit {status}")
        return status


if __name__ == "__main__":
    sys.exit(main())
