#!/usr/bin/env python3
"""IDLE latency benchmark, run by hand (never in CI): how long an applicant waits
for the acknowledgement when `intake run` learns of new mail through IMAP IDLE.

A throw-away Dovecot and SMTP server on loopback (the demo's), `intake run` with
poll_interval_seconds = 600 so that polling cannot be what answers, then N
applications APPENDed one at a time. For each, the time from the end of the
APPEND (the server's tagged OK) to the reply landing in the SMTP server's maildir
(the file's modification time), covering: IDLE notification, fetch, parse, route,
file with fsync, commit, move on the server, SMTP delivery.

    python3 bench/idle_latency.py --binary build/src/intake --messages 20

Prints every latency, the median and the 90th percentile.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import servers  # the throw-away Dovecot and SMTP server; scripts/demo.py's builders
from servers import demo


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.002)
    sys.exit(f"idle_latency: {what} did not happen within {seconds} s")


def replies(maildir):
    new = os.path.join(maildir, "new")
    return sorted(os.listdir(new)) if os.path.isdir(new) else []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(demo.ROOT, "build", "src", "intake"))
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    with servers.Servers() as srv:
        run = os.path.join(srv.home, "run")
        maildir = srv.smtp_maildir
        cfg = srv.config(run)
        with open(cfg) as f:
            text = f.read()
        with open(cfg, "w") as f:
            f.write(text.replace('password_file = "imap-password"\n',
                                 'password_file = "imap-password"\npoll_interval_seconds = 600\n'))
        log_path = os.path.join(run, "intake.log")
        log = open(log_path, "w")
        srv.own(subprocess.Popen([args.binary, "run", "--config", cfg], stdout=log, stderr=log))
        wait_for(lambda: "mailbox cemr: waiting for new mail" in open(log_path).read(), 30,
                 "IDLE on the cemr mailbox (see " + log_path + ")")
        time.sleep(0.5)  # the first pass, over an empty mailbox, is over

        imap = srv.imap("cemr")
        latencies = []
        for n in range(args.messages):
            raw = demo.application(f"applicant{n}@example.org", f"Applicant {n}",
                                   "application@ccre-cemr.org", "Policy Internship",
                                   "Dear CEMR team, my application is attached.",
                                   [(f"CV_{n}.pdf", demo.pdf("cv")),
                                    (f"Cover_letter_{n}.pdf", demo.pdf("letter"))],
                                   demo.datetime.now(demo.timezone.utc))
            before = len(replies(maildir))
            imap.append("INBOX", None, None, raw)
            appended = time.time()  # the server has the message (tagged OK received)
            names = wait_for(lambda: replies(maildir) if len(replies(maildir)) > before else None,
                             60, f"the reply to application {n}")
            newest = max(os.path.getmtime(os.path.join(maildir, "new", name)) for name in names)
            latencies.append(newest - appended)
            print(f"{n + 1:3d}: {latencies[-1] * 1000:7.1f} ms", flush=True)
            time.sleep(0.2)
        imap.logout()
        median = statistics.median(latencies)
        p90 = (statistics.quantiles(latencies, n=10, method="inclusive")[-1]
               if len(latencies) > 1 else latencies[0])
        print(f"{len(latencies)} applications: arrival to reply median {median * 1000:.0f} ms, "
              f"p90 {p90 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
        return 0


if __name__ == "__main__":
    sys.exit(main())
