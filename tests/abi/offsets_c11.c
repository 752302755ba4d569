/* SPDX-License-Identifier: Apache-2.0 */
/* plugin.h as a C11 plugin sees it (-std=c11 -Wpedantic -Werror): the 1.0 fields' offsets, the
 * 1.0 structs' sizes, and compile-time checks of what the header promises C. */
#include <stddef.h>

#include "fields_1_0.h"
#include "twin/plugin.h"

_Static_assert(TWIN_ABI_MAJOR == 1, "this suite checks major version 1");
_Static_assert(offsetof(TwinHostApi, struct_size) == 0, "struct_size leads the host table");
_Static_assert(offsetof(TwinModelDescriptor, struct_size) == 0, "struct_size leads");
_Static_assert(sizeof(TwinRay) == 7 * sizeof(double), "TwinRay is 7 doubles");
_Static_assert(sizeof(TwinSweep) == 8 * sizeof(double), "TwinSweep is 8 doubles");

#define TWIN_OFF(s, f) offsetof(s, f),
#define TWIN_SIZE(s) sizeof(s),
const size_t twin_abi_offsets_c11[] = {TWIN_ABI_1_0_FIELDS(TWIN_OFF)};
const size_t twin_abi_sizes_c11[] = {TWIN_ABI_1_0_STRUCTS(TWIN_SIZE)};
const size_t twin_abi_field_count_c11 = sizeof twin_abi_offsets_c11 / sizeof(size_t);
/* where the functions each later minor appended start: they must lie past the 1.0 end */
const size_t twin_abi_host_appended_c11[] = {
    offsetof(TwinHostApi, ray_any_hit), offsetof(TwinHostApi, parallel_for),
    offsetof(TwinHostApi, sweep_sphere), offsetof(TwinHostApi, bodies_step)};
