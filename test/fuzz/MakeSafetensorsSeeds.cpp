//===- MakeSafetensorsSeeds.cpp - Seeds for the safetensors fuzzer --------===//
//
// `ternc-safetensors-seeds OUTDIR` writes small valid safetensors files into
// OUTDIR: a checkpoint-like file (packed U8 weights with a BF16 scale, a
// norm, __metadata__), every dtype once, a scalar and a zero-sized tensor,
// and a file without tensors. Generated rather than committed, as the GGUF
// seeds are.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

struct Tensor {
  std::string name, dtype;
  std::vector<uint64_t> shape;
  uint64_t bytes;
};

/// Writes `tensors` (data: bytes counting up) with `metadata` JSON text.
bool write(const std::filesystem::path &path,
           const std::vector<Tensor> &tensors, const std::string &metadata) {
  std::string header = "{";
  if (!metadata.empty())
    header += "\"__metadata__\":" + metadata;
  uint64_t offset = 0;
  for (const Tensor &tensor : tensors) {
    if (header.size() > 1)
      header += ",";
    header += "\"" + tensor.name + "\":{\"dtype\":\"" + tensor.dtype +
              "\",\"shape\":[";
    for (size_t i = 0; i < tensor.shape.size(); ++i)
      header += (i ? "," : "") + std::to_string(tensor.shape[i]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + tensor.bytes) + "]}";
    offset += tensor.bytes;
  }
  header += "}";
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i)
    bytes[i] =
        static_cast<char>(static_cast<uint64_t>(header.size()) >> (8 * i));
  bytes += header;
  for (uint64_t i = 0; i < offset; ++i)
    bytes += static_cast<char>(i);
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  return static_cast<bool>(out);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ternc-safetensors-seeds OUTDIR\n");
    return 1;
  }
  const std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  bool ok =
      write(dir / "checkpoint.safetensors",
            {{"model.norm.weight", "BF16", {8}, 16},
             {"model.layers.0.mlp.down_proj.weight", "U8", {2, 8}, 16},
             {"model.layers.0.mlp.down_proj.weight_scale", "BF16", {1}, 2}},
            R"({"format":"pt"})");
  const char *dtypes[][2] = {{"BOOL", "1"}, {"U8", "1"},      {"I8", "1"},
                             {"U16", "2"},  {"I16", "2"},     {"F16", "2"},
                             {"BF16", "2"}, {"U32", "4"},     {"I32", "4"},
                             {"F32", "4"},  {"U64", "8"},     {"I64", "8"},
                             {"F64", "8"},  {"F8_E4M3", "1"}, {"F8_E5M2", "1"}};
  std::vector<Tensor> all;
  for (const auto &[dtype, size] : dtypes)
    all.push_back(
        {std::string("t.") + dtype, dtype, {3}, 3 * std::stoull(size)});
  ok = ok && write(dir / "dtypes.safetensors", all, "");
  ok = ok && write(dir / "scalar-and-empty.safetensors",
                   {{"scalar", "F32", {}, 4}, {"empty", "F16", {0, 4}, 0}}, "");
  ok = ok && write(dir / "no-tensors.safetensors", {}, R"({"a":"b"})");
  if (!ok)
    std::fprintf(stderr, "ternc-safetensors-seeds: cannot write into %s\n",
                 argv[1]);
  return ok ? 0 : 1;
}
