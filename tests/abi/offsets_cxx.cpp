// SPDX-License-Identifier: Apache-2.0
// plugin.h and the C++ SDK (plugin.hpp) as a C++20 plugin sees them: the 1.0 fields' offsets
// and the 1.0 structs' sizes, which must equal what C sees.
#include <cstddef>

#include "fields_1_0.h"
#include "twin/plugin.h"
#include "twin/plugin.hpp"

static_assert(std::is_standard_layout_v<TwinHostApi> && std::is_trivial_v<TwinHostApi>);
static_assert(std::is_standard_layout_v<TwinBodyState> && std::is_trivial_v<TwinBodyState>);

#define TWIN_OFF(s, f) offsetof(s, f),
#define TWIN_SIZE(s) sizeof(s),
extern "C" {
extern const std::size_t twin_abi_offsets_cxx[];
extern const std::size_t twin_abi_sizes_cxx[];
extern const std::size_t twin_abi_field_count_cxx;
const std::size_t twin_abi_offsets_cxx[] = {TWIN_ABI_1_0_FIELDS(TWIN_OFF)};
const std::size_t twin_abi_sizes_cxx[] = {TWIN_ABI_1_0_STRUCTS(TWIN_SIZE)};
const std::size_t twin_abi_field_count_cxx =
    sizeof twin_abi_offsets_cxx / sizeof(twin_abi_offsets_cxx[0]);
}
