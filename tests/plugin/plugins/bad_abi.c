/* SPDX-License-Identifier: Apache-2.0 */
/* A plugin built for a future ABI major version: the host must refuse it. */
#include "twin/plugin.h"

static const TwinPluginDescriptor kDescriptor = {
    sizeof(TwinPluginDescriptor), TWIN_ABI_MAJOR + 1, 0, "bad-abi", "0.0.1", "test", 0, 0};

TWIN_PLUGIN_EXPORT const TwinPluginDescriptor* twin_plugin_entry(const TwinHostApi* host) {
  (void)host;
  return &kDescriptor;
}
