// SPDX-License-Identifier: Apache-2.0
#include "physics/ray_world.hpp"

#include "physics/ray_world_impl.hpp"

#include <BulletCollision/CollisionShapes/btSphereShape.h>
#include <BulletCollision/NarrowPhaseCollision/btRaycastCallback.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace twin::physics {
namespace {

constexpr std::size_t kBlock = 2048;  // rays per parallel work item

// any hit: the first reported triangle ends the walk (returning 0 shrinks the ray to nothing)
struct AnyHitCallback final : btTriangleRaycastCallback {
  AnyHitCallback(const btVector3& from, const btVector3& to)
      : btTriangleRaycastCallback(from, to, 0) {}
  btScalar reportHit(const btVector3&, btScalar, int, int) override {
    hit = true;
    return 0;
  }
  bool hit = false;
};

// closest contact of a swept convex shape: every report shrinks the sweep to the contact
struct SweepCallback final : btTriangleConvexcastCallback {
  SweepCallback(const btConvexShape* shape, const btTransform& from, const btTransform& to)
      : btTriangleConvexcastCallback(shape, from, to, btTransform::getIdentity(), 0) {}
  btScalar reportHit(const btVector3& normal, const btVector3&, btScalar fraction, int,
                     int triangle) override {
    if (fraction < best) {
      best = fraction;
      tri = triangle;
      n = normal;
    }
    return fraction;
  }
  btScalar best = 2;
  int tri = -1;
  btVector3 n{0, 0, 0};
};

// closest hit: every report shrinks the ray to the hit
struct ClosestCallback final : btTriangleRaycastCallback {
  ClosestCallback(const btVector3& from, const btVector3& to)
      : btTriangleRaycastCallback(from, to, 0) {}
  btScalar reportHit(const btVector3& normal, btScalar fraction, int, int triangle) override {
    if (fraction < best) {
      best = fraction;
      tri = triangle;
      n = normal;
    }
    return fraction;
  }
  btScalar best = 2;
  int tri = -1;
  btVector3 n{0, 0, 0};
};

// calls block(b) for every block of kBlock rays, in parallel over `executor` when there are
// several (each block writes only its own results)
template <class Block>
void forBlocks(std::size_t rays, core::Executor* executor, const Block& block) {
  const std::size_t blocks = (rays + kBlock - 1) / kBlock;
  if (executor != nullptr && blocks > 1) {
    executor->parallelFor(blocks, block);
  } else {
    for (std::size_t b = 0; b < blocks; ++b)
      block(b);
  }
}

}  // namespace

RayWorld::RayWorld() : impl_(std::make_unique<Impl>()) {}
RayWorld::~RayWorld() = default;

core::Result<std::unique_ptr<RayWorld>> RayWorld::build(core::TriangleMesh mesh) {
  if (mesh.triangleCount() == 0)
    return core::fail(core::ErrorCode::BadInput, "ray world: no triangles");
  const std::size_t nv = mesh.vertexCount();
  for (std::uint32_t i : mesh.indices) {
    if (i >= nv)
      return core::fail(core::ErrorCode::BadInput, "ray world: a triangle index is out of range");
  }
  std::array<float, 6> box{1e30f, 1e30f, 1e30f, -1e30f, -1e30f, -1e30f};
  for (std::size_t i = 0; i < mesh.xyz.size(); ++i) {
    const float v = mesh.xyz[i];
    if (!std::isfinite(v))
      return core::fail(core::ErrorCode::BadInput, "ray world: a vertex is not finite");
    box[i % 3] = std::min(box[i % 3], v);
    box[3 + i % 3] = std::max(box[3 + i % 3], v);
  }
  std::unique_ptr<RayWorld> w(new RayWorld());
  Impl& m = *w->impl_;
  m.mesh = std::move(mesh);
  m.box = box;
  m.indices.assign(m.mesh.indices.begin(), m.mesh.indices.end());
  btIndexedMesh part;
  part.m_numTriangles = static_cast<int>(m.mesh.triangleCount());
  part.m_triangleIndexBase = reinterpret_cast<const unsigned char*>(m.indices.data());
  part.m_triangleIndexStride = 3 * static_cast<int>(sizeof(int));
  part.m_numVertices = static_cast<int>(m.mesh.vertexCount());
  part.m_vertexBase = reinterpret_cast<const unsigned char*>(m.mesh.xyz.data());
  part.m_vertexStride = 3 * static_cast<int>(sizeof(float));
  part.m_indexType = PHY_INTEGER;
  part.m_vertexType = PHY_FLOAT;
  m.array = std::make_unique<btTriangleIndexVertexArray>();
  m.array->addIndexedMesh(part, PHY_INTEGER);
  // quantized AABB compression: the compact stackless tree (Bullet's default for static meshes)
  m.shape = std::make_unique<btBvhTriangleMeshShape>(m.array.get(), true, true);
  return w;
}

void RayWorld::anyHit(std::span<const Ray> rays, std::span<std::uint8_t> blocked,
                      core::Executor* executor) const {
  btBvhTriangleMeshShape* shape = impl_->shape.get();  // performRaycast only reads the tree
  auto block = [&](std::size_t b) {
    const std::size_t end = std::min(rays.size(), (b + 1) * kBlock);
    for (std::size_t i = b * kBlock; i < end; ++i) {
      const Ray& r = rays[i];
      const btVector3 from(r.ox, r.oy, r.oz);
      const btVector3 to(r.ox + r.dx * r.maxT, r.oy + r.dy * r.maxT, r.oz + r.dz * r.maxT);
      AnyHitCallback cb(from, to);
      shape->performRaycast(&cb, from, to);
      blocked[i] = cb.hit ? 1 : 0;
    }
  };
  forBlocks(rays.size(), executor, block);
}

void RayWorld::closestHit(std::span<const Ray> rays, std::span<Hit> hits,
                          core::Executor* executor) const {
  const Impl& m = *impl_;
  auto block = [&](std::size_t b) {
    const std::size_t end = std::min(rays.size(), (b + 1) * kBlock);
    for (std::size_t i = b * kBlock; i < end; ++i) {
      const Ray& r = rays[i];
      const btVector3 from(r.ox, r.oy, r.oz);
      const btVector3 to(r.ox + r.dx * r.maxT, r.oy + r.dy * r.maxT, r.oz + r.dz * r.maxT);
      ClosestCallback cb(from, to);
      m.shape->performRaycast(&cb, from, to);
      Hit h;
      if (cb.tri >= 0 && cb.best <= 1) {
        h.hit = true;
        h.t = static_cast<float>(cb.best) * r.maxT;
        h.owner = m.mesh.owner[static_cast<std::size_t>(cb.tri)];
        btVector3 n = cb.n.normalized();
        if (n.dot(btVector3(r.dx, r.dy, r.dz)) > 0)
          n = -n;  // facing the origin
        h.nx = static_cast<float>(n.x());
        h.ny = static_cast<float>(n.y());
        h.nz = static_cast<float>(n.z());
      }
      hits[i] = h;
    }
  };
  forBlocks(rays.size(), executor, block);
}

void RayWorld::sweepSphere(std::span<const Ray> rays, std::span<const float> radius,
                           std::span<Hit> hits, core::Executor* executor) const {
  const Impl& m = *impl_;
  auto block = [&](std::size_t b) {
    const std::size_t end = std::min(rays.size(), (b + 1) * kBlock);
    for (std::size_t i = b * kBlock; i < end; ++i) {
      const Ray& r = rays[i];
      const btSphereShape sphere(radius[i]);
      btTransform from = btTransform::getIdentity(), to = btTransform::getIdentity();
      from.setOrigin(btVector3(r.ox, r.oy, r.oz));
      to.setOrigin(btVector3(r.ox + r.dx * r.maxT, r.oy + r.dy * r.maxT, r.oz + r.dz * r.maxT));
      SweepCallback cb(&sphere, from, to);
      cb.m_hitFraction = 1;
      const btVector3 half(radius[i], radius[i], radius[i]);
      m.shape->performConvexcast(&cb, from.getOrigin(), to.getOrigin(), -half, half);
      Hit h;
      if (cb.tri >= 0 && cb.best <= 1) {
        h.hit = true;
        h.t = static_cast<float>(cb.best) * r.maxT;
        h.owner = m.mesh.owner[static_cast<std::size_t>(cb.tri)];
        btVector3 n = cb.n.length2() > 0 ? cb.n.normalized() : btVector3(0, 0, 1);
        if (n.dot(btVector3(r.dx, r.dy, r.dz)) > 0)
          n = -n;
        h.nx = static_cast<float>(n.x());
        h.ny = static_cast<float>(n.y());
        h.nz = static_cast<float>(n.z());
      }
      hits[i] = h;
    }
  };
  forBlocks(rays.size(), executor, block);
}

std::size_t RayWorld::triangleCount() const {
  return impl_->mesh.triangleCount();
}

std::array<float, 6> RayWorld::bounds() const {
  return impl_->box;
}

}  // namespace twin::physics
