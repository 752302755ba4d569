/* SPDX-License-Identifier: Apache-2.0 */
/*
 * citytwin plugin ABI (C). A plugin is a shared library that exports one symbol,
 * twin_plugin_entry. The host passes its table; the plugin returns its descriptor, which lists
 * the model types it provides. Everything that crosses the boundary is C: scalars, POD structs,
 * pointer + length. No exceptions, no C++ types, no ownership transfer: memory passed into a
 * call is borrowed for that call unless a comment says otherwise.
 *
 * Compatibility: ABI major must match exactly; a plugin states the minimum host minor it needs.
 * Changes within a major version are append-only: new fields at the end of structs (guarded by
 * struct_size), new host functions at the end of TwinHostApi under a "since 1.x" comment.
 * Never reorder, rename or remove.
 *
 * Changelog
 *   1.0  first version.
 */
#ifndef TWIN_PLUGIN_H
#define TWIN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TWIN_ABI_MAJOR 1
#define TWIN_ABI_MINOR 0

#if defined(_WIN32)
#define TWIN_PLUGIN_EXPORT __declspec(dllexport)
#else
#define TWIN_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Result of every ABI function (as FMI's fmi3Status). */
typedef int32_t TwinStatus;
#define TWIN_OK 0      /* all well */
#define TWIN_WARNING 1 /* done, but something deserves attention (logged) */
#define TWIN_DISCARD 2 /* step not done; outputs are dropped, the run goes on */
#define TWIN_ERROR 3   /* failed; the run stops with exit code 1 */
#define TWIN_FATAL 4   /* failed and the instance is unusable */

typedef int32_t TwinLogLevel;
#define TWIN_LOG_DEBUG 1
#define TWIN_LOG_INFO 2
#define TWIN_LOG_WARNING 3
#define TWIN_LOG_ERROR 4

typedef int32_t TwinValueType;
#define TWIN_VALUE_F64 0
#define TWIN_VALUE_I64 1  /* carried as double; exact up to 2^53 */
#define TWIN_VALUE_BOOL 2 /* carried as double 0.0 / 1.0 */

typedef int32_t TwinPortDirection;
#define TWIN_PORT_IN 0
#define TWIN_PORT_OUT 1

typedef int32_t TwinPortShape;
#define TWIN_SHAPE_SCALAR 0 /* one value */
#define TWIN_SHAPE_ENTITY 1 /* one value per entity (building, link, bus, ...) */

typedef int32_t TwinParamKind;
#define TWIN_PARAM_NUMBER 0 /* a quantity; the host converts it to the declared SI unit */
#define TWIN_PARAM_INTEGER 1
#define TWIN_PARAM_BOOL 2
#define TWIN_PARAM_STRING 3
#define TWIN_PARAM_PATH 4 /* a file; the host resolves it against the scenario file */
#define TWIN_PARAM_LIST 5 /* a list of strings */

/* Model capability bits (TwinModelDescriptor.capabilities). */
#define TWIN_CAP_PARALLEL_SAFE 0x1u /* instances may step concurrently with other models */
#define TWIN_CAP_SNAPSHOT 0x2u      /* save_state/load_state are implemented */

/* A port: the only way values enter or leave a model. */
typedef struct TwinPortDesc {
  const char* name; /* e.g. "ambient_temperature" */
  TwinPortDirection direction;
  TwinValueType value_type;
  TwinPortShape shape;
  int32_t required; /* inputs: non-zero if the scenario must connect it */
  const char* unit; /* SI unit expression: "W", "W/m2", "degC", "m/s", "1" */
  const char* description;
} TwinPortDesc;

/* A parameter the scenario may set. */
typedef struct TwinParamDesc {
  const char* name; /* dotted for nested maps: "demand.trips_per_day" */
  TwinParamKind kind;
  const char* unit;          /* NUMBER only: the SI unit the model receives, e.g. "s", "W" */
  const char* default_value; /* text as in a scenario ("15min"), or NULL when required */
  int32_t runtime_settable;  /* non-zero if interventions may change it during a run */
  const char* description;
} TwinParamDesc;

/* A key performance indicator the model reports at the end of a run. */
typedef struct TwinKpiDesc {
  const char* name; /* without the instance prefix: "mean_temperature" */
  const char* unit;
  const char* description;
} TwinKpiDesc;

/* A parameter value, validated and converted by the host. Borrowed for the call. */
typedef struct TwinParamValue {
  const char* name;
  TwinParamKind kind;
  double number;            /* NUMBER: in the declared SI unit */
  int64_t integer;          /* INTEGER and BOOL */
  const char* text;         /* STRING and PATH (absolute path) */
  const char* const* items; /* LIST */
  size_t item_count;
} TwinParamValue;

/* The host's services. One table per model instance; valid for the instance's lifetime. */
typedef struct TwinHostApi {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  void* host_context;
  /* Logs one line; TWIN_LOG_ERROR text becomes the failure message if a call then fails. */
  void (*log)(void* host_context, TwinLogLevel level, const char* message);
  /* Allocates memory the host tracks (may be used for large model state). */
  void* (*alloc)(void* host_context, size_t size);
  void (*free)(void* host_context, void* ptr);
} TwinHostApi;

/* What create() receives. Borrowed for the call, except `host`, valid until destroy(). */
typedef struct TwinModelConfig {
  uint32_t struct_size;
  const char* instance_name;
  const TwinParamValue* params; /* every declared parameter, defaults filled in */
  size_t param_count;
  int64_t tick_ns;      /* base tick length */
  int64_t period_ticks; /* this instance's period in ticks */
  int64_t start_unix_s; /* scenario start, seconds since 1970-01-01T00:00:00Z */
  int32_t utc_offset_s; /* scenario local time = UTC + offset */
  uint64_t seed;        /* scenario seed */
  const TwinHostApi* host;
} TwinModelConfig;

/* A borrowed array of values: a scalar port has count 1 (0 before its first value). */
typedef struct TwinValues {
  const double* data;
  size_t count;
} TwinValues;

/* What step() receives. Valid only during the call. */
typedef struct TwinStepContext {
  uint32_t struct_size;
  int64_t tick; /* the tick being stepped */
  int64_t period_ticks;
  double time_s;       /* seconds since the scenario start */
  double dt_s;         /* period in seconds */
  int64_t unix_time_s; /* whole seconds of the tick's instant */
  int64_t unix_nanos;  /* nanoseconds past unix_time_s */
  int32_t utc_offset_s;
  const TwinValues* inputs; /* one per input port, in declaration order among inputs */
  size_t input_count;
  void* host_step;
  /* Publishes output `output_index` (declaration order among outputs); copied by the host. */
  TwinStatus (*write_output)(void* host_step, uint32_t output_index, const double* data,
                             size_t count);
  /* Next 64 bits of this instance's random stream (xoshiro256**, stored by the host). */
  uint64_t (*random_u64)(void* host_step);
} TwinStepContext;

/* A model type. All functions are required unless marked optional. */
typedef struct TwinModelDescriptor {
  uint32_t struct_size;
  const char* type_name; /* "weather.tmy" */
  const char* version;   /* semantic version of the model */
  const char* summary;   /* one line */
  const TwinPortDesc* ports;
  size_t port_count;
  const TwinParamDesc* params;
  size_t param_count;
  const TwinKpiDesc* kpis;
  size_t kpi_count;
  uint64_t capabilities; /* TWIN_CAP_* */
  TwinStatus (*create)(const TwinModelConfig* config, void** instance);
  TwinStatus (*init)(void* instance);
  TwinStatus (*step)(void* instance, const TwinStepContext* context);
  TwinStatus (*set_param)(void* instance, const TwinParamValue* value); /* optional */
  size_t (*state_size)(void* instance);
  TwinStatus (*save_state)(void* instance, uint8_t* buffer, size_t size);
  TwinStatus (*load_state)(void* instance, const uint8_t* buffer, size_t size);
  TwinStatus (*kpi_values)(void* instance, double* values, size_t count);
  void (*destroy)(void* instance);
} TwinModelDescriptor;

/* What twin_plugin_entry returns; static storage, valid until the library is unloaded. */
typedef struct TwinPluginDescriptor {
  uint32_t struct_size;
  uint16_t abi_major;          /* must equal the host's TWIN_ABI_MAJOR */
  uint16_t abi_minor_required; /* the lowest host minor this plugin works with */
  const char* plugin_name;
  const char* plugin_version;
  const char* build_tag; /* compiler and build facts, shown by `citytwin plugins` */
  const TwinModelDescriptor* const* models;
  size_t model_count;
} TwinPluginDescriptor;

typedef const TwinPluginDescriptor* (*TwinPluginEntryFn)(const TwinHostApi* host);

/* The one symbol a plugin exports. `host` is the loader's table (log only, no instance). */
TWIN_PLUGIN_EXPORT const TwinPluginDescriptor* twin_plugin_entry(const TwinHostApi* host);

#ifdef __cplusplus
}
#endif

#endif /* TWIN_PLUGIN_H */
