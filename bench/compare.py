#!/usr/bin/env python3
"""Drain benchmark beside the tools admins use (issue 13), run by hand, never in CI.

    python3 bench/compare.py [--binary build/src/intake] [--messages 200] [--rounds 3]

One Dovecot and one SMTP server on loopback (bench/servers.py), a seeded corpus
of realistic applications (bench/corpus.py) split between the two sample
mailboxes. In every round, each tool in turn (the order rotates from round to
round), the mailboxes emptied and the corpus APPENDed again before each run:

  intake    `intake once`: fetch, parse, read documents, file with fsync, commit,
            move on the server, and the acknowledgements to the SMTP server;
  fetchmail download only: keep, fetchall, mda "cat > file", sslproto '';
  getmail6  download only: into a Maildir, as the user nobody (it refuses root);
  curl      one process fetching every message by UID: the floor.

Wall time; CPU (user + system) and peak RSS of the tool's process tree (GNU
time's, i.e. wait4's, for the tool and every child it waits for); messages/s.
Medians over the rounds, the ratios of the issue's targets, and a Markdown
table at the end. Each run is checked (every message
downloaded, or for intake both INBOXes empty and exit status 0); a failed check
makes the exit status 1. Installs nothing: it names the Debian packages it lacks.
"""
import argparse
import os
import platform
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import servers  # noqa: E402

TOOLS = ("intake", "fetchmail", "getmail6", "curl")
GNU_TIME = "/usr/bin/time"
NEEDED = {GNU_TIME: "time", "fetchmail": "fetchmail", "getmail": "getmail6", "curl": "curl",
          "runuser": "util-linux"}
UNPRIVILEGED = "nobody"


def missing_packages():
    return sorted({pkg for prog, pkg in NEEDED.items() if shutil.which(prog) is None})


def reset(srv, mail):
    """Empty every folder of both users, then APPEND the corpus again; the UIDs to fetch."""
    uids = {}
    for user in servers.USERS:
        imap = srv.imap(user)
        _, folders = imap.list()
        names = [line.decode().rsplit(' "/" ', 1)[-1].strip('"') for line in folders or []]
        for name in sorted(names, key=len, reverse=True):  # children before their parents
            if name.upper() != "INBOX":
                imap.delete(f'"{name}"')
        if int(imap.select("INBOX")[1][0]):
            imap.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
            imap.expunge()
        for raw in mail.get(user, []):
            imap.append("INBOX", None, None, raw)
        imap.select("INBOX")
        _, found = imap.uid("SEARCH", "ALL")
        uids[user] = found[0].split()
        imap.logout()
    return uids


def inbox_counts(srv):
    counts = {}
    for user in servers.USERS:
        imap = srv.imap(user)
        counts[user] = int(imap.select("INBOX", readonly=True)[1][0])
        imap.logout()
    return counts


def timed(argv, **kwargs):
    """(exit status, (wall seconds, CPU seconds, peak RSS in KiB)) of argv and what it waits for.

    Through GNU time, not os.wait4 here: a child of this process carries the
    bench's own resident set (the corpus) over exec into its ru_maxrss; a
    grandchild forked by the small `time` program does not.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as usage:
        start = time.monotonic()
        status = subprocess.run([GNU_TIME, "-q", "-o", usage.name, "-f", "%U %S %M"] + argv,
                                stdout=subprocess.DEVNULL, **kwargs).returncode
        wall = time.monotonic() - start
        user, system, peak = usage.read().split()[-3:]
    return status, (wall, float(user) + float(system), int(peak))


def files_in(path):
    return sum(len(names) for _, _, names in os.walk(path))


def run_intake(srv, work, args, total):
    cfg = srv.config(os.path.join(work, "intake"))
    before = srv.replies()
    with open(os.path.join(work, "intake.log"), "w") as log:
        status, measures = timed([args.binary, "once", "--config", cfg], stderr=log)
    left = inbox_counts(srv)
    ok = status == 0 and not any(left.values())
    note = f"exit {status}, left in INBOX {sum(left.values())}, replies {srv.replies() - before}"
    return ok, note, measures


def run_fetchmail(srv, work, args, total):
    out = os.path.join(work, "fetched")
    os.makedirs(out)
    rc = os.path.join(work, "fetchmailrc")
    with open(rc, "w") as f:
        f.write(f"set no syslog\nset logfile {work}/fetchmail.log\n"
                f"poll 127.0.0.1 service {srv.imap_port} protocol IMAP auth password\n")
        for user in servers.USERS:
            f.write(f'  user "{user}" there with password "{servers.PASSWORD}"'
                    f' keep fetchall sslproto \'\' mda "cat > {out}/$$"\n')
    os.chmod(rc, 0o600)
    env = dict(os.environ, FETCHMAILHOME=work)
    with open(os.path.join(work, "fetchmail.stderr"), "w") as log:
        status, measures = timed(["fetchmail", "-f", rc, "--nodetach"], stderr=log, env=env)
    got = files_in(out)
    return status == 0 and got == total, f"exit {status}, {got} files", measures


def run_getmail(srv, work, args, total):
    nobody = pwd.getpwnam(UNPRIVILEGED)
    home = os.path.join(work, "getmail")
    maildir = os.path.join(home, "Maildir")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub))
    rcs = []
    for user in servers.USERS:
        rc = os.path.join(home, f"getmailrc-{user}")
        with open(rc, "w") as f:
            f.write(f"[retriever]\ntype = SimpleIMAPRetriever\nserver = 127.0.0.1\n"
                    f"port = {srv.imap_port}\nusername = {user}\npassword = {servers.PASSWORD}\n"
                    f"mailboxes = (\"INBOX\",)\n\n"
                    f"[destination]\ntype = Maildir\npath = {maildir}/\n\n"
                    f"[options]\nread_all = true\ndelete = false\nverbose = 0\n"
                    f"message_log = {home}/getmail.log\n")
        rcs += ["--rcfile", rc]
    argv = ["getmail", "--getmaildir", home] + rcs
    if os.geteuid() == 0:  # getmail6 refuses to deliver as root
        for dirpath, dirnames, filenames in os.walk(home):
            for name in [dirpath] + [os.path.join(dirpath, n) for n in filenames]:
                os.chown(name, nobody.pw_uid, nobody.pw_gid)
        os.chmod(work, 0o755)
        argv = ["runuser", "-u", UNPRIVILEGED, "--"] + argv
    with open(os.path.join(work, "getmail.stderr"), "w") as log:
        status, measures = timed(argv, stderr=log)
    got = files_in(os.path.join(maildir, "new")) + files_in(os.path.join(maildir, "cur"))
    return status == 0 and got == total, f"exit {status}, {got} files", measures


def run_curl(srv, work, args, total, uids):
    out = os.path.join(work, "curl")
    os.makedirs(out)
    cfg = os.path.join(work, "curlrc")
    with open(cfg, "w") as f:
        f.write("silent\nshow-error\nfail\n")
        for user, numbers in uids.items():
            for uid in numbers:
                uid = uid.decode()
                f.write(f'url = "imap://{user}:{servers.PASSWORD}@127.0.0.1:{srv.imap_port}'
                        f'/INBOX;UID={uid}"\noutput = "{out}/{user}-{uid}"\n')
    with open(os.path.join(work, "curl.stderr"), "w") as log:
        status, measures = timed(["curl", "-K", cfg], stderr=log)
    got = files_in(out)
    return status == 0 and got == total, f"exit {status}, {got} files", measures


def show_failure(work):
    """The tool's own logs, since the servers' folder goes when the bench ends."""
    for name in sorted(os.listdir(work)):
        path = os.path.join(work, name)
        if os.path.isfile(path) and (name.endswith((".log", ".stderr"))):
            with open(path, errors="replace") as f:
                tail = f.read()[-1500:]
            if tail.strip():
                print(f"--- {name} (end) ---\n{tail}", file=sys.stderr)


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(servers.ROOT, "build", "src", "intake"))
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset")
    args = parser.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools {sorted(unknown)}; choose from {', '.join(TOOLS)}")
    lacking = missing_packages()
    if lacking:
        sys.exit("compare: missing programs; install the Debian packages with\n"
                 f"    apt-get install -y {' '.join(lacking)}")
    if "intake" in tools and not os.access(args.binary, os.X_OK):
        sys.exit(f"compare: no intake binary at {args.binary}; build it first "
                 "(cmake --build build --target intake) or pass --binary")

    mail = corpus.build(args.messages, args.seed, os.path.join(servers.ROOT, "config"))
    size = sum(len(raw) for msgs in mail.values() for raw in msgs)
    print(f"corpus: {args.messages} applications, {size / 1e6:.1f} MB "
          f"({size / args.messages / 1024:.0f} KiB a message), seed {args.seed}", flush=True)
    results = {t: [] for t in tools}
    load_at_start = os.getloadavg()[0]
    failed = False
    with servers.Servers() as srv:
        for rnd in range(args.rounds):
            order = tools[rnd % len(tools):] + tools[:rnd % len(tools)]
            for tool in order:
                uids = reset(srv, mail)
                work = tempfile.mkdtemp(prefix=f"{tool}-", dir=srv.home)
                if tool == "curl":
                    ok, note, m = run_curl(srv, work, args, args.messages, uids)
                else:
                    runner = {"intake": run_intake, "fetchmail": run_fetchmail,
                              "getmail6": run_getmail}[tool]
                    ok, note, m = runner(srv, work, args, args.messages)
                wall, cpu, rss = m
                print(f"round {rnd + 1} {tool:9s} wall {wall:7.2f} s  cpu {cpu:6.2f} s  "
                      f"peak RSS {rss / 1024:6.1f} MiB  {args.messages / wall:7.1f} msg/s  "
                      f"[{note}]{'' if ok else '  CHECK FAILED (its logs below)'}", flush=True)
                failed |= not ok
                results[tool].append(m)
                if ok:
                    shutil.rmtree(work, ignore_errors=True)
                else:
                    show_failure(work)
        report(results, args, size, load_at_start)
        if failed:
            print("compare: a check failed (see the runs above)", file=sys.stderr)
    return 1 if failed else 0


def report(results, args, size, load_at_start):
    med = {t: [median([r[i] for r in runs]) for i in range(3)] for t, runs in results.items()}
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu_model = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                      if ln.startswith("model name")), platform.machine())
    print(f"\n{when}; {os.cpu_count()} cores, {cpu_model}; {platform.system()} "
          f"{platform.release()}; load average {load_at_start:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end")
    print(f"{args.messages} applications, {size / 1e6:.1f} MB, medians of {args.rounds} "
          "interleaved rounds\n")
    print("| tool | wall | CPU (user+sys) | peak RSS | messages/s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for tool, (wall, cpu, rss) in med.items():
        print(f"| {tool} | {wall:.2f} s | {cpu:.2f} s | {rss / 1024:.1f} MiB | "
              f"{args.messages / wall:.1f} |")
    print()
    ratios = [("fetchmail", "intake", "≥ 3"), ("getmail6", "intake", "≥ 6"),
              ("intake", "curl", "≤ 5")]
    print("| ratio of wall times | measured | target |")
    print("| --- | ---: | --- |")
    for a, b, target in ratios:
        if a in med and b in med:
            print(f"| {a} ÷ {b} | {med[a][0] / med[b][0]:.2f} | {target} |")


if __name__ == "__main__":
    sys.exit(main())
