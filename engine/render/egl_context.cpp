// SPDX-License-Identifier: Apache-2.0
#include "render/egl_context.hpp"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/gl.h>

namespace twin::render::detail {

core::Result<std::unique_ptr<EglContext>> EglContext::create(int width, int height, int samples) {
  // the surfaceless platform (Mesa) needs no X server or Wayland (eglGetDisplay would try them);
  // NVIDIA's EGL offers no surfaceless platform but the device platform (EGL_EXT_platform_device),
  // which likewise renders into a pbuffer without a display server: tried second
  auto getPlatformDisplay = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
      eglGetProcAddress("eglGetPlatformDisplayEXT"));
  if (getPlatformDisplay == nullptr) {
    return core::fail(core::ErrorCode::Io,
                      "EGL has no eglGetPlatformDisplayEXT; install Mesa's EGL");
  }
  EGLDisplay display =
      getPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
  if (display != EGL_NO_DISPLAY && eglInitialize(display, nullptr, nullptr) != EGL_TRUE)
    display = EGL_NO_DISPLAY;
  if (display == EGL_NO_DISPLAY) {
    auto queryDevices =
        reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(eglGetProcAddress("eglQueryDevicesEXT"));
    EGLDeviceEXT devices[8];
    EGLint deviceCount = 0;
    if (queryDevices != nullptr && queryDevices(8, devices, &deviceCount) == EGL_TRUE) {
      for (EGLint i = 0; i < deviceCount && display == EGL_NO_DISPLAY; ++i) {
        display = getPlatformDisplay(EGL_PLATFORM_DEVICE_EXT, devices[i], nullptr);
        if (display != EGL_NO_DISPLAY && eglInitialize(display, nullptr, nullptr) != EGL_TRUE)
          display = EGL_NO_DISPLAY;
      }
    }
  }
  if (display == EGL_NO_DISPLAY) {
    return core::fail(core::ErrorCode::Io,
                      "cannot open an EGL display: neither Mesa's surfaceless platform nor an "
                      "EGL device (install Mesa's EGL: libegl-mesa0)");
  }
  auto ctx = std::unique_ptr<EglContext>(new EglContext());
  ctx->display_ = display;
  // RGB 8 bits (the first configs offered are 10-bit), depth 24, optionally multisampled
  for (int want : {samples, 0}) {
    const EGLint attribs[] = {EGL_SURFACE_TYPE,
                              EGL_PBUFFER_BIT,
                              EGL_RENDERABLE_TYPE,
                              EGL_OPENGL_BIT,
                              EGL_RED_SIZE,
                              8,
                              EGL_GREEN_SIZE,
                              8,
                              EGL_BLUE_SIZE,
                              8,
                              EGL_DEPTH_SIZE,
                              24,
                              EGL_SAMPLE_BUFFERS,
                              want > 0 ? 1 : 0,
                              EGL_SAMPLES,
                              want,
                              EGL_NONE};
    EGLConfig configs[64];
    EGLint count = 0;
    if (eglChooseConfig(display, attribs, configs, 64, &count) != EGL_TRUE || count == 0)
      continue;
    EGLConfig chosen = nullptr;
    for (EGLint i = 0; i < count && chosen == nullptr; ++i) {
      EGLint red = 0;
      eglGetConfigAttrib(display, configs[i], EGL_RED_SIZE, &red);
      if (red == 8)
        chosen = configs[i];
    }
    if (chosen == nullptr)
      continue;
    const EGLint pb[] = {EGL_WIDTH, width, EGL_HEIGHT, height, EGL_NONE};
    EGLSurface surface = eglCreatePbufferSurface(display, chosen, pb);
    if (surface == EGL_NO_SURFACE)
      continue;
    eglBindAPI(EGL_OPENGL_API);
    // no attributes: a compatibility context, which OSG's fixed-function path needs
    EGLContext context = eglCreateContext(display, chosen, EGL_NO_CONTEXT, nullptr);
    if (context == EGL_NO_CONTEXT) {
      eglDestroySurface(display, surface);
      continue;
    }
    if (eglMakeCurrent(display, surface, surface, context) != EGL_TRUE) {
      eglDestroyContext(display, context);
      eglDestroySurface(display, surface);
      continue;
    }
    ctx->surface_ = surface;
    ctx->context_ = context;
    ctx->samples_ = want;
    return ctx;
  }
  return core::fail(core::ErrorCode::Io, "no suitable EGL configuration (RGB8, depth 24, OpenGL)");
}

EglContext::~EglContext() {
  if (display_ == nullptr)
    return;
  eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  if (context_ != nullptr)
    eglDestroyContext(display_, context_);
  if (surface_ != nullptr)
    eglDestroySurface(display_, surface_);
  // the display stays initialised for the process: eglTerminate would unload Mesa's driver,
  // and what the driver keeps until exit would then show up as leaks in an unknown module
}

std::string EglContext::renderer() const {
  const auto* r = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  return r != nullptr ? r : "unknown";
}

}  // namespace twin::render::detail
