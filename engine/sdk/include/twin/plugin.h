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
 *   1.1  published frames: TwinModelDescriptor.publish (optional) with TwinPublishContext, so a
 *        model shows what it simulates in renders and the viewer (instances, values per
 *        building or road link, ground polygons and rasters, labels); TwinModelConfig.city
 *        (the scenario's city: extent, buildings, road nodes and links; NULL without one).
 *   1.2  physics service: TwinHostApi.ray_any_hit and ray_closest_hit cast rays against the
 *        city's buildings and terrain (Bullet BVH, built by the host on first use);
 *        TwinCityInfo.outline_*: the buildings' footprint rings.
 *   1.3  TwinHostApi.parallel_for (the scenario's worker threads for data-parallel models);
 *        TwinStepContext.request_end (a model with finite work ends the run early);
 *        TWIN_PARAM_FOLDER (a parameter naming a folder, e.g. a network in several files);
 *        TwinCityInfo.banned_turns (turn restrictions of the road graph).
 *   1.4  TwinCityInfo.land_use_*: the land-use areas (outer rings and class), e.g. to find the
 *        city's industrial park.
 *   1.5  published lines and points: TWIN_LAYER_GROUND_LINES (polylines on the ground with a
 *        value each: cables, pipes, routes) and TWIN_LAYER_POINTS (points with a value:
 *        buses, stations, sensors); TwinPublishContext.lines and .points; TWIN_SCALE_LOADING.
 *   1.6  physics service, continued: TwinHostApi.sweep_sphere (a sphere swept against the city:
 *        clearance along a path) and rigid bodies in a world of the instance's own with the city
 *        as static geometry, stepped in exact fixed sub-steps (body_add, body_remove,
 *        body_force, body_get, body_set, bodies_step).
 */
#ifndef TWIN_PLUGIN_H
#define TWIN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TWIN_ABI_MAJOR 1
#define TWIN_ABI_MINOR 6

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
#define TWIN_PARAM_PATH 4   /* a file; the host resolves it against the scenario file */
#define TWIN_PARAM_LIST 5   /* a list of strings; its default_value: the items, comma-separated */
#define TWIN_PARAM_FOLDER 6 /* since 1.3: a folder; resolved as PATH, must be a directory */

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

/* A ray (since 1.2): origin and unit direction in the city's local metres (z above sea level),
   cast up to max_t metres. Start rays a few centimetres off a surface to miss it. */
typedef struct TwinRay {
  double ox, oy, oz;
  double dx, dy, dz;
  double max_t;
} TwinRay;

/* The closest hit of a ray (since 1.2): hit 0 when nothing lies within max_t; owner is the
   building index (TwinModelConfig.city->buildings) or -1 for terrain; the normal faces the ray. */
typedef struct TwinRayHit {
  int32_t hit;
  int32_t owner;
  double t;
  double nx, ny, nz;
} TwinRayHit;

/* A sphere swept along a ray (since 1.6): the centre moves from the origin along the unit
   direction up to max_t metres; the hit's t is the distance the centre travelled to the first
   contact (0 when it starts touching), its normal that of the surface touched. */
typedef struct TwinSweep {
  double ox, oy, oz;
  double dx, dy, dz;
  double max_t;
  double radius;
} TwinSweep;

/* Rigid-body shapes (TwinBodyDesc.shape, since 1.6). */
#define TWIN_BODY_SPHERE 0   /* radius size_x */
#define TWIN_BODY_BOX 1      /* half extents size_x, size_y, size_z */
#define TWIN_BODY_CYLINDER 2 /* upright: radius size_x, half height size_z */

/* A rigid body to add (since 1.6). Local metres, z above sea level; SI units. */
typedef struct TwinBodyDesc {
  uint32_t struct_size;
  int32_t shape; /* TWIN_BODY_* */
  double size_x, size_y, size_z;
  double mass_kg; /* > 0 */
  double x, y, z; /* centre of mass */
  double heading_rad;
  double vx, vy, vz;
  double linear_damping, angular_damping; /* 0..1, fraction of velocity lost per second */
  double friction, restitution;
  int32_t gravity;       /* non-zero: standard gravity (9.80665 m/s2) pulls it down */
  int32_t lock_rotation; /* non-zero: it never rotates (attitude held by a controller) */
} TwinBodyDesc;

/* A rigid body's state (since 1.6); body_set takes the same to restore a snapshot. */
typedef struct TwinBodyState {
  double x, y, z;        /* centre of mass */
  double qx, qy, qz, qw; /* orientation, unit quaternion */
  double vx, vy, vz;     /* m/s */
  double wx, wy, wz;     /* rad/s */
  int32_t contact;       /* touching the city or a body after the last sub-step */
  int32_t reserved;
  int64_t contact_substeps; /* sub-steps that ended in contact since it was added */
} TwinBodyState;

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
  /* since 1.2: ray casts against the city (NULL when the scenario has no city). Thread-safe,
     callable from step; results depend on the rays alone. blocked[i] = 1 when ray i hits
     anything. TWIN_ERROR for a non-finite ray (logged). */
  TwinStatus (*ray_any_hit)(void* host_context, const TwinRay* rays, size_t count,
                            uint8_t* blocked);
  TwinStatus (*ray_closest_hit)(void* host_context, const TwinRay* rays, size_t count,
                                TwinRayHit* hits);
  /* since 1.3: runs fn(user, begin, end) over disjoint blocks covering [0, count) on the
     scenario's worker threads and returns when all have finished (the scenario's `threads`
     decides how many; one block on a serial run). Callable from step. A model that wants the
     same results for every thread count must make each item's result independent of the
     blocks (write only item-owned memory). */
  void (*parallel_for)(void* host_context, size_t count,
                       void (*fn)(void* user, size_t begin, size_t end), void* user);
  /* since 1.6 (check struct_size; NULL when the scenario has no city): sphere sweeps, as the
     ray functions (thread-safe, results depend on the sweeps alone; TWIN_ERROR for a
     non-finite sweep or a radius <= 0). */
  TwinStatus (*sweep_sphere)(void* host_context, const TwinSweep* sweeps, size_t count,
                             TwinRayHit* hits);
  /* since 1.6 (NULL without a city): rigid bodies in a world of this instance's own, with the
     city's buildings and terrain as static geometry. Call them from the instance's own
     functions (publish and save_state: body_get only), never from two threads at once. body_add
     returns the new body's id (ids start at 0, increase and are never reused) or -1 for a malformed
     description (logged). */
  int64_t (*body_add)(void* host_context, const TwinBodyDesc* desc);
  TwinStatus (*body_remove)(void* host_context, int64_t id);
  /* force (N, through the centre of mass) and torque (N m), world axes, held until changed */
  TwinStatus (*body_force)(void* host_context, int64_t id, const double force[3],
                           const double torque[3]);
  TwinStatus (*body_get)(void* host_context, const int64_t* ids, size_t count,
                         TwinBodyState* states);
  TwinStatus (*body_set)(void* host_context, int64_t id, const TwinBodyState* state);
  /* advances every body by dt_s in round(dt_s / substep_s) sub-steps of exactly substep_s
     (TWIN_ERROR unless dt_s is a whole number of them); before_substep (may be NULL) runs
     before each with its index and may call body_get and body_force, e.g. a flight controller.
     Same calls in the same order, same states: the world steps on the calling thread. */
  TwinStatus (*bodies_step)(void* host_context, double dt_s, double substep_s,
                            void (*before_substep)(void* user, int64_t substep), void* user);
} TwinHostApi;

/* Building use classes (TwinBuilding.use_class). */
#define TWIN_USE_RESIDENTIAL 0
#define TWIN_USE_COMMERCIAL 1
#define TWIN_USE_OFFICE 2
#define TWIN_USE_INDUSTRIAL 3
#define TWIN_USE_PUBLIC 4
#define TWIN_USE_EDUCATION 5
#define TWIN_USE_HEALTH 6
#define TWIN_USE_OTHER 7

/* A building of the city (since 1.1). */
typedef struct TwinBuilding {
  double x, y;          /* centre, local metres */
  double footprint_m2;  /* ground area */
  double floor_area_m2; /* gross floor area (footprint x floors) */
  double height_m;      /* ground to top */
  double ground_z;      /* ground height above sea level, 0 without a DEM */
  double residents;     /* estimated */
  double jobs;          /* estimated */
  int32_t floors;
  int32_t use_class;         /* TWIN_USE_* */
  int32_t construction_year; /* 0 when unknown */
  int32_t ancillary;         /* garage, shed: non-zero */
  int32_t roof_shape;        /* 0 flat, 1 gabled, 2 hipped, 3 pyramidal, 4 skillion, 5 other */
} TwinBuilding;

/* Land-use classes (TwinCityInfo.land_use_class, since 1.4). */
#define TWIN_LAND_RESIDENTIAL 0
#define TWIN_LAND_COMMERCIAL 1 /* commercial, retail */
#define TWIN_LAND_INDUSTRIAL 2
#define TWIN_LAND_GREEN 3 /* parks, grass, cemeteries, allotments, recreation */
#define TWIN_LAND_FOREST 4
#define TWIN_LAND_FARMLAND 5
#define TWIN_LAND_WATER 6
#define TWIN_LAND_RAILWAY 7
#define TWIN_LAND_OTHER 8

/* Junction control of a road node. */
#define TWIN_JUNCTION_NONE 0
#define TWIN_JUNCTION_SIGNALS 1
#define TWIN_JUNCTION_PRIORITY 2
#define TWIN_JUNCTION_RIGHT_BEFORE_LEFT 3

typedef struct TwinRoadNode {
  double x, y;
  int32_t control;           /* TWIN_JUNCTION_* */
  int32_t in_main_component; /* in the largest strongly connected part for cars */
} TwinRoadNode;

/* A road link: one direction of a segment between two nodes (since 1.1). */
typedef struct TwinRoadLink {
  uint32_t from, to;  /* node indices */
  int32_t twin;       /* the opposite direction's link, -1 for a one-way */
  int32_t road_class; /* 0 motorway, 1 trunk, 2 primary, 3 secondary, 4 tertiary,
                         5 unclassified, 6 residential, 7 living street, 8 service,
                         9 track, 10 pedestrian, 11 other */
  int32_t car_allowed;
  int32_t lanes;
  double speed_limit_mps;
  double length_m;
  const double* xy; /* the polyline from `from` to `to`: x y pairs */
  size_t point_count;
} TwinRoadLink;

/* The scenario's city as a model sees it (since 1.1). Coordinates are local metres: x east,
 * y north, z up, relative to (origin_e, origin_n) in the city's projected CRS. Entities are
 * numbered in the city model's order: building i, road link (directed edge) i. Everything is
 * owned by the host and valid until the instance is destroyed. */
typedef struct TwinCityInfo {
  uint32_t struct_size;
  const char* crs; /* "EPSG:25832" */
  double origin_e, origin_n;
  double min_x, min_y, max_x, max_y; /* extent in local metres */
  size_t building_count;
  size_t road_link_count;
  const TwinBuilding* buildings; /* building_count of them */
  const TwinRoadNode* road_nodes;
  size_t road_node_count;
  const TwinRoadLink* road_links; /* road_link_count of them */
  /* since 1.2 (check struct_size): the outer rings of the buildings' footprints (every part),
     x y pairs in local metres, not closed; the rings of building i are
     outline_ring_start[outline_building_start[i]] ..
     outline_ring_start[outline_building_start[i+1]] (ring k spans points outline_ring_start[k] ..
     outline_ring_start[k+1] - 1). */
  const double* outline_xy;
  const size_t* outline_ring_start;      /* ring count + 1 entries, in points */
  const size_t* outline_building_start;  /* building_count + 1 entries, in rings */
  double centre_lat_deg, centre_lon_deg; /* since 1.2: the extent's centre in WGS 84 */
  /* since 1.3 (check struct_size): turns OSM restrictions forbid, as pairs of road link
     indices (the link into the via node, the link out of it), sorted; NULL when none. */
  const uint32_t* banned_turns;
  size_t banned_turn_count;
  /* since 1.4 (check struct_size): the land-use areas, outer rings in local metres, not closed;
     area k spans points land_use_start[k] .. land_use_start[k+1] - 1 of land_use_xy (x y pairs),
     its class is land_use_class[k] (TWIN_LAND_*) and its area land_use_area_m2[k]; NULL and 0
     when the city has none. */
  const double* land_use_xy;
  const size_t* land_use_start; /* land_use_count + 1 entries, in points */
  const int32_t* land_use_class;
  const double* land_use_area_m2;
  size_t land_use_count;
} TwinCityInfo;

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
  /* since 1.1 (check struct_size): the city, NULL when the scenario has none */
  const TwinCityInfo* city;
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
  /* since 1.3 (check struct_size): this model has finished its work (e.g. the last vehicle of a
     finite demand has arrived); the run ends after this tick instead of at the scenario's end.
     Any model may ask; the run's summary records the tick. */
  void (*request_end)(void* host_step);
} TwinStepContext;

/* ---- Published frames (since 1.1) -------------------------------------------------------- */

typedef int32_t TwinLayerKind;
#define TWIN_LAYER_INSTANCES 0       /* moving things: boxes with position, heading, size */
#define TWIN_LAYER_BUILDING_VALUES 1 /* one value per building (city order), coloured */
#define TWIN_LAYER_LINK_VALUES 2     /* one value per road link (city order), coloured */
#define TWIN_LAYER_GROUND_POLYGONS 3 /* filled polygons on the ground, one value each */
#define TWIN_LAYER_GROUND_RASTER 4   /* a grid of values on the ground (NaN: transparent) */
#define TWIN_LAYER_LABELS 5          /* text at points */
#define TWIN_LAYER_GROUND_LINES 6    /* since 1.5: polylines on the ground, one value each */
#define TWIN_LAYER_POINTS 7          /* since 1.5: points on the ground, one value each */

typedef int32_t TwinColourScale;
#define TWIN_SCALE_VIRIDIS 0   /* sequential, colour-blind safe (low dark blue, high yellow) */
#define TWIN_SCALE_MAGMA 1     /* sequential for intensities: heat, concentration */
#define TWIN_SCALE_DIVERGING 2 /* blue-white-red around the middle of the range */
#define TWIN_SCALE_SPEED 3     /* red (slow) - yellow - green (fast), as traffic maps do */
#define TWIN_SCALE_RGBA 4      /* no scale: TwinInstance.rgba gives the colour */
#define TWIN_SCALE_LOADING 5   /* since 1.5: green (low) - yellow - red (high), for loadings */

/* What a layer is; one per publish call. Strings are borrowed for the call. */
typedef struct TwinLayerDesc {
  uint32_t struct_size;
  const char* name;  /* unique within the model: "vehicles"; shown as "<instance>.<name>" */
  const char* title; /* legend title: "Vehicle speed" */
  const char* unit;  /* of the values: "km/h" */
  TwinLayerKind kind;
  TwinColourScale scale;
  double value_min, value_max; /* colour range; equal: the range of the values published */
} TwinLayerDesc;

/* One moving thing (a vehicle, a drone, a container). */
typedef struct TwinInstance {
  uint64_t id;        /* stable across frames: the viewer interpolates by id */
  double x, y, z;     /* local metres, z of the base above ground */
  double heading_rad; /* direction of travel, counter-clockwise from east */
  float length_m, width_m, height_m;
  float value;   /* coloured through the layer's scale */
  uint32_t rgba; /* TWIN_SCALE_RGBA: 0xRRGGBBAA */
} TwinInstance;

/* A point with text. */
typedef struct TwinLabel {
  double x, y, z;
  const char* text;
} TwinLabel;

/* What publish() receives; valid only during the call. Every function copies what it is given
 * and returns TWIN_ERROR for a malformed call (wrong kind, count, NaN position). */
typedef struct TwinPublishContext {
  uint32_t struct_size;
  int64_t tick;  /* the last tick stepped */
  double time_s; /* seconds since the scenario start */
  void* host_publish;
  TwinStatus (*instances)(void* host_publish, const TwinLayerDesc* layer, const TwinInstance* items,
                          size_t count);
  /* BUILDING_VALUES / LINK_VALUES: `count` must equal the city's building / road link count */
  TwinStatus (*entity_values)(void* host_publish, const TwinLayerDesc* layer, const double* values,
                              size_t count);
  /* polygon i has ring_sizes[i] points (x, y pairs in `xy`, outer ring, not closed) and
   * values[i] */
  TwinStatus (*polygons)(void* host_publish, const TwinLayerDesc* layer, const double* xy,
                         const size_t* ring_sizes, const double* values, size_t polygon_count);
  /* nx * ny values, row by row from the south-west cell; cells of cell_m metres */
  TwinStatus (*raster)(void* host_publish, const TwinLayerDesc* layer, double origin_x,
                       double origin_y, double cell_m, size_t nx, size_t ny, const double* values);
  TwinStatus (*labels)(void* host_publish, const TwinLayerDesc* layer, const TwinLabel* items,
                       size_t count);
  /* since 1.5 (check struct_size): line i has point_counts[i] >= 2 points (x, y pairs in `xy`)
   * and values[i] */
  TwinStatus (*lines)(void* host_publish, const TwinLayerDesc* layer, const double* xy,
                      const size_t* point_counts, const double* values, size_t line_count);
  /* since 1.5: point i at (xy[2i], xy[2i+1]) with values[i] */
  TwinStatus (*points)(void* host_publish, const TwinLayerDesc* layer, const double* xy,
                       const double* values, size_t count);
} TwinPublishContext;

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
  /* since 1.1, optional: publishes what the instance shows now. Called between steps, never
   * concurrently with the instance's other functions; must not change the model's state. */
  TwinStatus (*publish)(void* instance, const TwinPublishContext* context);
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
