// SPDX-License-Identifier: Apache-2.0
#include "io/yaml_tree.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/units.hpp"

namespace twin::io {

std::string Location::str() const {
  if (line <= 0)
    return file;  // the file as a whole
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

const Node::Entry* Node::findEntry(std::string_view key) const {
  for (const Entry& e : entries) {
    if (e.key == key)
      return &e;
  }
  return nullptr;
}
const Node* Node::find(std::string_view key) const {
  const Entry* e = findEntry(key);
  return e != nullptr ? &e->value : nullptr;
}
Node* Node::find(std::string_view key) {
  for (Entry& e : entries) {
    if (e.key == key)
      return &e.value;
  }
  return nullptr;
}
std::string_view Node::kindName() const {
  switch (kind) {
    case Kind::Null:
      return "nothing";
    case Kind::Scalar:
      return "a value";
    case Kind::Sequence:
      return "a list";
    case Kind::Map:
      return "a map";
  }
  return "?";
}

namespace {

Location at(const YAML::Mark& m, const std::string& file) {
  return Location{file, m.line + 1, m.column + 1};
}

Node convert(const YAML::Node& y, const std::string& file, std::vector<Diagnostic>& problems) {
  Node n;
  n.where = at(y.Mark(), file);
  switch (y.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      n.kind = Node::Kind::Null;
      break;
    case YAML::NodeType::Scalar:
      n.kind = Node::Kind::Scalar;
      n.scalar = y.Scalar();
      n.quoted = y.Tag() == "!";
      break;
    case YAML::NodeType::Sequence:
      n.kind = Node::Kind::Sequence;
      for (const YAML::Node& item : y)
        n.items.push_back(convert(item, file, problems));
      break;
    case YAML::NodeType::Map:
      n.kind = Node::Kind::Map;
      for (auto it = y.begin(); it != y.end(); ++it) {
        Node::Entry e;
        e.keyWhere = at(it->first.Mark(), file);
        if (!it->first.IsScalar()) {
          problems.push_back({e.keyWhere, "a key must be a plain name"});
          continue;
        }
        e.key = it->first.Scalar();
        if (n.find(e.key) != nullptr) {
          problems.push_back({e.keyWhere, "duplicate key '" + e.key + "'"});
          continue;
        }
        e.value = convert(it->second, file, problems);
        // an empty value ("key:") has no mark of its own; point at the key
        if (e.value.isNull() && e.value.where.line <= 0)
          e.value.where = e.keyWhere;
        n.entries.push_back(std::move(e));
      }
      break;
  }
  return n;
}

void canonical(const Node& n, std::string& out) {
  switch (n.kind) {
    case Node::Kind::Null:
      out += "null";
      break;
    case Node::Kind::Scalar:
      out += '"';
      for (char c : n.scalar) {
        if (c == '"' || c == '\\')
          out += '\\';
        out += c;
      }
      out += '"';
      break;
    case Node::Kind::Sequence:
      out += '[';
      for (std::size_t i = 0; i < n.items.size(); ++i) {
        if (i > 0)
          out += ',';
        canonical(n.items[i], out);
      }
      out += ']';
      break;
    case Node::Kind::Map:
      out += '{';
      for (std::size_t i = 0; i < n.entries.size(); ++i) {
        if (i > 0)
          out += ',';
        out += '"' + n.entries[i].key + "\":";
        canonical(n.entries[i].value, out);
      }
      out += '}';
      break;
  }
}

}  // namespace

core::Result<Node> parseYaml(std::string_view text, const std::string& file,
                             std::vector<Diagnostic>& problems) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    Location where = at(e.mark, file);
    problems.push_back({where, "YAML syntax error: " + e.msg});
    return core::fail(core::ErrorCode::BadInput, problems.back().str());
  } catch (const YAML::Exception& e) {
    problems.push_back({Location{file, 1, 1}, std::string("YAML error: ") + e.what()});
    return core::fail(core::ErrorCode::BadInput, problems.back().str());
  }
  Node n = convert(root, file, problems);
  if (n.where.line <= 0)
    n.where = Location{file, 1, 1};
  return n;
}

core::Result<Node> loadYamlFile(const std::string& path, std::vector<Diagnostic>& problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::fail(core::ErrorCode::NotFound, path + ": cannot open the file");
  }
  // read whole, so limited: a scenario is hand-written text (the largest shipped is 6 KB)
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxYamlFileBytes) {
    return core::fail(core::ErrorCode::BadInput,
                      path + ": the file is " + core::formatBytes(size) +
                          "; scenario files are read whole and limited to " +
                          core::formatBytes(kMaxYamlFileBytes));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parseYaml(ss.str(), path, problems);
}

namespace {

// "connect+" -> "connect", true
bool appendKey(std::string& key) {
  if (key.size() < 2 || key.back() != '+')
    return false;
  key.pop_back();
  return true;
}

// sets map[key] = value, or with `append` adds value's items to the list map[key]
void setOrAppend(Node& map, const std::string& key, const Location& where, Node value,
                 bool append) {
  auto it = std::find_if(map.entries.begin(), map.entries.end(),
                         [&](const Node::Entry& b) { return b.key == key; });
  if (it == map.entries.end()) {
    map.entries.push_back({key, where, std::move(value)});
  } else if (append && it->value.isSeq() && value.isSeq()) {
    it->value.items.insert(it->value.items.end(), value.items.begin(), value.items.end());
  } else {
    it->keyWhere = where;
    it->value = std::move(value);
  }
}

}  // namespace

void mergeInto(Node& base, const Node& overlay) {
  if (!base.isMap() || !overlay.isMap()) {
    base = overlay;
    return;
  }
  for (const Node::Entry& e : overlay.entries) {
    std::string key = e.key;
    if (appendKey(key)) {
      // "key+: [..]" appends its items to the base's list "key"
      setOrAppend(base, key, e.keyWhere, e.value, true);
      continue;
    }
    auto it = std::find_if(base.entries.begin(), base.entries.end(),
                           [&](const Node::Entry& b) { return b.key == e.key; });
    if (e.value.isNull()) {
      if (it != base.entries.end())
        base.entries.erase(it);
      continue;
    }
    if (it == base.entries.end()) {
      base.entries.push_back(e);
    } else {
      it->keyWhere = e.keyWhere;
      mergeInto(it->value, e.value);
    }
  }
}

void resolveAppendKeys(Node& node) {
  if (node.isSeq()) {
    for (Node& item : node.items)
      resolveAppendKeys(item);
    return;
  }
  if (!node.isMap())
    return;
  Node resolved;
  resolved.kind = Node::Kind::Map;
  resolved.where = node.where;
  for (Node::Entry& e : node.entries) {
    resolveAppendKeys(e.value);
    std::string key = e.key;
    const bool append = appendKey(key);
    setOrAppend(resolved, key, e.keyWhere, std::move(e.value), append);
  }
  node = std::move(resolved);
}

namespace {

void flatten(const Node& n, const std::string& path,
             std::vector<std::pair<std::string, std::string>>& out) {
  switch (n.kind) {
    case Node::Kind::Null:
      out.emplace_back(path, "");
      break;
    case Node::Kind::Scalar:
      out.emplace_back(path, n.scalar);
      break;
    case Node::Kind::Sequence:
      if (n.items.empty())
        out.emplace_back(path, "[]");
      for (std::size_t i = 0; i < n.items.size(); ++i)
        flatten(n.items[i], path + "[" + std::to_string(i) + "]", out);
      break;
    case Node::Kind::Map:
      if (n.entries.empty())
        out.emplace_back(path, "{}");
      for (const Node::Entry& e : n.entries)
        flatten(e.value, path.empty() ? e.key : path + "." + e.key, out);
      break;
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> flattenTree(const Node& node) {
  std::vector<std::pair<std::string, std::string>> out;
  flatten(node, "", out);
  return out;
}

std::string canonicalText(const Node& node) {
  std::string out;
  canonical(node, out);
  return out;
}

}  // namespace twin::io
