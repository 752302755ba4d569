// SPDX-License-Identifier: Apache-2.0
// Published frames as scene nodes: instances as lit boxes in one geometry refilled per frame,
// building and link values as recoloured city geometry, ground polygons and rasters as
// translucent overlays, labels as screen-sized text, and a legend per scalar layer.
#include <osg/BlendFunc>
#include <osg/Depth>
#include <osg/Geode>
#include <osg/Texture2D>
#include <osgText/Text>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <unordered_map>

#include "render/detail/scene.hpp"

namespace twin::render::detail {
namespace {

osg::Vec4 colourOf(const core::Layer& l, double value, float alpha = 1.f) {
  float rgb[3];
  core::scaleColour(l.scale, (value - l.valueMin) / (l.valueMax - l.valueMin), rgb);
  return {rgb[0], rgb[1], rgb[2], alpha};
}

osg::Vec4 rgbaOf(std::uint32_t c) {
  return {static_cast<float>((c >> 24) & 0xffu) / 255.f,
          static_cast<float>((c >> 16) & 0xffu) / 255.f,
          static_cast<float>((c >> 8) & 0xffu) / 255.f, static_cast<float>(c & 0xffu) / 255.f};
}

bool hasScale(const core::Layer& l) {
  return l.kind != core::LayerKind::Labels && l.scale != core::ColourScale::Rgba;
}

// unlit, blended, drawn after the opaque scene without writing depth
void overlayState(osg::StateSet* ss) {
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF | osg::StateAttribute::PROTECTED);
  ss->setMode(GL_BLEND, osg::StateAttribute::ON);
  ss->setAttributeAndModes(new osg::BlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA));
  ss->setAttributeAndModes(new osg::Depth(osg::Depth::LEQUAL, 0.0, 1.0, false));
  ss->setRenderingHint(osg::StateSet::TRANSPARENT_BIN);
}

// `outline`: a white outline for text straight over the city (labels); text on a panel goes
// without (OSG's outline samples the glyph texture many times per pixel: costly on llvmpipe)
osgText::Text* newText(float size, const osg::Vec4& colour, bool outline) {
  auto* t = new osgText::Text;
  if (std::filesystem::exists(kHudFont))
    t->setFont(kHudFont);
  t->setCharacterSize(size);
  t->setColor(colour);
  if (outline) {
    t->setBackdropType(osgText::Text::OUTLINE);
    t->setBackdropColor({1.f, 1.f, 1.f, 0.85f});
  }
  return t;
}

// the interpolated place of an instance between two frames
struct Pose {
  double x, y, z, heading;
};
Pose between(const core::InstanceItem& a, const core::InstanceItem& b, double alpha) {
  double dh = std::remainder(b.headingRad - a.headingRad, 2.0 * std::numbers::pi);
  return {a.x + (b.x - a.x) * alpha, a.y + (b.y - a.y) * alpha, a.z + (b.z - a.z) * alpha,
          a.headingRad + dh * alpha};
}

}  // namespace

DynamicLayers::DynamicLayers(CityScene& scene, int width, int height)
    : scene_(scene), width_(width), height_(height) {
  instances_ = new osg::Geode;
  instanceGeom_ = new osg::Geometry;
  instanceGeom_->setUseDisplayList(false);
  instanceGeom_->setUseVertexBufferObjects(true);
  instanceGeom_->setDataVariance(osg::Object::DYNAMIC);
  instanceGeom_->setVertexArray(new osg::Vec3Array);
  instanceGeom_->setColorArray(new osg::Vec4Array, osg::Array::BIND_PER_VERTEX);
  instanceGeom_->addPrimitiveSet(new osg::DrawElementsUInt(GL_TRIANGLES));
  instances_->addDrawable(instanceGeom_);
  scene_.root->addChild(instances_);
  overlays_ = new osg::Group;
  overlays_->setDataVariance(osg::Object::DYNAMIC);
  overlayState(overlays_->getOrCreateStateSet());
  // polygons from models come in either orientation
  overlays_->getOrCreateStateSet()->setMode(GL_CULL_FACE, osg::StateAttribute::OFF);
  scene_.root->addChild(overlays_);
  legendHud_ = hudCamera(width, height, 1);
}

void DynamicLayers::update(const core::Frame& frame, const core::Frame* previous, double alpha) {
  std::vector<const core::Layer*> shown;
  for (const core::Layer& l : frame.layers) {
    if (!hidden_.contains(l.name))
      shown.push_back(&l);
  }
  const core::Layer* buildingLayer = nullptr;
  const core::Layer* linkLayer = nullptr;
  for (const core::Layer* l : shown) {
    if (l->kind == core::LayerKind::BuildingValues && buildingLayer == nullptr)
      buildingLayer = l;
    if (l->kind == core::LayerKind::LinkValues && linkLayer == nullptr)
      linkLayer = l;
  }
  // only the first value layer of each entity kind colours the city
  std::erase_if(shown, [&](const core::Layer* l) {
    return (l->kind == core::LayerKind::BuildingValues && l != buildingLayer) ||
           (l->kind == core::LayerKind::LinkValues && l != linkLayer);
  });
  recolour(buildingLayer, true);
  recolour(linkLayer, false);
  updateInstances(shown, previous, alpha);
  updateOverlays(shown);
  updateLegend(shown);
}

void DynamicLayers::recolour(const core::Layer* layer, bool buildings) {
  std::string& current = buildings ? buildingLayer_ : linkLayer_;
  auto& geoms = buildings ? scene_.buildingGeoms : scene_.roadGeoms;
  auto& originals = buildings ? scene_.buildingColours : scene_.roadColours;
  const auto& light = buildings ? scene_.buildingLight : scene_.roadLight;
  const auto& ranges = buildings ? scene_.buildingRanges : scene_.linkRanges;
  if (layer == nullptr && current.empty())
    return;
  // the same values in the same colours as last frame: nothing to do (the city's image is kept
  // between frames while its colours stay)
  Shown& shown = buildings ? shownBuildings_ : shownLinks_;
  if (layer != nullptr && layer->name == current && layer->scale == shown.scale &&
      layer->valueMin == shown.valueMin && layer->valueMax == shown.valueMax &&
      std::equal(layer->values.begin(), layer->values.end(), shown.values.begin(),
                 shown.values.end(),
                 [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); })) {
    return;
  }
  scene_.cache->invalidate();
  // back to the colours as built, then the layer's values on top
  for (std::size_t g = 0; g < geoms.size(); ++g) {
    auto* c = static_cast<osg::Vec4Array*>(geoms[g]->getColorArray());
    std::copy(originals[g]->begin(), originals[g]->end(), c->begin());
    c->dirty();
  }
  current = layer != nullptr ? layer->name : "";
  if (layer == nullptr) {
    shown = {};
    return;
  }
  shown = {layer->scale, layer->valueMin, layer->valueMax, layer->values};
  const std::size_t n = std::min(ranges.size(), layer->values.size());
  for (std::size_t i = 0; i < n; ++i) {
    const double v = layer->values[i];
    if (!std::isfinite(v))
      continue;  // no value: the entity keeps its own colour
    const osg::Vec4 colour = colourOf(*layer, v);
    for (const VertexRange& r : ranges[i]) {
      if (r.geometry < 0)
        continue;
      const auto g = static_cast<std::size_t>(r.geometry);
      auto* c = static_cast<osg::Vec4Array*>(geoms[g]->getColorArray());
      const std::vector<float>& nl = light[g];
      for (unsigned k = r.first; k < r.first + r.count; ++k)
        (*c)[k] = litColour(colour, nl[k]);  // the same sun shading as the city
    }
  }
}

std::size_t DynamicLayers::instanceTriangles() const {
  return instanceGeom_->getPrimitiveSet(0)->getNumIndices() / 3;
}

void DynamicLayers::setView(const osg::Vec3d& eye, double pixelsPerRadian) {
  eye_ = eye;
  pixelsPerRadian_ = pixelsPerRadian;
  viewKnown_ = std::isfinite(eye.x()) && std::isfinite(eye.y()) && std::isfinite(eye.z()) &&
               pixelsPerRadian > 0.0;
}

void DynamicLayers::updateInstances(const std::vector<const core::Layer*>& layers,
                                    const core::Frame* previous, double alpha) {
  auto* v = static_cast<osg::Vec3Array*>(instanceGeom_->getVertexArray());
  auto* c = static_cast<osg::Vec4Array*>(instanceGeom_->getColorArray());
  auto* idx = static_cast<osg::DrawElementsUInt*>(instanceGeom_->getPrimitiveSet(0));
  v->clear();
  c->clear();
  idx->clear();
  instancesShown_ = 0;
  const bool blend = previous != nullptr && alpha >= 0.0 && alpha < 1.0;
  const osg::Vec3 eye(eye_);
  for (const core::Layer* l : layers) {
    if (l->kind != core::LayerKind::Instances)
      continue;
    std::unordered_map<std::uint64_t, const core::InstanceItem*> before;
    if (blend) {
      if (const core::Layer* p = previous->find(l->name)) {
        before.reserve(p->instances.size());
        for (const core::InstanceItem& it : p->instances)
          before.emplace(it.id, &it);
      }
    }
    v->reserve(v->size() + l->instances.size() * 12);
    idx->reserve(idx->size() + l->instances.size() * 18);
    for (const core::InstanceItem& it : l->instances) {
      Pose pose{it.x, it.y, it.z, it.headingRad};
      if (blend) {
        if (auto f = before.find(it.id); f != before.end())
          pose = between(*f->second, it, alpha);
      }
      const osg::Vec4 colour =
          l->scale == core::ColourScale::Rgba ? rgbaOf(it.rgba) : colourOf(*l, it.value);
      const float ch = static_cast<float>(std::cos(pose.heading)),
                  sh = static_cast<float>(std::sin(pose.heading));
      const float hl = it.length / 2.f, hw = it.width / 2.f;
      // on the ground (z is above it), just above the road ribbons
      const osg::Vec3 o(static_cast<float>(pose.x), static_cast<float>(pose.y),
                        static_cast<float>(pose.z) + 1.3f + scene_.groundAt(pose.x, pose.y));
      const osg::Vec3 fwd(ch, sh, 0.f), left(-sh, ch, 0.f), up(0.f, 0.f, it.height);
      const osg::Vec3 p[4] = {o + fwd * hl + left * hw, o - fwd * hl + left * hw,
                              o - fwd * hl - left * hw, o + fwd * hl - left * hw};
      // Where the view is known, faces turned more than 10 degrees away from the eye are left
      // out (back-face culling would drop them anyway; the margin covers a viewer's eye that is
      // one frame old), and a box under kTinyPx pixels long is drawn as its roof alone: its
      // sides would cover less than a pixel.
      constexpr float kTinyPx = 2.f;
      const osg::Vec3 toEye = eye - (o + up * 0.5f);
      const float dist = toEye.length();
      const bool tiny =
          viewKnown_ && dist > 0.f &&
          std::max(it.length, it.width) / dist * static_cast<float>(pixelsPerRadian_) < kTinyPx;
      auto quad = [&](const osg::Vec3& a, const osg::Vec3& b, const osg::Vec3& d,
                      const osg::Vec3& e, const osg::Vec3& normal) {
        if (viewKnown_ &&
            normal * (eye - (a + d) * 0.5f) < -0.17f * (eye - (a + d) * 0.5f).length())
          return;
        const osg::Vec4 lit = litColour(colour, sunLight(normal));
        const bool ccw = ((b - a) ^ (d - a)) * normal >= 0.f;  // front faces toward `normal`
        const auto first = static_cast<unsigned>(v->size());
        for (const osg::Vec3* q : {&a, &b, &d, &e}) {
          v->push_back(*q);
          c->push_back(lit);
        }
        static constexpr unsigned kCcw[6] = {0, 1, 2, 0, 2, 3}, kCw[6] = {0, 2, 1, 0, 3, 2};
        for (unsigned k : ccw ? kCcw : kCw)
          idx->push_back(first + k);
      };
      quad(p[0] + up, p[1] + up, p[2] + up, p[3] + up, {0.f, 0.f, 1.f});  // roof
      if (!tiny) {
        quad(p[0], p[3], p[3] + up, p[0] + up, fwd);    // front
        quad(p[2], p[1], p[1] + up, p[2] + up, -fwd);   // back
        quad(p[1], p[0], p[0] + up, p[1] + up, left);   // left
        quad(p[3], p[2], p[2] + up, p[3] + up, -left);  // right
      }
      ++instancesShown_;
    }
  }
  idx->dirty();
  v->dirty();
  c->dirty();
  instanceGeom_->dirtyBound();
}

void DynamicLayers::updateOverlays(const std::vector<const core::Layer*>& layers) {
  overlays_->removeChildren(0, overlays_->getNumChildren());
  float lift = 1.5f;  // above roads (1.2 m), each layer a little higher
  for (const core::Layer* l : layers) {
    if (l->kind == core::LayerKind::GroundPolygons) {
      osg::ref_ptr<osg::Geode> geode = new osg::Geode;
      for (const core::GroundPolygon& p : l->polygons) {
        gis::Polygon poly;
        for (std::size_t i = 0; i + 1 < p.xy.size(); i += 2)
          poly.outer.push_back({p.xy[i], p.xy[i + 1]});
        osg::ref_ptr<osg::Geometry> g = polygonGeometry(poly, lift, colourOf(*l, p.value, 0.5f));
        if (g == nullptr)
          continue;
        if (scene_.hasTerrain) {
          for (osg::Vec3& q : *static_cast<osg::Vec3Array*>(g->getVertexArray()))
            q.z() += scene_.groundAt(q.x(), q.y());
        }
        geode->addDrawable(g);
      }
      overlays_->addChild(geode);
      lift += 0.1f;
    } else if (l->kind == core::LayerKind::GroundRaster && !l->raster.values.empty()) {
      const core::GroundRaster& r = l->raster;
      osg::ref_ptr<osg::Image> image = new osg::Image;
      image->allocateImage(static_cast<int>(r.nx), static_cast<int>(r.ny), 1, GL_RGBA,
                           GL_UNSIGNED_BYTE);
      unsigned char* px = image->data();
      for (std::size_t i = 0; i < r.nx * r.ny; ++i) {
        const double value = r.values[i];
        const osg::Vec4 col =
            std::isfinite(value) ? colourOf(*l, value, 0.62f) : osg::Vec4(0.f, 0.f, 0.f, 0.f);
        for (unsigned k = 0; k < 4; ++k)
          px[4 * i + static_cast<std::size_t>(k)] =
              static_cast<unsigned char>(std::lround(std::clamp(col[k], 0.f, 1.f) * 255.f));
      }
      osg::ref_ptr<osg::Texture2D> tex = new osg::Texture2D(image);
      tex->setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR);
      tex->setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
      tex->setWrap(osg::Texture::WRAP_S, osg::Texture::CLAMP_TO_EDGE);
      tex->setWrap(osg::Texture::WRAP_T, osg::Texture::CLAMP_TO_EDGE);
      tex->setResizeNonPowerOfTwoHint(false);
      const auto x0 = static_cast<float>(r.originX), y0 = static_cast<float>(r.originY);
      const auto x1 = static_cast<float>(r.originX + r.cellM * static_cast<double>(r.nx));
      const auto y1 = static_cast<float>(r.originY + r.cellM * static_cast<double>(r.ny));
      osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
      // one quad on flat ground; on terrain a grid that follows it
      const int nx = scene_.hasTerrain ? static_cast<int>(std::min<std::size_t>(r.nx, 64)) : 1;
      const int ny = scene_.hasTerrain ? static_cast<int>(std::min<std::size_t>(r.ny, 64)) : 1;
      osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
      osg::ref_ptr<osg::Vec2Array> t = new osg::Vec2Array;
      for (int j = 0; j <= ny; ++j) {
        for (int i = 0; i <= nx; ++i) {
          const float fx = static_cast<float>(i) / static_cast<float>(nx),
                      fy = static_cast<float>(j) / static_cast<float>(ny);
          const float x = x0 + (x1 - x0) * fx, y = y0 + (y1 - y0) * fy;
          v->push_back({x, y, lift + scene_.groundAt(x, y)});
          t->push_back({fx, fy});
        }
      }
      osg::ref_ptr<osg::DrawElementsUInt> idx = new osg::DrawElementsUInt(GL_TRIANGLES);
      for (int j = 0; j < ny; ++j) {
        for (int i = 0; i < nx; ++i) {
          const auto a = static_cast<unsigned>(j * (nx + 1) + i), b = a + 1,
                     d = a + static_cast<unsigned>(nx + 1), e = d + 1;
          for (unsigned q : {a, b, e, a, e, d})
            idx->push_back(q);
        }
      }
      osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;
      c->push_back({1.f, 1.f, 1.f, 1.f});
      g->setVertexArray(v);
      g->setTexCoordArray(0, t);
      g->setColorArray(c, osg::Array::BIND_OVERALL);
      g->addPrimitiveSet(idx);
      g->getOrCreateStateSet()->setTextureAttributeAndModes(0, tex);
      osg::ref_ptr<osg::Geode> geode = new osg::Geode;
      geode->addDrawable(g);
      overlays_->addChild(geode);
      lift += 0.1f;
    } else if (l->kind == core::LayerKind::GroundLines || l->kind == core::LayerKind::Points) {
      // lines as flat ribbons 6 m wide, points as 14 m squares, lifted above the roads
      osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
      osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
      osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;
      auto z = [&](double x, double y) {
        return lift + (scene_.hasTerrain ? scene_.groundAt(x, y) : 0.f);
      };
      auto quad = [&](osg::Vec3 a, osg::Vec3 b, osg::Vec3 cc, osg::Vec3 d, const osg::Vec4& col) {
        for (const osg::Vec3& q : {a, b, cc, a, cc, d}) {
          v->push_back(q);
          c->push_back(col);
        }
      };
      if (l->kind == core::LayerKind::GroundLines) {
        constexpr double kHalf = 3.0;
        for (const core::GroundLine& ln : l->lines) {
          const osg::Vec4 col = colourOf(*l, ln.value, 0.9f);
          for (std::size_t k = 0; k + 3 < ln.xy.size(); k += 2) {
            const double x0 = ln.xy[k], y0 = ln.xy[k + 1], x1 = ln.xy[k + 2], y1 = ln.xy[k + 3];
            const double len = std::hypot(x1 - x0, y1 - y0);
            if (!(len > 1e-6))
              continue;
            const double nx = -(y1 - y0) / len * kHalf, ny = (x1 - x0) / len * kHalf;
            auto at = [&](double x, double y) {
              return osg::Vec3(static_cast<float>(x), static_cast<float>(y), z(x, y));
            };
            quad(at(x0 + nx, y0 + ny), at(x0 - nx, y0 - ny), at(x1 - nx, y1 - ny),
                 at(x1 + nx, y1 + ny), col);
          }
        }
      } else {
        constexpr double kHalf = 7.0;
        for (const core::GroundPoint& pt : l->points) {
          const osg::Vec4 col = colourOf(*l, pt.value, 0.95f);
          auto at = [&](double dx, double dy) {
            return osg::Vec3(static_cast<float>(pt.x + dx), static_cast<float>(pt.y + dy),
                             z(pt.x, pt.y));
          };
          quad(at(-kHalf, -kHalf), at(kHalf, -kHalf), at(kHalf, kHalf), at(-kHalf, kHalf), col);
        }
      }
      if (!v->empty()) {
        g->setVertexArray(v);
        g->setColorArray(c, osg::Array::BIND_PER_VERTEX);
        g->addPrimitiveSet(new osg::DrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(v->size())));
        g->setUseDisplayList(false);
        g->setUseVertexBufferObjects(true);
        osg::StateSet* ss = g->getOrCreateStateSet();
        ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
        ss->setMode(GL_CULL_FACE, osg::StateAttribute::OFF);
        ss->setMode(GL_BLEND, osg::StateAttribute::ON);
        ss->setRenderingHint(osg::StateSet::TRANSPARENT_BIN);
        osg::ref_ptr<osg::Geode> geode = new osg::Geode;
        geode->addDrawable(g);
        overlays_->addChild(geode);
      }
      lift += 0.1f;
    } else if (l->kind == core::LayerKind::Labels) {
      osg::ref_ptr<osg::Geode> geode = new osg::Geode;
      for (const core::Label& lb : l->labels) {
        osgText::Text* t = newText(18.f, {0.1f, 0.1f, 0.12f, 1.f}, true);
        t->setCharacterSizeMode(osgText::Text::SCREEN_COORDS);
        t->setAxisAlignment(osgText::Text::SCREEN);
        t->setAlignment(osgText::Text::CENTER_BOTTOM);
        t->setPosition({static_cast<float>(lb.x), static_cast<float>(lb.y),
                        static_cast<float>(lb.z) + scene_.groundAt(lb.x, lb.y)});
        t->setText(lb.text, osgText::String::ENCODING_UTF8);
        geode->addDrawable(t);
      }
      // labels last and on top of everything: never washed out by a translucent overlay
      osg::StateSet* ss = geode->getOrCreateStateSet();
      ss->setRenderBinDetails(20, "DepthSortedBin");
      ss->setMode(GL_DEPTH_TEST, osg::StateAttribute::OFF);
      overlays_->addChild(geode);
    }
  }
}

void DynamicLayers::updateLegend(const std::vector<const core::Layer*>& layers) {
  std::string key;
  for (const core::Layer* l : layers) {
    if (hasScale(*l)) {
      key += l->name + "|" + std::to_string(l->valueMin) + "|" + std::to_string(l->valueMax) + "|" +
             std::to_string(static_cast<int>(l->scale)) + ";";
    }
  }
  if (key == legendKey_)
    return;
  legendKey_ = key;
  legendHud_->removeChildren(0, legendHud_->getNumChildren());
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  const float size = std::clamp(static_cast<float>(height_) / 60.f, 9.f, 18.f);
  // wide enough for the longest title (DejaVu Sans: about 0.56 of the size per character)
  std::size_t longest = 0;
  for (const core::Layer* l : layers)
    if (hasScale(*l))
      longest = std::max(
          longest, l->title.size() + (l->unit.empty() || l->unit == "1" ? 0 : l->unit.size() + 3));
  const float barW = std::max(size * 12.f, size * 0.56f * static_cast<float>(longest)),
              barH = size * 0.8f;
  const float x0 = static_cast<float>(width_) - barW - size * 2.f;
  float y = size * 1.5f;
  // panels and bars first: the legend is drawn in the order it was built, without depth test
  osg::ref_ptr<osg::Geometry> bars = new osg::Geometry;
  geode->addDrawable(bars);
  osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
  osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;
  // a pale panel behind each entry, then the colour bar in 16 steps
  for (const core::Layer* l : layers) {
    if (!hasScale(*l))
      continue;
    const float panel[4] = {x0 - size * 0.6f, y - size * 1.5f, x0 + barW + size * 0.6f,
                            y + barH + size * 1.7f};
    for (const osg::Vec3& p :
         {osg::Vec3(panel[0], panel[1], -0.6f), osg::Vec3(panel[2], panel[1], -0.6f),
          osg::Vec3(panel[2], panel[3], -0.6f), osg::Vec3(panel[0], panel[3], -0.6f)}) {
      v->push_back(p);
      c->push_back({1.f, 1.f, 1.f, 0.78f});
    }
    constexpr int kSteps = 16;
    for (int s = 0; s < kSteps; ++s) {
      const float a = x0 + barW * static_cast<float>(s) / kSteps;
      const float b = x0 + barW * static_cast<float>(s + 1) / kSteps;
      const osg::Vec4 ca =
          colourOf(*l, l->valueMin + (l->valueMax - l->valueMin) * s / static_cast<double>(kSteps));
      const osg::Vec4 cb = colourOf(
          *l, l->valueMin + (l->valueMax - l->valueMin) * (s + 1) / static_cast<double>(kSteps));
      v->push_back({a, y, -0.5f});
      c->push_back(ca);
      v->push_back({b, y, -0.5f});
      c->push_back(cb);
      v->push_back({b, y + barH, -0.5f});
      c->push_back(cb);
      v->push_back({a, y + barH, -0.5f});
      c->push_back(ca);
    }
    auto number = [](double x) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.4g", x);
      return std::string(buf);
    };
    osgText::Text* title = newText(size, {0.12f, 0.12f, 0.14f, 1.f}, false);
    title->setPosition({x0, y + barH + size * 0.4f, 0.f});
    title->setText(l->title + (l->unit.empty() || l->unit == "1" ? "" : " (" + l->unit + ")"),
                   osgText::String::ENCODING_UTF8);
    geode->addDrawable(title);
    osgText::Text* lo = newText(size * 0.8f, {0.12f, 0.12f, 0.14f, 1.f}, false);
    lo->setPosition({x0, y - size * 1.1f, 0.f});
    lo->setText(number(l->valueMin));
    geode->addDrawable(lo);
    osgText::Text* hi = newText(size * 0.8f, {0.12f, 0.12f, 0.14f, 1.f}, false);
    hi->setAlignment(osgText::Text::RIGHT_BASE_LINE);
    hi->setPosition({x0 + barW, y - size * 1.1f, 0.f});
    hi->setText(number(l->valueMax));
    geode->addDrawable(hi);
    y += barH + size * 3.8f;
  }
  if (v->empty())
    return;
  bars->setVertexArray(v);
  bars->setColorArray(c, osg::Array::BIND_PER_VERTEX);
  bars->addPrimitiveSet(new osg::DrawArrays(GL_QUADS, 0, static_cast<GLsizei>(v->size())));
  bars->getOrCreateStateSet()->setMode(GL_BLEND, osg::StateAttribute::ON);
  legendHud_->addChild(geode);
}

}  // namespace twin::render::detail
