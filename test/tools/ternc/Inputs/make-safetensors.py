#!/usr/bin/env python3
"""Writes small safetensors checkpoints for the inspect and check tests, from
the format's documentation alone (8-byte little-endian header length, JSON
header, data): good ones (one file, a directory, shards with an index), one
broken file per check of the reader, and tiny BitNet b1.58 checkpoints in
microsoft/bitnet-b1.58-2B-4T's layout (config.json, packed U8 weights with a
weight_scale, or bf16 masters) with one thing wrong in each broken one.

Usage: make-safetensors.py DIR
"""
import json
import os
import struct
import sys


def write(path, tensors, metadata=None, header_edit=None, data_edit=None):
    header, data = {}, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    if header_edit:
        header_edit(header)
    text = json.dumps(header).encode()
    if data_edit:
        data = data_edit(data)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def main(out):
    norm = ("model.norm.weight", "BF16", [4], bytes(range(8)))
    packed = ("model.layers.0.mlp.down_proj.weight", "U8", [2, 8],
              bytes(range(16)))
    scale = ("model.layers.0.mlp.down_proj.weight_scale", "BF16", [1],
             b"\x80\x3f")
    os.makedirs(os.path.join(out, "single"), exist_ok=True)
    write(os.path.join(out, "single", "model.safetensors"),
          [norm, packed, scale], {"format": "pt"})

    sharded = os.path.join(out, "sharded")
    os.makedirs(sharded, exist_ok=True)
    write(os.path.join(sharded, "model-00001-of-00002.safetensors"),
          [norm, scale])
    write(os.path.join(sharded, "model-00002-of-00002.safetensors"), [packed])
    with open(os.path.join(sharded, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 26}, "weight_map": {
            norm[0]: "model-00001-of-00002.safetensors",
            scale[0]: "model-00001-of-00002.safetensors",
            packed[0]: "model-00002-of-00002.safetensors"}}, f)

    def truncate(data):
        return data[:-3]

    def out_of_range(header):
        header[packed[0]]["data_offsets"] = [8, 40]

    def wrong_dtype(header):
        header[packed[0]]["dtype"] = "F32"

    write(os.path.join(out, "truncated.safetensors"), [norm, packed],
          data_edit=truncate)
    write(os.path.join(out, "out-of-range.safetensors"), [norm, packed],
          header_edit=out_of_range)
    write(os.path.join(out, "wrong-dtype.safetensors"), [norm, packed],
          header_edit=wrong_dtype)
    with open(os.path.join(out, "bad-json.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", 9) + b'{"a": [1,')
    with open(os.path.join(out, "short.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", 4096) + b"{}")
    bitnet_checkpoints(out)


HIDDEN, FFN, HEADS, KV_HEADS, VOCAB = 16, 32, 2, 1, 32
KV = HIDDEN // HEADS * KV_HEADS


def bitnet_tensors(packed):
    """The tensors of a one-layer BitNet b1.58 model: (name, dtype, shape, raw)."""
    def floats(shape):
        count = 1
        for size in shape:
            count *= size
        return ("BF16", shape, bytes(2 * count))

    tensors = [("model.embed_tokens.weight",) + floats([VOCAB, HIDDEN]),
               ("model.norm.weight",) + floats([HIDDEN])]
    layer = "model.layers.0."
    for norm, size in (("input_layernorm", HIDDEN),
                       ("post_attention_layernorm", HIDDEN),
                       ("self_attn.attn_sub_norm", HIDDEN),
                       ("mlp.ffn_sub_norm", FFN)):
        tensors.append((layer + norm + ".weight",) + floats([size]))
    for proj, out, inp in (("self_attn.q_proj", HIDDEN, HIDDEN),
                           ("self_attn.k_proj", KV, HIDDEN),
                           ("self_attn.v_proj", KV, HIDDEN),
                           ("self_attn.o_proj", HIDDEN, HIDDEN),
                           ("mlp.gate_proj", FFN, HIDDEN),
                           ("mlp.up_proj", FFN, HIDDEN),
                           ("mlp.down_proj", HIDDEN, FFN)):
        if packed:
            tensors.append((layer + proj + ".weight", "U8", [out // 4, inp],
                            bytes([0x55]) * (out // 4 * inp)))
            tensors.append((layer + proj + ".weight_scale", "BF16", [1],
                            b"\x80\x3f"))
        else:
            tensors.append((layer + proj + ".weight",) + floats([out, inp]))
    return tensors


def bitnet_config(**changes):
    config = {"architectures": ["BitNetForCausalLM"], "model_type": "bitnet",
              "hidden_size": HIDDEN, "intermediate_size": FFN,
              "num_hidden_layers": 1, "num_attention_heads": HEADS,
              "num_key_value_heads": KV_HEADS, "vocab_size": VOCAB,
              "max_position_embeddings": 64, "rope_theta": 500000.0,
              "rms_norm_eps": 1e-05, "hidden_act": "relu2",
              "tie_word_embeddings": True,
              "quantization_config": {"quant_method": "bitnet",
                                      "linear_class": "autobitlinear",
                                      "quantization_mode": "offline"}}
    config.update(changes)
    return config


def write_bitnet(directory, tensors, config):
    os.makedirs(directory, exist_ok=True)
    write(os.path.join(directory, "model.safetensors"), tensors)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f)


def bitnet_checkpoints(out):
    packed = bitnet_tensors(packed=True)
    write_bitnet(os.path.join(out, "bitnet-packed"), packed, bitnet_config())
    write_bitnet(os.path.join(out, "bitnet-bf16"), bitnet_tensors(False),
                 bitnet_config())
    down = "model.layers.0.mlp.down_proj.weight"
    write_bitnet(os.path.join(out, "bitnet-missing"),
                 [t for t in packed if t[0] != down], bitnet_config())
    write_bitnet(os.path.join(out, "bitnet-no-scale"),
                 [t for t in packed if t[0] != down + "_scale"],
                 bitnet_config())
    write_bitnet(os.path.join(out, "bitnet-shape"), packed,
                 bitnet_config(intermediate_size=64))
    write_bitnet(os.path.join(out, "bitnet-untied"), packed,
                 bitnet_config(tie_word_embeddings=False))
    write_bitnet(os.path.join(out, "bitnet-extra"),
                 packed + [("model.rotary_emb.inv_freq", "F32", [4],
                            bytes(16))], bitnet_config())
    write_bitnet(os.path.join(out, "bitnet-code3"),
                 [(n, d, sh, bytes([0xFF]) * len(raw)) if n == down else
                  (n, d, sh, raw) for n, d, sh, raw in packed],
                 bitnet_config())
    nan = [(n, d, sh, b"\xc0\x7f" + raw[2:]) if n == down else
           (n, d, sh, raw) for n, d, sh, raw in bitnet_tensors(False)]
    write_bitnet(os.path.join(out, "bitnet-nan"), nan, bitnet_config())
    write_bitnet(os.path.join(out, "bitnet-bad-config"), packed,
                 bitnet_config(hidden_size=-16))
    write_bitnet(os.path.join(out, "bitnet-llama"), packed,
                 bitnet_config(model_type="llama"))


if __name__ == "__main__":
    main(sys.argv[1])
