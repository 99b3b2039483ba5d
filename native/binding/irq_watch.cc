#include "binding/irq_watch.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tsnic {

IrqWatcher::IrqWatcher(Napi::Env env, Napi::Function callback)
    : env_(env), callback_(Napi::Persistent(callback)), context_(env, "tsnic:interrupt") {}

IrqWatcher* IrqWatcher::Create(Napi::Env env, uint32_t count, Napi::Function callback, std::string* error, int* err) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    *error = "no libuv event loop for this Node.js environment";
    *err = 0;
    return nullptr;
  }
  IrqWatcher* w = new IrqWatcher(env, callback);
  for (uint32_t v = 0; v < count; v++) {
    const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
      *err = errno;
      *error = std::string("eventfd failed (") + strerror(*err) + ")";
      w->Destroy();
      return nullptr;
    }
    w->fds_.push_back(fd);
    Poll* p = new Poll{{}, w, v};
    const int rc = uv_poll_init(loop, &p->handle, fd);
    if (rc != 0) {
      delete p;
      *err = -rc;
      *error = std::string("uv_poll_init on an eventfd failed (") + uv_strerror(rc) + ")";
      w->Destroy();
      return nullptr;
    }
    p->handle.data = p;
    uv_unref(reinterpret_cast<uv_handle_t*>(&p->handle));
    uv_poll_start(&p->handle, UV_READABLE, OnReadable);
    w->polls_.push_back(p);
  }
  return w;
}

void IrqWatcher::SetRef(bool on) {
  if (on == ref_) return;
  ref_ = on;
  for (Poll* p : polls_) {
    uv_handle_t* h = reinterpret_cast<uv_handle_t*>(&p->handle);
    if (on) uv_ref(h);
    else uv_unref(h);
  }
}

void IrqWatcher::OnReadable(uv_poll_t* handle, int status, int /*events*/) {
  Poll* p = static_cast<Poll*>(handle->data);
  if (status < 0) return;
  uint64_t n = 0;
  // Reading zeroes the counter: several firings since the last look are one wake-up.
  if (read(p->owner->fds_[p->vector], &n, sizeof n) != sizeof n) return;
  p->owner->Fire(p->vector);
}

void IrqWatcher::Fire(uint32_t vector) {
  Napi::HandleScope scope(env_);
  try {
    // MakeCallback: promise continuations resolved by the callback run before control returns to libuv.
    callback_.MakeCallback(env_.Global(), {Napi::Number::New(env_, vector)}, context_);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(env_, e.Value());
  }
}

void IrqWatcher::Destroy() {
  for (Poll* p : polls_) {
    uv_poll_stop(&p->handle);
    uv_close(reinterpret_cast<uv_handle_t*>(&p->handle), [](uv_handle_t* h) { delete static_cast<Poll*>(h->data); });
  }
  polls_.clear();
  for (int fd : fds_) close(fd);
  fds_.clear();
  delete this;
}

}  // namespace tsnic
