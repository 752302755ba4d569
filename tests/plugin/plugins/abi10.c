/* SPDX-License-Identifier: Apache-2.0 */
/* A plugin as an ABI 1.0 build made it: its model descriptor ends before `publish` (1.1) and it
 * needs host minor 0. A 1.1 host must load it, run it and find no layers (append-only ABI). */
#include <stddef.h>
#include <stdlib.h>

#include "twin/plugin.h"

typedef struct {
  double steps;
} Abi10;

static const TwinPortDesc kPorts[] = {
    {"steps", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1", "steps so far"}};

static TwinStatus create(const TwinModelConfig* config, void** instance) {
  (void)config;
  Abi10* m = (Abi10*)calloc(1, sizeof(Abi10));
  if (m == NULL)
    return TWIN_FATAL;
  *instance = m;
  return TWIN_OK;
}
static TwinStatus init(void* instance) {
  (void)instance;
  return TWIN_OK;
}
static TwinStatus step(void* instance, const TwinStepContext* context) {
  Abi10* m = (Abi10*)instance;
  m->steps += 1.0;
  return context->write_output(context->host_step, 0, &m->steps, 1);
}
static size_t stateSize(void* instance) {
  (void)instance;
  return sizeof(double);
}
static TwinStatus saveState(void* instance, uint8_t* buffer, size_t size) {
  if (size != sizeof(double))
    return TWIN_ERROR;
  *(double*)(void*)buffer = ((Abi10*)instance)->steps;
  return TWIN_OK;
}
static TwinStatus loadState(void* instance, const uint8_t* buffer, size_t size) {
  if (size != sizeof(double))
    return TWIN_ERROR;
  ((Abi10*)instance)->steps = *(const double*)(const void*)buffer;
  return TWIN_OK;
}
static TwinStatus kpiValues(void* instance, double* values, size_t count) {
  (void)instance;
  (void)values;
  return count == 0 ? TWIN_OK : TWIN_ERROR;
}
static void destroy(void* instance) {
  free(instance);
}

/* the 1.0 layout: every field up to destroy, struct_size without `publish` */
static const TwinModelDescriptor kModel = {offsetof(TwinModelDescriptor, publish),
                                           "test.abi10",
                                           "1.0.0",
                                           "An ABI 1.0 model (tests only)",
                                           kPorts,
                                           1,
                                           NULL,
                                           0,
                                           NULL,
                                           0,
                                           TWIN_CAP_SNAPSHOT,
                                           create,
                                           init,
                                           step,
                                           NULL,
                                           stateSize,
                                           saveState,
                                           loadState,
                                           kpiValues,
                                           destroy,
                                           NULL};
static const TwinModelDescriptor* const kModels[] = {&kModel};
static const TwinPluginDescriptor kDescriptor = {
    sizeof(TwinPluginDescriptor), 1, 0, "abi10", "1.0.0", "test", kModels, 1};

TWIN_PLUGIN_EXPORT const TwinPluginDescriptor* twin_plugin_entry(const TwinHostApi* host) {
  (void)host;
  return &kDescriptor;
}
