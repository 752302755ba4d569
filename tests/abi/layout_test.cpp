// SPDX-License-Identifier: Apache-2.0
// Append-only within a major version: every field of ABI 1.0 keeps its offset in the current
// header, in C11 and in C++20 alike, every 1.0 struct only grew, and what later minors
// appended to the host table lies past its 1.0 end.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "fields_1_0.h"
#include "twin/plugin.h"

extern "C" {
extern const std::size_t twin_abi_offsets_frozen[], twin_abi_sizes_frozen[];
extern const std::size_t twin_abi_field_count_frozen;
extern const unsigned twin_abi_minor_frozen;
extern const std::size_t twin_abi_offsets_c11[], twin_abi_sizes_c11[];
extern const std::size_t twin_abi_field_count_c11;
extern const std::size_t twin_abi_host_appended_c11[];
extern const std::size_t twin_abi_offsets_cxx[], twin_abi_sizes_cxx[];
extern const std::size_t twin_abi_field_count_cxx;
}

namespace {

#define TWIN_NAME(s, f) #s "." #f,
#define TWIN_STRUCT_NAME(s) #s,
const std::vector<std::string> kFields{TWIN_ABI_1_0_FIELDS(TWIN_NAME)};
const std::vector<std::string> kStructs{TWIN_ABI_1_0_STRUCTS(TWIN_STRUCT_NAME)};

TEST(AbiLayout, TheFrozenHeaderIsVersionOnePointZero) {
  EXPECT_EQ(twin_abi_minor_frozen, 0u);
  EXPECT_EQ(twin_abi_field_count_frozen, kFields.size());
  EXPECT_EQ(kFields.size(), 83u);  // every field of the ten 1.0 structs: 7+6+3+7+7+10+2+13+20+8
}

TEST(AbiLayout, EveryOnePointZeroFieldKeepsItsOffsetInCAndCpp) {
  ASSERT_EQ(twin_abi_field_count_c11, kFields.size());
  ASSERT_EQ(twin_abi_field_count_cxx, kFields.size());
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    EXPECT_EQ(twin_abi_offsets_c11[i], twin_abi_offsets_frozen[i]) << kFields[i] << " (C11)";
    EXPECT_EQ(twin_abi_offsets_cxx[i], twin_abi_offsets_frozen[i]) << kFields[i] << " (C++20)";
  }
}

TEST(AbiLayout, StructsOnlyGrowAndCAndCppAgreeOnTheirSize) {
  for (std::size_t i = 0; i < kStructs.size(); ++i) {
    EXPECT_GE(twin_abi_sizes_c11[i], twin_abi_sizes_frozen[i]) << kStructs[i];
    EXPECT_EQ(twin_abi_sizes_c11[i], twin_abi_sizes_cxx[i]) << kStructs[i];
  }
  // TwinHostApi: 1.0 ended after `free`; the functions of 1.2, 1.3 and 1.6 come after, in order
  const std::size_t hostV10 = twin_abi_sizes_frozen[4];
  EXPECT_EQ(kStructs[4], "TwinHostApi");
  EXPECT_EQ(twin_abi_host_appended_c11[0], hostV10);
  for (int k = 1; k < 4; ++k)
    EXPECT_GT(twin_abi_host_appended_c11[k], twin_abi_host_appended_c11[k - 1]);
  EXPECT_EQ(twin_abi_host_appended_c11[3] + sizeof(void*), sizeof(TwinHostApi));
}

}  // namespace
