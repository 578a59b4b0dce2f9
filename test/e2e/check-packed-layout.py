#!/usr/bin/env python3
"""Checks a packed Hugging Face BitNet checkpoint against a bf16 one of the
same weights, reading both from the formats' documentation alone
(docs/formats.md §8), not with ternc: every packed U8 [out/4, in] weight,
unpacked four trits a byte blocked along the output rows (row i*out/4 + r is
bits 2i+1:2i of byte row r, minus 1), must have the signs of the bf16 master
weights, and its weight_scale must be what the absmean rule gives on them
(mean |w|, for trits standing multiplied by the scale). Prints the number of
weights that agree; exits 1 on the first disagreement.

Usage: check-packed-layout.py PACKED_DIR BF16_DIR
"""
import glob
import json
import os
import struct
import sys


def read_tensors(directory):
    tensors = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.safetensors"))):
        with open(path, "rb") as f:
            blob = f.read()
        (length,) = struct.unpack_from("<Q", blob)
        header = json.loads(blob[8:8 + length])
        header.pop("__metadata__", None)
        data = blob[8 + length:]
        for name, info in header.items():
            begin, end = info["data_offsets"]
            tensors[name] = (info["dtype"], info["shape"], data[begin:end])
    return tensors


def bf16_values(raw):
    return [struct.unpack("<f", b"\0\0" + raw[i:i + 2])[0]
            for i in range(0, len(raw), 2)]


def main(packed_dir, bf16_dir):
    packed, masters = read_tensors(packed_dir), read_tensors(bf16_dir)
    config = json.load(open(os.path.join(packed_dir, "config.json")))
    if config["quantization_config"]["linear_class"] != "autobitlinear":
        sys.exit("expected linear_class autobitlinear")
    checked = 0
    for name, (dtype, shape, raw) in sorted(packed.items()):
        if dtype != "U8":
            continue
        quarter, columns = shape
        rows = 4 * quarter
        m_dtype, m_shape, m_raw = masters[name]
        if m_dtype != "BF16" or m_shape != [rows, columns]:
            sys.exit(f"{name}: master is {m_dtype} {m_shape}")
        weights = bf16_values(m_raw)
        for row in range(rows):
            for column in range(columns):
                byte = raw[(row % quarter) * columns + column]
                trit = ((byte >> (2 * (row // quarter))) & 3) - 1
                w = weights[row * columns + column]
                sign = (w > 0) - (w < 0)
                if trit != sign:
                    sys.exit(f"{name}[{row}][{column}]: packed trit {trit}, "
                             f"master {w}")
        s_dtype, s_shape, s_raw = packed[name[:-len(".weight")] +
                                         ".weight_scale"]
        (scale,) = struct.unpack("<f", s_raw)
        mean = sum(abs(w) for w in weights) / len(weights)
        if s_dtype != "F32" or s_shape != [1] or \
                abs(scale - mean) > 1e-6 * mean:
            sys.exit(f"{name}: weight_scale {s_dtype} {s_shape} {scale}, "
                     f"absmean of the masters {mean}")
        checked += 1
    print(f"{checked} packed weights agree with their bf16 masters")


if __name__ == "__main__":
    main(*sys.argv[1:])
