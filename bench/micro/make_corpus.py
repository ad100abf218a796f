#!/usr/bin/env python3
"""Writes the micro-benchmark's corpus: N applications from bench/corpus.py (the
drain benchmark's deterministic generator) as DIR/<organisation>/<n>.eml, one
file per message, CRLF line ends as an IMAP server hands them out. The same
--messages and --seed give the same bytes; an existing corpus made with the same
arguments by the same generator is kept (DIR/stamp records them and a digest of
bench/corpus.py), so repeated runs start at once.

    python3 bench/micro/make_corpus.py --out build/bench-corpus --messages 200
"""
import argparse
import hashlib
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import corpus  # noqa: E402  (bench/corpus.py)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="directory to write (replaced)")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    stamp_path = os.path.join(args.out, "stamp")
    with open(corpus.__file__, "rb") as f:
        generator = hashlib.sha256(f.read()).hexdigest()[:12]
    stamp = f"messages={args.messages} seed={args.seed} generator={generator}\n"
    if os.path.exists(stamp_path):
        with open(stamp_path) as f:
            if f.read() == stamp:
                return 0
    shutil.rmtree(args.out, ignore_errors=True)
    total = 0
    count = 0
    for org, messages in corpus.build(args.messages, args.seed,
                                      os.path.join(ROOT, "config")).items():
        folder = os.path.join(args.out, org)
        os.makedirs(folder)
        for n, raw in enumerate(messages):
            with open(os.path.join(folder, f"{n:05d}.eml"), "wb") as f:
                f.write(raw)
            total += len(raw)
            count += 1
    with open(stamp_path, "w") as f:
        f.write(stamp)
    print(f"{count} messages, {total / 1e6:.1f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
