#!/usr/bin/env python3
"""Builds the seed corpora and runs intake's libFuzzer targets (make fuzz).

    run_fuzzers.py --build build-fuzz --seconds 300 --jobs 2 [target ...]

Seeds are written into <build>/corpus/<target>/ under libFuzzer's own naming (the
SHA-1 of the content), so re-running adds nothing twice and the corpus the fuzzers
grew is kept between runs:
  decide  the .eml files of tests/data/eml and of the public sample
          (../shared/conformance/mail, when present), and each document fixture of
          tests/data/docs/make_docs.py sent as an attachment;
  imap    the responses committed under tests/data/fuzz/seeds/imap/;
  words   Subject, From, Content-Type and Content-Disposition values of those mails;
  route   posting titles and aliases of config/postings/, and the mails' subjects
          with their plain bodies;
  config  every TOML file of config/, prefixed with the byte that selects it.
The inputs of tests/data/fuzz/<target>/ (past findings) are seeds too. Each target
then runs niced for --seconds, its log in <build>/logs/<target>.log, crashes, leaks,
timeouts and out-of-memory inputs in <build>/artifacts/<target>/. The summary is
taken from libFuzzer's final stats (-print_final_stats=1). Exits 1 on any finding.
"""
import argparse
import base64
import email
import email.policy
import hashlib
import os
import re
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "tests" / "fuzz"
DATA = REPO / "tests" / "data"
SAMPLE = REPO.parent / "shared" / "conformance" / "mail"
TARGETS = ["decide", "imap", "words", "route", "config"]
# The config target's first byte picks the file it replaces (config_target.cpp).
CONFIG_FILES = ["intake.toml", "postings/atlantic-cities.toml", "rules.toml",
                "templates/atlantic-cities/en/phrases.toml"]
# Larger inputs only slow the mutations down; mails are cut to this many bytes.
MAX_LEN = {"decide": 65536, "imap": 8192, "words": 4096, "route": 8192, "config": 16384}
# Documents that only cost time (a PDF built to be slow, zip bombs) stay out of the seeds;
# the unit tests of src/docs cover them.
DOC_SEED_MAX_BYTES = 20000


def add(corpus: Path, data: bytes) -> None:
    if data:
        (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)


def mails() -> list[Path]:
    found = sorted((DATA / "eml").glob("*.eml"))
    if SAMPLE.is_dir():
        found += sorted(SAMPLE.glob("*.eml"))
    return found


def header_values(raw: bytes, name: str) -> list[str]:
    """Every value of that header anywhere in the mail, folded lines kept apart by \\n."""
    text = raw.decode("latin-1")
    pattern = re.compile(r"^" + re.escape(name) + r":[ \t]*(.*(?:\r?\n[ \t].*)*)",
                         re.IGNORECASE | re.MULTILINE)
    return [re.sub(r"\r?\n[ \t]+", "\n", m.group(1)).rstrip("\r") for m in pattern.finditer(text)]


def doc_mail(path: Path) -> bytes:
    body = base64.encodebytes(path.read_bytes()).decode()
    return (f"From: Maria Lopez <maria@example.org>\r\nTo: rh@atlanticcities.eu\r\n"
            f"Subject: Application: Policy officer\r\nDate: Mon, 3 Mar 2025 10:00:00 +0000\r\n"
            f"Message-ID: <{path.stem}@example.org>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\nPlease find my application.\r\n"
            f"--b1\r\nContent-Type: application/octet-stream; name=\"{path.name}\"\r\n"
            f"Content-Disposition: attachment; filename=\"{path.name}\"\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{body}--b1--\r\n").encode()


def seed_decide(corpus: Path, build: Path) -> None:
    for mail in mails():
        add(corpus, mail.read_bytes())
    docs = build / "docs"
    subprocess.run([sys.executable, str(DATA / "docs" / "make_docs.py"), str(docs)], check=True)
    for doc in sorted(docs.iterdir()):
        if doc.is_file() and doc.stat().st_size <= DOC_SEED_MAX_BYTES:
            add(corpus, doc_mail(doc))


def seed_imap(corpus: Path, build: Path) -> None:
    for seed in sorted((DATA / "fuzz" / "seeds" / "imap").iterdir()):
        add(corpus, seed.read_bytes())


def seed_words(corpus: Path, build: Path) -> None:
    for mail in mails():
        raw = mail.read_bytes()
        for name in ("Subject", "From", "Content-Type"):
            for value in header_values(raw, name):
                add(corpus, value.encode("latin-1"))
        for value in header_values(raw, "Content-Disposition"):
            add(corpus, b"application/pdf\n" + value.encode("latin-1"))


def seed_route(corpus: Path, build: Path) -> None:
    for file in sorted((REPO / "config" / "postings").glob("*.toml")):
        for posting in tomllib.loads(file.read_text()).get("posting", []):
            for phrase in list(posting.get("titles", {}).values()) + posting.get("aliases", []):
                add(corpus, phrase.encode())
                add(corpus, f"Re: Application - {phrase}\n".encode())
    for mail in mails():
        message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        add(corpus, f"{message.get('Subject', '')}\n{text[:4000]}".encode())


def seed_config(corpus: Path, build: Path) -> None:
    config = REPO / "config"
    for index, name in enumerate(CONFIG_FILES):
        pattern = name.replace("atlantic-cities.toml", "*.toml").replace("/en/", "/*/")
        for file in sorted(config.glob(pattern)):
            add(corpus, bytes([index]) + file.read_bytes())


SEEDERS = {"decide": seed_decide, "imap": seed_imap, "words": seed_words,
           "route": seed_route, "config": seed_config}

STAT = re.compile(r"^stat::(\w+):\s+(\d+)", re.MULTILINE)


def run(target: str, build: Path, seconds: int) -> dict:
    corpus = build / "corpus" / target
    artifacts = build / "artifacts" / target
    log = build / "logs" / f"{target}.log"
    for folder in (corpus, artifacts, log.parent, build / "tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    SEEDERS[target](corpus, build)
    regressions = DATA / "fuzz" / target
    if regressions.is_dir():
        for file in regressions.iterdir():
            if file.is_file() and file.name != "README.md":
                add(corpus, file.read_bytes())
    seeds = len(list(corpus.iterdir()))
    command = ["nice", "-n", "19", str(build / "tests" / "fuzz" / f"fuzz_{target}"), str(corpus),
               f"-max_total_time={seconds}", "-rss_limit_mb=2048", "-timeout=10",
               f"-max_len={MAX_LEN[target]}", "-print_final_stats=1",
               f"-artifact_prefix={artifacts}/"]
    dictionary = HERE / "dicts" / f"{target}.dict"
    if dictionary.is_file():
        command.append(f"-dict={dictionary}")
    # The config target copies config/ into $TMPDIR; the document reader's children inherit it.
    env = dict(os.environ, TMPDIR=str(build / "tmp"))
    started = time.monotonic()
    with log.open("w") as out:
        code = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
    stats = {k: int(v) for k, v in STAT.findall(log.read_text(errors="replace"))}
    found = sorted(p.name for p in artifacts.iterdir())
    return {"target": target, "seconds": round(time.monotonic() - started), "code": code,
            "execs": stats.get("number_of_executed_units", 0),
            "per_sec": stats.get("average_exec_per_sec", 0),
            "new": stats.get("new_units_added", 0), "rss": stats.get("peak_rss_mb", 0),
            "seeds": seeds, "corpus": len(list(corpus.iterdir())), "findings": found,
            "log": str(log)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build-fuzz", type=Path)
    parser.add_argument("--seconds", default=300, type=int, help="per target")
    parser.add_argument("--jobs", default=os.cpu_count() or 1, type=int)
    parser.add_argument("targets", nargs="*", default=TARGETS)
    args = parser.parse_args()
    build = args.build.resolve()
    unknown = set(args.targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}; known: {TARGETS}")
    print(f"fuzzing {', '.join(args.targets)} for {args.seconds} s each, {args.jobs} at a time",
          flush=True)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda t: run(t, build, args.seconds), args.targets))
    print(f"\n{'target':8} {'time':>6} {'execs':>11} {'exec/s':>7} {'new':>6} {'corpus':>7} "
          f"{'rss MB':>7}  findings")
    failed = False
    for r in results:
        finding = ", ".join(r["findings"]) or ("none" if r["code"] == 0 else f"exit {r['code']}")
        failed |= bool(r["findings"]) or r["code"] != 0
        print(f"{r['target']:8} {r['seconds']:>5}s {r['execs']:>11} {r['per_sec']:>7} {r['new']:>6} "
              f"{r['corpus']:>7} {r['rss']:>7}  {finding}")
    if failed:
        print(f"\nfindings: see {build}/artifacts/<target>/ and {build}/logs/<target>.log; "
              "reproduce with build-fuzz/tests/fuzz/fuzz_<target> <file>", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
