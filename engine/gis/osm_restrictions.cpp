// SPDX-License-Identifier: Apache-2.0
// OSM turn restrictions through libosmium: two passes over the file, relations then the via
// nodes' positions.
#include <osmium/handler.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/osm/node.hpp>
#include <osmium/osm/relation.hpp>
#include <osmium/visitor.hpp>

#include <unordered_map>

#include "gis/detail/readers.hpp"

namespace twin::gis::detail {

core::Result<std::vector<RawRestriction>> readOsmRestrictions(
    const std::string& path, std::map<std::string, std::uint64_t>& problems) {
  struct Pending {
    RawRestriction r;
    std::int64_t viaNode = 0;
  };
  std::vector<Pending> pending;
  try {
    // pass 1: restriction relations with one from way, one via node and one to way
    osmium::io::Reader relations{path, osmium::osm_entity_bits::relation};
    while (osmium::memory::Buffer buffer = relations.read()) {
      for (const osmium::Relation& rel : buffer.select<osmium::Relation>()) {
        const char* type = rel.tags()["type"];
        if (type == nullptr || std::string_view(type) != "restriction")
          continue;
        const char* restriction = rel.tags()["restriction"];
        if (restriction == nullptr)
          restriction = rel.tags()["restriction:motorcar"];
        if (restriction == nullptr) {
          ++problems["turn restriction: no restriction tag, skipped"];
          continue;
        }
        Pending p;
        p.r.relationId = rel.id();
        p.r.only = std::string_view(restriction).rfind("only_", 0) == 0;
        int from = 0, to = 0, via = 0;
        bool viaWay = false;
        for (const osmium::RelationMember& m : rel.members()) {
          const std::string_view role = m.role();
          if (role == "from" && m.type() == osmium::item_type::way) {
            p.r.fromWay = m.ref();
            ++from;
          } else if (role == "to" && m.type() == osmium::item_type::way) {
            p.r.toWay = m.ref();
            ++to;
          } else if (role == "via") {
            ++via;
            if (m.type() == osmium::item_type::node) {
              p.viaNode = m.ref();
            } else {
              viaWay = true;
            }
          }
        }
        if (viaWay) {
          ++problems["turn restriction: via a way, not applied"];
          continue;
        }
        if (from != 1 || to != 1 || via != 1) {
          ++problems["turn restriction: malformed members, skipped"];
          continue;
        }
        pending.push_back(p);
      }
    }
    relations.close();
    if (pending.empty())
      return std::vector<RawRestriction>{};
    // pass 2: positions of the via nodes
    std::unordered_map<std::int64_t, Vec2> via;
    for (const Pending& p : pending)
      via.emplace(p.viaNode, Vec2{});
    std::unordered_map<std::int64_t, bool> found;
    osmium::io::Reader nodes{path, osmium::osm_entity_bits::node};
    while (osmium::memory::Buffer buffer = nodes.read()) {
      for (const osmium::Node& n : buffer.select<osmium::Node>()) {
        auto it = via.find(n.id());
        if (it != via.end() && n.location().valid()) {
          it->second = {n.location().lon(), n.location().lat()};
          found[n.id()] = true;
        }
      }
    }
    nodes.close();
    std::vector<RawRestriction> out;
    for (Pending& p : pending) {
      if (!found.count(p.viaNode)) {
        ++problems["turn restriction: via node outside the extract, skipped"];
        continue;
      }
      p.r.via = via[p.viaNode];
      out.push_back(p.r);
    }
    return out;
  } catch (const std::exception& e) {
    return core::fail(core::ErrorCode::BadInput,
                      path + ": cannot read its turn restrictions: " + e.what());
  }
}

}  // namespace twin::gis::detail
