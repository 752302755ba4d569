/* SPDX-License-Identifier: Apache-2.0 */
/* Offsets of the 1.0 fields as the frozen 1.0 header lays them out (this file sees only
 * frozen/v1_0 on its include path). */
#include <stddef.h>

#include "fields_1_0.h"
#include "twin/plugin.h"

#define TWIN_OFF(s, f) offsetof(s, f),
#define TWIN_SIZE(s) sizeof(s),
const size_t twin_abi_offsets_frozen[] = {TWIN_ABI_1_0_FIELDS(TWIN_OFF)};
const size_t twin_abi_sizes_frozen[] = {TWIN_ABI_1_0_STRUCTS(TWIN_SIZE)};
const size_t twin_abi_field_count_frozen = sizeof twin_abi_offsets_frozen / sizeof(size_t);
const unsigned twin_abi_minor_frozen = TWIN_ABI_MINOR;
