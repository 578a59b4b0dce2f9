//===- TensorTypeTest.cpp - Type ids, conventions and sizes ---------------===//

#include "runtime/gguf/TensorType.h"

#include <gtest/gtest.h>

using namespace ternc::gguf;

namespace {

TEST(TensorTypeTest, ForkAndUpstreamIdsResolveByConvention) {
  EXPECT_EQ(typeFromId(36, TypeIdConvention::BitnetCpp), TensorType::I2_S);
  EXPECT_EQ(typeFromId(39, TypeIdConvention::BitnetCpp), TensorType::TL2);
  EXPECT_EQ(typeFromId(39, TypeIdConvention::Upstream), TensorType::MXFP4);
  EXPECT_EQ(typeFromId(34, TypeIdConvention::Upstream), TensorType::TQ1_0);
  EXPECT_EQ(typeFromId(35, TypeIdConvention::BitnetCpp), TensorType::TQ2_0);
  EXPECT_EQ(typeFromId(37, TypeIdConvention::BitnetCpp), std::nullopt);
  EXPECT_EQ(typeFromId(4, TypeIdConvention::Upstream), std::nullopt);
  EXPECT_EQ(typeId(TensorType::MXFP4, TypeIdConvention::BitnetCpp),
            std::nullopt);
  EXPECT_EQ(typeId(TensorType::I2_S, TypeIdConvention::BitnetCpp), 36u);
}

TEST(TensorTypeTest, ConventionFollowsArchitecture) {
  EXPECT_EQ(conventionForArchitecture("bitnet-b1.58"),
            TypeIdConvention::BitnetCpp);
  EXPECT_EQ(conventionForArchitecture("bitnet-25"),
            TypeIdConvention::BitnetCpp);
  EXPECT_EQ(conventionForArchitecture("llama"), TypeIdConvention::Upstream);
}

TEST(TensorTypeTest, OfficialI2SSizes) {
  // Sizes of the official 2B4T file's tensors (docs/formats.md §2.1).
  uint64_t q[] = {2560, 2560}, k[] = {2560, 640}, ffn[] = {2560, 6912};
  EXPECT_EQ(tensorByteSize(TensorType::I2_S, q, 2), 1638432u);
  EXPECT_EQ(tensorByteSize(TensorType::I2_S, k, 2), 409632u);
  EXPECT_EQ(tensorByteSize(TensorType::I2_S, ffn, 2), 4423712u);
}

TEST(TensorTypeTest, BlockSizes) {
  uint64_t ne[] = {512, 3};
  EXPECT_EQ(tensorByteSize(TensorType::TQ1_0, ne, 2), 2u * 3 * 54);
  EXPECT_EQ(tensorByteSize(TensorType::TQ2_0, ne, 2), 2u * 3 * 66);
  EXPECT_EQ(tensorByteSize(TensorType::Q8_0, ne, 2), 16u * 3 * 34);
  EXPECT_EQ(tensorByteSize(TensorType::F16, ne, 2), 512u * 3 * 2);
  // (512 - 256) * 3 / 3 * 5 / 8 + 256 * 3 / 2 * 4 / 8 = 160 + 192 = 352,
  // padded to 352, plus the 32-byte scale slot.
  EXPECT_EQ(tensorByteSize(TensorType::TL2, ne, 2), 384u);
}

TEST(TensorTypeTest, OverflowIsDetected) {
  uint64_t huge[] = {uint64_t(1) << 40, uint64_t(1) << 40};
  EXPECT_EQ(elementCount(huge, 2), std::nullopt);
  EXPECT_EQ(tensorByteSize(TensorType::F32, huge, 2), std::nullopt);
  uint64_t big[] = {uint64_t(1) << 62};
  EXPECT_EQ(tensorByteSize(TensorType::F32, big, 1), std::nullopt);
}

TEST(TensorTypeTest, NamesParse) {
  EXPECT_EQ(typeFromName("i2_s"), TensorType::I2_S);
  EXPECT_EQ(typeFromName("TQ1_0"), TensorType::TQ1_0);
  EXPECT_EQ(typeFromName("q9_9"), std::nullopt);
}

} // namespace
