// SPDX-License-Identifier: Apache-2.0
// Rigid bodies stepped in exact fixed sub-steps: each sub-step is one call of Bullet's
// stepSimulation with maxSubSteps = 0 (one step of exactly the given length; Bullet's own
// accumulator would carry rounding remainders from one call to the next). Bullet integrates
// with semi-implicit (symplectic) Euler and resolves contacts with its sequential-impulse
// solver (Catto 2005), single-threaded, so the same calls give the same state.
#include "physics/body_world.hpp"

#include <BulletCollision/CollisionShapes/btBoxShape.h>
#include <BulletCollision/CollisionShapes/btCylinderShape.h>
#include <BulletCollision/CollisionShapes/btSphereShape.h>
#include <BulletCollision/CollisionShapes/btStaticPlaneShape.h>
#include <BulletDynamics/ConstraintSolver/btSequentialImpulseConstraintSolver.h>
#include <BulletDynamics/Dynamics/btDiscreteDynamicsWorld.h>
#include <BulletDynamics/Dynamics/btRigidBody.h>
#include <btBulletCollisionCommon.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "physics/ray_world_impl.hpp"

namespace twin::physics {
namespace {

constexpr double kGravity = 9.80665;  // standard gravity (CGPM 1901)

btScalar bt(double v) {
  return static_cast<btScalar>(v);
}

bool finite(std::initializer_list<double> values) {
  for (double v : values) {
    if (!std::isfinite(v))
      return false;
  }
  return true;
}

core::Status noBody(std::int64_t id) {
  return core::fail(core::ErrorCode::BadInput, "no rigid body with id " + std::to_string(id));
}

}  // namespace

class BulletBodyWorld final : public core::BodyWorld {
 public:
  explicit BulletBodyWorld(const RayWorld& city)
      : dispatcher_(&config_), world_(&dispatcher_, &broadphase_, &solver_, &config_) {
    world_.setGravity(btVector3(0, 0, bt(-kGravity)));
    // the city's BVH is only read by the narrow phase (processAllTriangles), so instances share
    // it; the collision object is this world's own
    cityObject_.setCollisionShape(city.impl_->shape.get());
    cityObject_.setFriction(0.8f);
    world_.addCollisionObject(&cityObject_, btBroadphaseProxy::StaticFilter,
                              btBroadphaseProxy::AllFilter ^ btBroadphaseProxy::StaticFilter);
    // a floor at the lowest point of the city: the ground of a city without a DEM (its
    // buildings stand on z = 0), below the terrain of one with a DEM
    floorObject_.setCollisionShape(&floor_);
    btTransform t = btTransform::getIdentity();
    t.setOrigin(btVector3(0, 0, std::min(0.0f, city.bounds()[2])));
    floorObject_.setWorldTransform(t);
    floorObject_.setFriction(0.8f);
    world_.addCollisionObject(&floorObject_, btBroadphaseProxy::StaticFilter,
                              btBroadphaseProxy::AllFilter ^ btBroadphaseProxy::StaticFilter);
  }
  ~BulletBodyWorld() override {
    for (auto& [id, b] : bodies_)
      world_.removeRigidBody(b.body.get());
    world_.removeCollisionObject(&floorObject_);
    world_.removeCollisionObject(&cityObject_);
  }
  BulletBodyWorld(const BulletBodyWorld&) = delete;
  BulletBodyWorld& operator=(const BulletBodyWorld&) = delete;

  core::Result<std::int64_t> add(const core::BodyDesc& d) override {
    if (!finite({d.sx, d.sy, d.sz, d.massKg, d.x, d.y, d.z, d.headingRad, d.vx, d.vy, d.vz,
                 d.linearDamping, d.angularDamping, d.friction, d.restitution}))
      return core::fail(core::ErrorCode::BadInput, "rigid body: a value is not finite");
    if (!(d.massKg > 0))
      return core::fail(core::ErrorCode::BadInput, "rigid body: the mass must be above 0 kg");
    if (!(d.sx > 0) || (d.shape != 0 && !(d.sz > 0)) || (d.shape == 1 && !(d.sy > 0)))
      return core::fail(core::ErrorCode::BadInput, "rigid body: its size must be above 0 m");
    if (d.linearDamping < 0 || d.linearDamping > 1 || d.angularDamping < 0 || d.angularDamping > 1)
      return core::fail(core::ErrorCode::BadInput, "rigid body: damping must be within 0..1");
    Body b;
    switch (d.shape) {
      case 0:
        b.shape = std::make_unique<btSphereShape>(bt(d.sx));
        break;
      case 1:
        b.shape = std::make_unique<btBoxShape>(btVector3(bt(d.sx), bt(d.sy), bt(d.sz)));
        break;
      case 2:
        b.shape = std::make_unique<btCylinderShapeZ>(btVector3(bt(d.sx), bt(d.sx), bt(d.sz)));
        break;
      default:
        return core::fail(core::ErrorCode::BadInput, "rigid body: unknown shape " +
                                                         std::to_string(d.shape) +
                                                         " (0 sphere, 1 box, 2 cylinder)");
    }
    btVector3 inertia(0, 0, 0);
    b.shape->calculateLocalInertia(bt(d.massKg), inertia);
    btRigidBody::btRigidBodyConstructionInfo info(bt(d.massKg), nullptr, b.shape.get(), inertia);
    info.m_linearDamping = bt(d.linearDamping);
    info.m_angularDamping = bt(d.angularDamping);
    info.m_friction = bt(d.friction);
    info.m_restitution = bt(d.restitution);
    btTransform t = btTransform::getIdentity();
    t.setOrigin(btVector3(bt(d.x), bt(d.y), bt(d.z)));
    t.setRotation(btQuaternion(btVector3(0, 0, 1), bt(d.headingRad)));
    info.m_startWorldTransform = t;
    b.body = std::make_unique<btRigidBody>(info);
    b.body->setLinearVelocity(btVector3(bt(d.vx), bt(d.vy), bt(d.vz)));
    b.body->setActivationState(DISABLE_DEACTIVATION);
    if (d.lockRotation)
      b.body->setAngularFactor(0);
    if (!d.gravity)
      b.body->setFlags(b.body->getFlags() | BT_DISABLE_WORLD_GRAVITY);
    const std::int64_t id = nextId_++;
    b.body->setUserIndex(static_cast<int>(id & 0x7fffffff));
    world_.addRigidBody(b.body.get());
    if (!d.gravity)
      b.body->setGravity(btVector3(0, 0, 0));
    bodies_.emplace(id, std::move(b));
    return id;
  }

  core::Status remove(std::int64_t id) override {
    auto it = bodies_.find(id);
    if (it == bodies_.end())
      return noBody(id);
    world_.removeRigidBody(it->second.body.get());
    bodies_.erase(it);
    return {};
  }

  core::Status setForce(std::int64_t id, const double force[3], const double torque[3]) override {
    auto it = bodies_.find(id);
    if (it == bodies_.end())
      return noBody(id);
    if (!finite({force[0], force[1], force[2], torque[0], torque[1], torque[2]}))
      return core::fail(core::ErrorCode::BadInput, "rigid body: a force is not finite");
    it->second.force = btVector3(bt(force[0]), bt(force[1]), bt(force[2]));
    it->second.torque = btVector3(bt(torque[0]), bt(torque[1]), bt(torque[2]));
    return {};
  }

  core::Status get(std::int64_t id, core::BodyState& s) const override {
    auto it = bodies_.find(id);
    if (it == bodies_.end())
      return noBody(id);
    const btRigidBody& r = *it->second.body;
    const btTransform& t = r.getWorldTransform();
    const btQuaternion q = t.getRotation();
    s.x = t.getOrigin().x();
    s.y = t.getOrigin().y();
    s.z = t.getOrigin().z();
    s.qx = q.x();
    s.qy = q.y();
    s.qz = q.z();
    s.qw = q.w();
    s.vx = r.getLinearVelocity().x();
    s.vy = r.getLinearVelocity().y();
    s.vz = r.getLinearVelocity().z();
    s.wx = r.getAngularVelocity().x();
    s.wy = r.getAngularVelocity().y();
    s.wz = r.getAngularVelocity().z();
    s.contact = it->second.contact;
    s.contacts = it->second.contacts;
    return {};
  }

  core::Status set(std::int64_t id, const core::BodyState& s) override {
    auto it = bodies_.find(id);
    if (it == bodies_.end())
      return noBody(id);
    if (!finite({s.x, s.y, s.z, s.qx, s.qy, s.qz, s.qw, s.vx, s.vy, s.vz, s.wx, s.wy, s.wz}))
      return core::fail(core::ErrorCode::BadInput, "rigid body: a state value is not finite");
    btRigidBody& r = *it->second.body;
    btTransform t = btTransform::getIdentity();
    t.setOrigin(btVector3(bt(s.x), bt(s.y), bt(s.z)));
    t.setRotation(btQuaternion(bt(s.qx), bt(s.qy), bt(s.qz), bt(s.qw)));
    r.setWorldTransform(t);
    r.setInterpolationWorldTransform(t);
    r.setLinearVelocity(btVector3(bt(s.vx), bt(s.vy), bt(s.vz)));
    r.setAngularVelocity(btVector3(bt(s.wx), bt(s.wy), bt(s.wz)));
    r.setInterpolationLinearVelocity(r.getLinearVelocity());
    r.setInterpolationAngularVelocity(r.getAngularVelocity());
    it->second.contact = s.contact;
    it->second.contacts = s.contacts;
    world_.updateSingleAabb(&r);
    return {};
  }

  core::Status step(double dtS, double substepS,
                    const std::function<void(std::int64_t)>& beforeSubstep) override {
    if (!std::isfinite(dtS) || !std::isfinite(substepS) || !(substepS > 0) || dtS < 0)
      return core::fail(core::ErrorCode::BadInput,
                        "rigid bodies: the step and sub-step must be finite, the sub-step > 0");
    const double n = std::round(dtS / substepS);
    if (std::abs(n * substepS - dtS) > 1e-9 * std::max(1.0, dtS) || n > 1e7)
      return core::fail(core::ErrorCode::BadInput,
                        "rigid bodies: the step (" + std::to_string(dtS) +
                            " s) is not a whole number of sub-steps of " +
                            std::to_string(substepS) + " s");
    const auto count = static_cast<std::int64_t>(n);
    for (std::int64_t k = 0; k < count; ++k) {
      if (beforeSubstep)
        beforeSubstep(k);
      for (auto& [id, b] : bodies_) {
        b.body->applyCentralForce(b.force);
        b.body->applyTorque(b.torque);
      }
      world_.stepSimulation(bt(substepS), 0, bt(substepS));
      updateContacts();
    }
    return {};
  }

  std::size_t bodyCount() const override { return bodies_.size(); }

 private:
  struct Body {
    std::unique_ptr<btCollisionShape> shape;
    std::unique_ptr<btRigidBody> body;
    btVector3 force{0, 0, 0}, torque{0, 0, 0};
    bool contact = false;
    std::int64_t contacts = 0;
  };

  // a body is in contact when one of its manifolds holds a point at or below 1 cm distance
  void updateContacts() {
    for (auto& [id, b] : bodies_)
      b.contact = false;
    const int manifolds = dispatcher_.getNumManifolds();
    for (int i = 0; i < manifolds; ++i) {
      const btPersistentManifold* m = dispatcher_.getManifoldByIndexInternal(i);
      bool touching = false;
      for (int c = 0; c < m->getNumContacts() && !touching; ++c)
        touching = m->getContactPoint(c).getDistance() <= 0.01f;
      if (!touching)
        continue;
      for (const btCollisionObject* o : {m->getBody0(), m->getBody1()}) {
        if (o == &cityObject_ || o == &floorObject_)
          continue;
        auto it = bodies_.find(o->getUserIndex());
        if (it != bodies_.end())
          it->second.contact = true;
      }
    }
    for (auto& [id, b] : bodies_) {
      if (b.contact)
        ++b.contacts;
    }
  }

  btDefaultCollisionConfiguration config_;
  btCollisionDispatcher dispatcher_;
  btDbvtBroadphase broadphase_;
  btSequentialImpulseConstraintSolver solver_;
  btDiscreteDynamicsWorld world_;
  btCollisionObject cityObject_;
  btStaticPlaneShape floor_{btVector3(0, 0, 1), 0};
  btCollisionObject floorObject_;
  std::map<std::int64_t, Body> bodies_;
  std::int64_t nextId_ = 0;
};

std::unique_ptr<core::BodyWorld> newBodyWorld(const RayWorld& city) {
  return std::make_unique<BulletBodyWorld>(city);
}

}  // namespace twin::physics
