// SPDX-License-Identifier: Apache-2.0
// An off-screen OpenGL context without any window system (EGL "surfaceless", PLATFORM.md §4).
#pragma once

#include <memory>
#include <string>

#include "core/status.hpp"

namespace twin::render::detail {

class EglContext {
 public:
  // A compatibility-profile OpenGL context with a width x height pbuffer, made current on the
  // calling thread. `samples` > 0 asks for multisampling and falls back to none.
  static core::Result<std::unique_ptr<EglContext>> create(int width, int height, int samples);
  ~EglContext();
  EglContext(const EglContext&) = delete;
  EglContext& operator=(const EglContext&) = delete;
  int samples() const { return samples_; }
  std::string renderer() const;

 private:
  EglContext() = default;
  void* display_ = nullptr;
  void* surface_ = nullptr;
  void* context_ = nullptr;
  int samples_ = 0;
};

}  // namespace twin::render::detail
