// SPDX-License-Identifier: Apache-2.0
#include "plugin/loader.hpp"

#include <dlfcn.h>
#include <unistd.h>
#include <cstddef>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/log.hpp"
#include "core/units.hpp"

namespace twin::plugin {
namespace fs = std::filesystem;
using core::ErrorCode;
using core::fail;

namespace {

void loaderLog(void* /*ctx*/, TwinLogLevel level, const char* message) {
  core::log(level >= TWIN_LOG_ERROR     ? core::LogLevel::Error
            : level >= TWIN_LOG_WARNING ? core::LogLevel::Warning
                                        : core::LogLevel::Debug,
            "plugin", message != nullptr ? message : "");
}

const TwinHostApi& loaderHost() {
  static const TwinHostApi kHost{sizeof(TwinHostApi),
                                 TWIN_ABI_MAJOR,
                                 TWIN_ABI_MINOR,
                                 nullptr,
                                 &loaderLog,
                                 nullptr,
                                 nullptr,
                                 nullptr,
                                 nullptr,
                                 nullptr,
                                 nullptr,
                                 nullptr,
                                 nullptr,
                                 nullptr,
                                 nullptr,
                                 nullptr,
                                 nullptr};
  return kHost;
}

std::string str(const char* s) {
  return s != nullptr ? s : "";
}

// checks one model descriptor; returns the problems found
std::vector<std::string> checkModel(const TwinModelDescriptor* d, ModelType& out) {
  std::vector<std::string> problems;
  if (d == nullptr)
    return {"a model descriptor is null"};
  // ABI 1.0 descriptors end before `publish` (since 1.1); later fields are checked by size
  constexpr std::size_t kSize10 = offsetof(TwinModelDescriptor, publish);
  if (d->struct_size < kSize10) {
    return {"model descriptor struct_size " + std::to_string(d->struct_size) + " < " +
            std::to_string(kSize10)};
  }
  out.typeName = str(d->type_name);
  const std::string who = "model type '" + out.typeName + "'";
  if (out.typeName.empty())
    problems.push_back("a model type has no name");
  if (d->create == nullptr || d->init == nullptr || d->step == nullptr ||
      d->state_size == nullptr || d->save_state == nullptr || d->load_state == nullptr ||
      d->kpi_values == nullptr || d->destroy == nullptr) {
    problems.push_back(who + " lacks a required function");
  }
  out.version = str(d->version);
  out.summary = str(d->summary);
  out.descriptor = d;
  out.parallelSafe = (d->capabilities & TWIN_CAP_PARALLEL_SAFE) != 0;
  for (std::size_t i = 0; i < d->port_count; ++i) {
    const TwinPortDesc& p = d->ports[i];
    core::PortSpec s;
    s.name = str(p.name);
    if (s.name.empty())
      problems.push_back(who + ": a port has no name");
    s.direction = p.direction == TWIN_PORT_IN ? core::PortDirection::In : core::PortDirection::Out;
    if (p.value_type < TWIN_VALUE_F64 || p.value_type > TWIN_VALUE_BOOL) {
      problems.push_back(who + ": port '" + s.name + "' has an unknown value type");
    }
    s.type = static_cast<core::ValueType>(p.value_type);
    s.shape = p.shape == TWIN_SHAPE_ENTITY ? core::PortShape::Entity : core::PortShape::Scalar;
    s.required = p.required != 0;
    s.unit = p.unit != nullptr ? p.unit : "1";
    if (auto u = core::parseUnit(s.unit); !u) {
      problems.push_back(who + ": port '" + s.name + "': " + u.error().message);
    }
    s.description = str(p.description);
    out.ports.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < d->param_count; ++i) {
    const TwinParamDesc& p = d->params[i];
    ParamSpec s;
    s.name = str(p.name);
    if (p.kind < TWIN_PARAM_NUMBER || p.kind > TWIN_PARAM_FOLDER) {
      problems.push_back(who + ": parameter '" + s.name + "' has an unknown kind");
    }
    s.kind = static_cast<ParamKind>(p.kind);
    s.unit = p.unit != nullptr ? p.unit : "1";
    if (s.kind == ParamKind::Number) {
      if (auto u = core::parseUnit(s.unit); !u) {
        problems.push_back(who + ": parameter '" + s.name + "': " + u.error().message);
      }
    }
    if (p.default_value != nullptr)
      s.defaultText = p.default_value;
    s.runtimeSettable = p.runtime_settable != 0;
    s.description = str(p.description);
    out.params.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < d->kpi_count; ++i) {
    out.kpis.push_back({str(d->kpis[i].name), str(d->kpis[i].unit), str(d->kpis[i].description)});
  }
  return problems;
}

std::string exeDir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    return ".";
  return p.parent_path().string();
}

}  // namespace

std::string_view toString(ParamKind kind) {
  switch (kind) {
    case ParamKind::Number:
      return "number";
    case ParamKind::Integer:
      return "integer";
    case ParamKind::Bool:
      return "bool";
    case ParamKind::String:
      return "string";
    case ParamKind::Path:
      return "path";
    case ParamKind::List:
      return "list";
    case ParamKind::Folder:
      return "folder";
  }
  return "?";
}

core::Result<std::shared_ptr<LoadedPlugin>> openPlugin(const std::string& path) {
  dlerror();
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) {
    const char* why = dlerror();
    return fail(ErrorCode::PluginRefused,
                "plugin " + path + ": cannot be loaded: " + (why != nullptr ? why : "unknown"));
  }
  auto lib = std::make_shared<LoadedPlugin>();
  lib->path = path;
  lib->handle = std::shared_ptr<void>(h, [](void* p) { dlclose(p); });
  void* sym = dlsym(h, "twin_plugin_entry");
  if (sym == nullptr) {
    return fail(
        ErrorCode::PluginRefused,
        "plugin " + path + ": not a citytwin plugin (it does not export 'twin_plugin_entry')");
  }
  auto entry = reinterpret_cast<TwinPluginEntryFn>(sym);
  const TwinPluginDescriptor* d = entry(&loaderHost());
  if (d == nullptr) {
    return fail(ErrorCode::PluginRefused, "plugin " + path + ": twin_plugin_entry returned null");
  }
  if (d->abi_major != TWIN_ABI_MAJOR) {
    return fail(ErrorCode::PluginRefused,
                "plugin " + path + ": built for plugin ABI " + std::to_string(d->abi_major) +
                    ".x, this citytwin speaks ABI " + std::to_string(TWIN_ABI_MAJOR) + "." +
                    std::to_string(TWIN_ABI_MINOR) + "; rebuild it against this citytwin's SDK");
  }
  if (d->abi_minor_required > TWIN_ABI_MINOR) {
    return fail(ErrorCode::PluginRefused, "plugin " + path + ": needs plugin ABI 1." +
                                              std::to_string(d->abi_minor_required) +
                                              ", this citytwin has 1." +
                                              std::to_string(TWIN_ABI_MINOR) + "; update citytwin");
  }
  if (d->struct_size < sizeof(TwinPluginDescriptor)) {
    return fail(ErrorCode::PluginRefused, "plugin " + path + ": descriptor struct_size " +
                                              std::to_string(d->struct_size) + " is too small");
  }
  lib->descriptor = d;
  lib->name = str(d->plugin_name);
  lib->version = str(d->plugin_version);
  lib->buildTag = str(d->build_tag);
  if (d->model_count > 0 && d->models == nullptr) {
    return fail(ErrorCode::PluginRefused, "plugin " + path + ": model list is null");
  }
  return lib;
}

std::vector<std::string> Registry::defaultSearchPath() {
  std::vector<std::string> out;
  out.push_back((fs::path(exeDir()) / ".." / "lib" / "citytwin" / "plugins").lexically_normal());
  if (const char* env = std::getenv("CITYTWIN_PLUGIN_PATH")) {
    std::string_view rest = env;
    while (!rest.empty()) {
      std::size_t colon = rest.find(':');
      std::string_view item = rest.substr(0, colon);
      if (!item.empty())
        out.emplace_back(item);
      if (colon == std::string_view::npos)
        break;
      rest.remove_prefix(colon + 1);
    }
  }
  return out;
}

core::Status Registry::load(const std::vector<std::string>& paths) {
  std::vector<std::string> problems;
  std::vector<std::string> files;
  std::set<std::string> seen;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> inDir;
      for (const auto& e : fs::directory_iterator(p, ec)) {
        if (e.path().extension() == ".so" && e.is_regular_file())
          inDir.push_back(e.path());
      }
      std::sort(inDir.begin(), inDir.end());
      for (auto& f : inDir)
        files.push_back(std::move(f));
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    }
    // a missing default directory is normal (e.g. an installed tree without plugins)
  }
  for (const std::string& f : files) {
    std::error_code ec;
    std::string canon = fs::weakly_canonical(f, ec).string();
    if (!seen.insert(ec ? f : canon).second)
      continue;
    auto lib = openPlugin(f);
    if (!lib) {
      problems.push_back(lib.error().message);
      continue;
    }
    std::vector<ModelType> found;
    std::vector<std::string> modelProblems;
    for (std::size_t i = 0; i < (*lib)->descriptor->model_count; ++i) {
      ModelType t;
      auto pr = checkModel((*lib)->descriptor->models[i], t);
      t.plugin = *lib;
      for (auto& m : pr)
        modelProblems.push_back("plugin " + f + ": " + m);
      found.push_back(std::move(t));
    }
    if (!modelProblems.empty()) {
      problems.insert(problems.end(), modelProblems.begin(), modelProblems.end());
      continue;
    }
    for (ModelType& t : found) {
      if (const ModelType* other = find(t.typeName)) {
        problems.push_back("plugin " + f + ": model type '" + t.typeName +
                           "' is already provided by " + other->plugin->path);
        continue;
      }
      types_.push_back(std::move(t));
    }
    plugins_.push_back(*lib);
  }
  std::sort(types_.begin(), types_.end(),
            [](const ModelType& a, const ModelType& b) { return a.typeName < b.typeName; });
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems)
      msg += (msg.empty() ? "" : "\n") + p;
    return fail(ErrorCode::PluginRefused, msg);
  }
  return {};
}

const ModelType* Registry::find(std::string_view typeName) const {
  for (const ModelType& t : types_) {
    if (t.typeName == typeName)
      return &t;
  }
  return nullptr;
}

std::string describeInstance(const ModelType& type, std::string_view instanceName) {
  return "model '" + std::string(instanceName) + "' (" + type.typeName + " from " +
         type.plugin->path + ")";
}

}  // namespace twin::plugin
