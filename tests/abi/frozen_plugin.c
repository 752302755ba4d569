/* SPDX-License-Identifier: Apache-2.0 */
/* A plugin built against the frozen ABI 1.0 header (frozen/v1_0/twin/plugin.h), as a plugin
 * compiled in the first release would be: it integrates the global irradiance it is given into
 * irradiation (J/m2), scaled by a parameter, with state and a KPI. Every later 1.x host must
 * load it, drive it and restore its snapshots. */
#include <stdlib.h>
#include <string.h>

#include "twin/plugin.h"

typedef struct {
  double gain;
  double total;
} Frozen;

static const TwinPortDesc kPorts[] = {
    {"ghi", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "W/m2", "global irradiance"},
    {"irradiation", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "J/m2",
     "irradiance integrated over the run, times gain"}};
static const TwinParamDesc kParams[] = {
    {"gain", TWIN_PARAM_NUMBER, "1", "1", 0, "factor on the irradiance"}};
static const TwinKpiDesc kKpis[] = {{"irradiation", "J/m2", "over the run"}};

static TwinStatus create(const TwinModelConfig* config, void** instance) {
  Frozen* m = (Frozen*)calloc(1, sizeof(Frozen));
  size_t i;
  if (m == NULL)
    return TWIN_FATAL;
  m->gain = 1.0;
  for (i = 0; i < config->param_count; ++i) {
    if (strcmp(config->params[i].name, "gain") == 0)
      m->gain = config->params[i].number;
  }
  *instance = m;
  return TWIN_OK;
}
static TwinStatus init(void* instance) {
  (void)instance;
  return TWIN_OK;
}
static TwinStatus step(void* instance, const TwinStepContext* context) {
  Frozen* m = (Frozen*)instance;
  if (context->input_count == 1 && context->inputs[0].count == 1)
    m->total += m->gain * context->inputs[0].data[0] * context->dt_s;
  return context->write_output(context->host_step, 0, &m->total, 1);
}
static size_t stateSize(void* instance) {
  (void)instance;
  return sizeof(double);
}
static TwinStatus saveState(void* instance, uint8_t* buffer, size_t size) {
  if (size != sizeof(double))
    return TWIN_ERROR;
  memcpy(buffer, &((Frozen*)instance)->total, sizeof(double));
  return TWIN_OK;
}
static TwinStatus loadState(void* instance, const uint8_t* buffer, size_t size) {
  if (size != sizeof(double))
    return TWIN_ERROR;
  memcpy(&((Frozen*)instance)->total, buffer, sizeof(double));
  return TWIN_OK;
}
static TwinStatus kpiValues(void* instance, double* values, size_t count) {
  if (count != 1)
    return TWIN_ERROR;
  values[0] = ((Frozen*)instance)->total;
  return TWIN_OK;
}
static void destroy(void* instance) {
  free(instance);
}

static const TwinModelDescriptor kModel = {sizeof(TwinModelDescriptor),
                                           "frozen.irradiation",
                                           "1.0.0",
                                           "Irradiation from irradiance (an ABI 1.0 build)",
                                           kPorts,
                                           2,
                                           kParams,
                                           1,
                                           kKpis,
                                           1,
                                           TWIN_CAP_SNAPSHOT,
                                           create,
                                           init,
                                           step,
                                           NULL,
                                           stateSize,
                                           saveState,
                                           loadState,
                                           kpiValues,
                                           destroy};
static const TwinModelDescriptor* const kModels[] = {&kModel};
static const TwinPluginDescriptor kDescriptor = {sizeof(TwinPluginDescriptor),
                                                 TWIN_ABI_MAJOR,
                                                 TWIN_ABI_MINOR,
                                                 "frozen",
                                                 "1.0.0",
                                                 "built against the frozen ABI 1.0 header",
                                                 kModels,
                                                 1};

TWIN_PLUGIN_EXPORT const TwinPluginDescriptor* twin_plugin_entry(const TwinHostApi* host) {
  (void)host;
  return &kDescriptor;
}
