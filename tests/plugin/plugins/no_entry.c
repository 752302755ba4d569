/* SPDX-License-Identifier: Apache-2.0 */
/* A shared library that is not a citytwin plugin: it lacks twin_plugin_entry. */
#include "twin/plugin.h"

TWIN_PLUGIN_EXPORT int twin_plugin_entry_v0(void) {
  return 1;
}
