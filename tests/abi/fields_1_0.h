/* SPDX-License-Identifier: Apache-2.0 */
/* Every field of every struct of plugin ABI 1.0, as X(struct, field). Append-only within a
 * major version means each of them keeps its offset in every later 1.x header; the
 * conformance test compares the offsets computed against the frozen 1.0 header
 * (frozen/v1_0/twin/plugin.h) with those against the current one, in C and in C++. */
#ifndef TWIN_ABI_FIELDS_1_0_H
#define TWIN_ABI_FIELDS_1_0_H

/* one entry per line; clang-format does not settle on these lists */
// clang-format off
#define TWIN_ABI_1_0_STRUCTS(X) \
  X(TwinPortDesc) \
  X(TwinParamDesc) \
  X(TwinKpiDesc) \
  X(TwinParamValue) \
  X(TwinHostApi) \
  X(TwinModelConfig) \
  X(TwinValues) \
  X(TwinStepContext) \
  X(TwinModelDescriptor) \
  X(TwinPluginDescriptor)

#define TWIN_ABI_1_0_FIELDS(X) \
  X(TwinPortDesc, name) \
  X(TwinPortDesc, direction) \
  X(TwinPortDesc, value_type) \
  X(TwinPortDesc, shape) \
  X(TwinPortDesc, required) \
  X(TwinPortDesc, unit) \
  X(TwinPortDesc, description) \
  X(TwinParamDesc, name) \
  X(TwinParamDesc, kind) \
  X(TwinParamDesc, unit) \
  X(TwinParamDesc, default_value) \
  X(TwinParamDesc, runtime_settable) \
  X(TwinParamDesc, description) \
  X(TwinKpiDesc, name) \
  X(TwinKpiDesc, unit) \
  X(TwinKpiDesc, description) \
  X(TwinParamValue, name) \
  X(TwinParamValue, kind) \
  X(TwinParamValue, number) \
  X(TwinParamValue, integer) \
  X(TwinParamValue, text) \
  X(TwinParamValue, items) \
  X(TwinParamValue, item_count) \
  X(TwinHostApi, struct_size) \
  X(TwinHostApi, abi_major) \
  X(TwinHostApi, abi_minor) \
  X(TwinHostApi, host_context) \
  X(TwinHostApi, log) \
  X(TwinHostApi, alloc) \
  X(TwinHostApi, free) \
  X(TwinModelConfig, struct_size) \
  X(TwinModelConfig, instance_name) \
  X(TwinModelConfig, params) \
  X(TwinModelConfig, param_count) \
  X(TwinModelConfig, tick_ns) \
  X(TwinModelConfig, period_ticks) \
  X(TwinModelConfig, start_unix_s) \
  X(TwinModelConfig, utc_offset_s) \
  X(TwinModelConfig, seed) \
  X(TwinModelConfig, host) \
  X(TwinValues, data) \
  X(TwinValues, count) \
  X(TwinStepContext, struct_size) \
  X(TwinStepContext, tick) \
  X(TwinStepContext, period_ticks) \
  X(TwinStepContext, time_s) \
  X(TwinStepContext, dt_s) \
  X(TwinStepContext, unix_time_s) \
  X(TwinStepContext, unix_nanos) \
  X(TwinStepContext, utc_offset_s) \
  X(TwinStepContext, inputs) \
  X(TwinStepContext, input_count) \
  X(TwinStepContext, host_step) \
  X(TwinStepContext, write_output) \
  X(TwinStepContext, random_u64) \
  X(TwinModelDescriptor, struct_size) \
  X(TwinModelDescriptor, type_name) \
  X(TwinModelDescriptor, version) \
  X(TwinModelDescriptor, summary) \
  X(TwinModelDescriptor, ports) \
  X(TwinModelDescriptor, port_count) \
  X(TwinModelDescriptor, params) \
  X(TwinModelDescriptor, param_count) \
  X(TwinModelDescriptor, kpis) \
  X(TwinModelDescriptor, kpi_count) \
  X(TwinModelDescriptor, capabilities) \
  X(TwinModelDescriptor, create) \
  X(TwinModelDescriptor, init) \
  X(TwinModelDescriptor, step) \
  X(TwinModelDescriptor, set_param) \
  X(TwinModelDescriptor, state_size) \
  X(TwinModelDescriptor, save_state) \
  X(TwinModelDescriptor, load_state) \
  X(TwinModelDescriptor, kpi_values) \
  X(TwinModelDescriptor, destroy) \
  X(TwinPluginDescriptor, struct_size) \
  X(TwinPluginDescriptor, abi_major) \
  X(TwinPluginDescriptor, abi_minor_required) \
  X(TwinPluginDescriptor, plugin_name) \
  X(TwinPluginDescriptor, plugin_version) \
  X(TwinPluginDescriptor, build_tag) \
  X(TwinPluginDescriptor, models) \
  X(TwinPluginDescriptor, model_count)
// clang-format on

#endif
