// Interrupt eventfds watched on Node's own libuv loop, shared by both addons (vfio.cc hands the fds to
// VFIO_DEVICE_SET_IRQS, sim.cc to the simulated card). One uv_poll_t per eventfd: when a vector's
// eventfd becomes readable its counter is read (which zeroes it) and the JavaScript callback runs with
// the vector number. Thin on purpose: what a vector means and when to arm it is TypeScript's business.
// The poll handles do not keep the event loop alive unless SetRef(true) (a waiter exists), so a process
// with interrupts set up but nothing waiting still exits.
#pragma once
#include <napi.h>
#include <uv.h>

#include <string>
#include <vector>

namespace tsnic {

class IrqWatcher {
 public:
  // Creates `count` eventfds (non-blocking, close-on-exec) and starts watching them; nullptr and
  // `*error` (errno in `*err`) when eventfd or uv_poll_init fails.
  static IrqWatcher* Create(Napi::Env env, uint32_t count, Napi::Function callback, std::string* error, int* err);
  // The eventfds, vector 0 first.
  const std::vector<int>& fds() const { return fds_; }
  // Keeps (true) or releases (false) the event loop while vectors are armed and someone waits.
  void SetRef(bool on);
  // Stops watching, closes the eventfds and frees the watcher (its handles are freed once libuv closed
  // them). Call after the interrupt source stopped signalling the fds.
  void Destroy();

 private:
  struct Poll {
    uv_poll_t handle;
    IrqWatcher* owner;
    uint32_t vector;
  };
  IrqWatcher(Napi::Env env, Napi::Function callback);
  static void OnReadable(uv_poll_t* handle, int status, int events);
  void Fire(uint32_t vector);

  Napi::Env env_;
  Napi::FunctionReference callback_;
  Napi::AsyncContext context_;
  std::vector<int> fds_;
  std::vector<Poll*> polls_;
  bool ref_ = false;
};

}  // namespace tsnic
