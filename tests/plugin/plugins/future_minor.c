/* SPDX-License-Identifier: Apache-2.0 */
/* A plugin from a newer minor version of the ABI: it needs host functions this citytwin does not
 * have (minor TWIN_ABI_MINOR + 1), so the loader must refuse it by name before calling it. Its
 * model descriptor is deliberately empty: a host that loaded it anyway would fail its checks. */
#include <stddef.h>

#include "twin/plugin.h"

static const TwinModelDescriptor* const kModels[] = {NULL};
static const TwinPluginDescriptor kDescriptor = {sizeof(TwinPluginDescriptor),
                                                 TWIN_ABI_MAJOR,
                                                 TWIN_ABI_MINOR + 1,
                                                 "future",
                                                 "9.0.0",
                                                 "test",
                                                 kModels,
                                                 0};

TWIN_PLUGIN_EXPORT const TwinPluginDescriptor* twin_plugin_entry(const TwinHostApi* host) {
  (void)host;
  return &kDescriptor;
}
