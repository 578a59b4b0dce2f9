#!/usr/bin/env python3
"""Compares ternc's logits with a peer engine's on the same tokens.

Both files are raw little-endian f32 [positions][vocab]. Prints the largest
absolute difference, the lowest per-position cosine similarity and how many
positions agree on the top token, and exits 1 when a bound is broken.

Usage: compare-logits.py OURS PEERS --vocab N [--max-abs X] [--min-cosine C]
       [--min-top1 K]
"""
import argparse
import array
import math
import sys


def read(path, vocab):
    values = array.array("f")
    with open(path, "rb") as f:
        values.frombytes(f.read())
    if sys.byteorder != "little":
        values.byteswap()
    if len(values) == 0 or len(values) % vocab:
        sys.exit(f"{path}: {len(values)} floats is not a whole number of "
                 f"rows of {vocab}")
    return [values[i:i + vocab] for i in range(0, len(values), vocab)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ours")
    parser.add_argument("peers")
    parser.add_argument("--vocab", type=int, required=True)
    parser.add_argument("--max-abs", type=float)
    parser.add_argument("--min-cosine", type=float)
    parser.add_argument("--min-top1", type=int)
    args = parser.parse_args()
    ours, peers = read(args.ours, args.vocab), read(args.peers, args.vocab)
    if len(ours) != len(peers):
        sys.exit(f"{len(ours)} positions against the peer's {len(peers)}")
    worst_abs, worst_cosine, top1 = 0.0, 1.0, 0
    for a, b in zip(ours, peers):
        worst_abs = max(worst_abs, max(abs(x - y) for x, y in zip(a, b)))
        dot = sum(x * y for x, y in zip(a, b))
        norms = math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
        worst_cosine = min(worst_cosine, dot / norms if norms else 0.0)
        top1 += max(range(args.vocab), key=a.__getitem__) == max(
            range(args.vocab), key=b.__getitem__)
    print(f"positions {len(ours)}: max |diff| {worst_abs:.3g}, min cosine "
          f"{worst_cosine:.6f}, top-1 {top1}/{len(ours)}")
    failed = []
    if args.max_abs is not None and worst_abs > args.max_abs:
        failed.append(f"max |diff| above {args.max_abs}")
    if args.min_cosine is not None and worst_cosine < args.min_cosine:
        failed.append(f"cosine below {args.min_cosine}")
    if args.min_top1 is not None and top1 < args.min_top1:
        failed.append(f"top-1 below {args.min_top1}")
    if failed:
        sys.exit("; ".join(failed))


if __name__ == "__main__":
    main()
