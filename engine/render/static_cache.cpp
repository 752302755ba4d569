// SPDX-License-Identifier: Apache-2.0
// The static city kept between frames: after a frame that drew it, its colour and depth buffers
// are copied into a framebuffer object; while the view and the city's colours stay the same, the
// next frames copy them back instead of drawing the city again, then draw the dynamic layers
// over them. On llvmpipe the city costs about 45 ms of single-threaded vertex and set-up work a
// frame at 1920x1080 (Aachen); the two copies cost a few milliseconds.
#include <osg/Drawable>
#include <osg/GLExtensions>
#include <osg/NodeVisitor>
#include <osg/State>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "render/detail/scene.hpp"

namespace twin::render::detail {
namespace {

// GL 3.0 names (the compatibility headers may lack them)
constexpr GLenum kReadFramebuffer = 0x8CA8, kDrawFramebuffer = 0x8CA9,
                 kReadFramebufferBinding = 0x8CAA, kDrawFramebufferBinding = 0x8CA6,
                 kFramebuffer = 0x8D40, kRenderbuffer = 0x8D41, kColorAttachment0 = 0x8CE0,
                 kDepthAttachment = 0x8D00, kDepthStencilAttachment = 0x821A,
                 kFramebufferComplete = 0x8CD5, kDepth24Stencil8 = 0x88F0, kRgba8 = 0x8058,
                 kRgb8 = 0x8051, kDepthComponent16 = 0x81A5, kDepthComponent24 = 0x81A6,
                 kDepthComponent32 = 0x81A7, kSamples = 0x80A9;

// A drawable without geometry whose draw runs `fn` (in a render bin of its own).
class Step : public osg::Drawable {
 public:
  using Fn = void (*)(StaticCache&, osg::RenderInfo&);
  Step() = default;
  Step(StaticCache* cache, Fn fn) : cache_(cache), fn_(fn) {
    setCullingActive(false);  // no bound: never culled, no part in the near/far planes
    setUseDisplayList(false);
  }
  Step(const Step& o, const osg::CopyOp& op = osg::CopyOp::SHALLOW_COPY)
      : osg::Drawable(o, op), cache_(o.cache_), fn_(o.fn_) {}
  META_Object(twin, Step) void drawImplementation(osg::RenderInfo& ri) const override {
    if (cache_ != nullptr && fn_ != nullptr)
      fn_(*cache_, ri);
  }

 private:
  StaticCache* cache_ = nullptr;
  Fn fn_ = nullptr;
};

// skips the static city's drawables on frames that copy it back
class SkipWhenRestored : public osg::Drawable::DrawCallback {
 public:
  explicit SkipWhenRestored(const StaticCache* cache) : cache_(cache) {}
  void drawImplementation(osg::RenderInfo& ri, const osg::Drawable* d) const override {
    if (!cache_->restoring())
      d->drawImplementation(ri);
  }

 private:
  const StaticCache* cache_;
};

}  // namespace

struct StaticCache::Gl {
  GLuint fbo = 0, colour = 0, depth = 0;
  int width = 0, height = 0, samples = 0;
  GLenum depthBits = 0;  // GL_DEPTH_BUFFER_BIT or with GL_STENCIL_BUFFER_BIT
};

StaticCache::StaticCache() : gl_(std::make_unique<Gl>()) {}
StaticCache::~StaticCache() = default;

void StaticCache::attach(osg::Group& root, osg::Group& city) {
  // the city in a render bin before everything else, this cache's steps around it
  city.getOrCreateStateSet()->setRenderBinDetails(-2, "RenderBin");
  struct Visit : osg::NodeVisitor {
    explicit Visit(const StaticCache* c) : osg::NodeVisitor(TRAVERSE_ALL_CHILDREN), cache(c) {}
    void apply(osg::Drawable& d) override { d.setDrawCallback(new SkipWhenRestored(cache)); }
    const StaticCache* cache;
  } visit(this);
  city.accept(visit);
  osg::ref_ptr<Step> before =
      new Step(this, [](StaticCache& c, osg::RenderInfo& ri) { c.beforeCity(ri); });
  before->getOrCreateStateSet()->setRenderBinDetails(-3, "RenderBin");
  osg::ref_ptr<Step> after =
      new Step(this, [](StaticCache& c, osg::RenderInfo& ri) { c.afterCity(ri); });
  after->getOrCreateStateSet()->setRenderBinDetails(-1, "RenderBin");
  root.addChild(before);
  root.addChild(after);
}

void StaticCache::beforeCity(osg::RenderInfo& ri) {
  osg::State& state = *ri.getState();
  GLint viewport[4] = {0, 0, 0, 0};
  glGetIntegerv(GL_VIEWPORT, viewport);
  pending_ = {state.getModelViewMatrix(),
              state.getProjectionMatrix(),
              {viewport[0], viewport[1], viewport[2], viewport[3]},
              version_};
  restoring_ = enabled_ && !broken_ && valid_ && pending_.same(saved_);
  if (!restoring_)
    return;
  if (!blit(ri, false)) {
    restoring_ = false;  // the city is drawn after all
    return;
  }
  ++restored_;
}

void StaticCache::afterCity(osg::RenderInfo& ri) {
  if (restoring_)
    return;
  ++drawn_;
  if (!enabled_ || broken_)
    return;
  // kept once the view has come to rest (the same as the frame before): a camera in motion
  // would save an image every frame that no frame uses
  const bool resting = pending_.same(previous_);
  previous_ = pending_;
  if (!resting)
    return;
  valid_ = blit(ri, true);
  if (valid_)
    saved_ = pending_;
}

bool StaticCache::Key::same(const Key& o) const {
  // the projection's near and far planes come from the bounds of what is drawn, the moving
  // layers' too: the same planes found another way differ in the last bits (1e-13). Up to 1e-9
  // they are the same (a 24-bit depth buffer resolves 6e-8).
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      const double a = projection(i, j), b = o.projection(i, j);
      if (std::abs(a - b) > 1e-9 * std::max(std::abs(a), std::abs(b)))
        return false;
    }
  }
  return view == o.view && viewport == o.viewport && version == o.version;
}

bool StaticCache::blit(osg::RenderInfo& ri, bool save) {
  osg::GLExtensions* ext = ri.getState()->get<osg::GLExtensions>();
  if (ext == nullptr || !ext->isFrameBufferObjectSupported || ext->glBlitFramebuffer == nullptr ||
      ext->glRenderbufferStorageMultisample == nullptr) {
    broken_ = true;
    return false;
  }
  while (glGetError() != GL_NO_ERROR) {
  }
  GLint readBound = 0, drawBound = 0;
  glGetIntegerv(kReadFramebufferBinding, &readBound);
  glGetIntegerv(kDrawFramebufferBinding, &drawBound);
  const int x = pending_.viewport[0], y = pending_.viewport[1];
  const int w = pending_.viewport[2], h = pending_.viewport[3];
  Gl& g = *gl_;
  if (save && (g.fbo == 0 || g.width != x + w || g.height != y + h)) {
    // buffers like the target's: the same samples and formats, as a multisample copy needs
    GLint samples = 0, alpha = 0, depth = 0, stencil = 0;
    glGetIntegerv(kSamples, &samples);
    glGetIntegerv(GL_ALPHA_BITS, &alpha);
    glGetIntegerv(GL_DEPTH_BITS, &depth);
    glGetIntegerv(GL_STENCIL_BITS, &stencil);
    if (g.fbo != 0) {
      ext->glDeleteFramebuffers(1, &g.fbo);
      ext->glDeleteRenderbuffers(1, &g.colour);
      ext->glDeleteRenderbuffers(1, &g.depth);
    }
    g = Gl{};
    g.width = x + w;
    g.height = y + h;
    g.samples = samples;
    const GLenum depthFormat = stencil > 0   ? kDepth24Stencil8
                               : depth >= 32 ? kDepthComponent32
                               : depth <= 16 ? kDepthComponent16
                                             : kDepthComponent24;
    g.depthBits = GL_DEPTH_BUFFER_BIT | (stencil > 0 ? GL_STENCIL_BUFFER_BIT : 0u);
    ext->glGenFramebuffers(1, &g.fbo);
    ext->glGenRenderbuffers(1, &g.colour);
    ext->glGenRenderbuffers(1, &g.depth);
    ext->glBindFramebuffer(kFramebuffer, g.fbo);
    ext->glBindRenderbuffer(kRenderbuffer, g.colour);
    ext->glRenderbufferStorageMultisample(kRenderbuffer, samples, alpha > 0 ? kRgba8 : kRgb8,
                                          g.width, g.height);
    ext->glFramebufferRenderbuffer(kFramebuffer, kColorAttachment0, kRenderbuffer, g.colour);
    ext->glBindRenderbuffer(kRenderbuffer, g.depth);
    ext->glRenderbufferStorageMultisample(kRenderbuffer, samples, depthFormat, g.width, g.height);
    ext->glFramebufferRenderbuffer(kFramebuffer,
                                   stencil > 0 ? kDepthStencilAttachment : kDepthAttachment,
                                   kRenderbuffer, g.depth);
    ext->glBindRenderbuffer(kRenderbuffer, 0);
    glReadBuffer(kColorAttachment0);
    glDrawBuffer(kColorAttachment0);
    const bool complete = ext->glCheckFramebufferStatus(kFramebuffer) == kFramebufferComplete;
    ext->glBindFramebuffer(kReadFramebuffer, static_cast<GLuint>(readBound));
    ext->glBindFramebuffer(kDrawFramebuffer, static_cast<GLuint>(drawBound));
    if (!complete) {
      broken_ = true;
      return false;
    }
  }
  if (g.fbo == 0)
    return false;
  const GLboolean scissor = glIsEnabled(GL_SCISSOR_TEST);
  if (scissor)
    glDisable(GL_SCISSOR_TEST);
  const GLuint target = static_cast<GLuint>(drawBound);
  ext->glBindFramebuffer(kReadFramebuffer, save ? target : g.fbo);
  ext->glBindFramebuffer(kDrawFramebuffer, save ? g.fbo : target);
  ext->glBlitFramebuffer(x, y, x + w, y + h, x, y, x + w, y + h, GL_COLOR_BUFFER_BIT | g.depthBits,
                         GL_NEAREST);
  const bool ok = glGetError() == GL_NO_ERROR;
  ext->glBindFramebuffer(kReadFramebuffer, static_cast<GLuint>(readBound));
  ext->glBindFramebuffer(kDrawFramebuffer, static_cast<GLuint>(drawBound));
  if (scissor)
    glEnable(GL_SCISSOR_TEST);
  if (!ok) {
    broken_ = true;  // formats the copy refuses: the city is drawn every frame from now on
    valid_ = false;
  }
  return ok;
}

}  // namespace twin::render::detail
