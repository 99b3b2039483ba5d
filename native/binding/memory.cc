// N-API glue for host DMA memory: allocHostMemory(size, huge) and freeHostMemory(bytes).
// The ArrayBuffer handed to JavaScript is external memory with no finalizer: releasing DMA memory is an
// explicit act (a device must be stopped first), and freeHostMemory detaches the buffer before unmapping
// so that stale typed arrays read as empty instead of touching unmapped memory. The buffer itself is the
// record of the region (binding/host_memory_registry.h): tsnic_sim, a separate shared object, checks it
// the same way.
#include <cstring>
#include <string>

#include "binding/addon.h"
#include "binding/host_memory_registry.h"
#include "memory/host_memory.h"

namespace tsnic {

static Napi::Value AllocHostMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsBoolean()) {
    throw MakeError(env, "ERR_INVALID_ARG", "allocHostMemory(size: number, huge: boolean)");
  }
  const double size = info[0].As<Napi::Number>().DoubleValue();
  if (!(size > 0) || size > 64.0 * 1024 * 1024 * 1024) {
    throw MakeError(env, "ERR_INVALID_ARG", "DMA region size must be between 1 byte and 64 GiB");
  }
  const bool huge = info[1].As<Napi::Boolean>().Value();
  HostMemory mem;
  const int err = HostMemoryAlloc(static_cast<size_t>(size), huge, &mem);
  if (err != 0) {
    if (huge && err == ENOMEM) {
      throw MakeError(env, "ERR_HUGEPAGES_EXHAUSTED",
                      "no free 2 MiB hugepages for a " + std::to_string(static_cast<size_t>(size)) +
                          "-byte DMA region: reserve more with `tsnic hugepages --pages N` "
                          "(or echo N > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)",
                      err, "mmap");
    }
    throw MakeError(env, "ERR_DMA_ALLOC", std::string("mmap of DMA memory failed: ") + strerror(err),
                    err, "mmap");
  }
  Napi::ArrayBuffer bytes = Napi::ArrayBuffer::New(env, mem.addr, mem.size);
  TagHostMemory(bytes, mem);
  Napi::Object result = Napi::Object::New(env);
  result.Set("bytes", bytes);
  result.Set("address", Napi::Number::New(env, static_cast<double>(reinterpret_cast<uintptr_t>(mem.addr))));
  result.Set("size", Napi::Number::New(env, static_cast<double>(mem.size)));
  result.Set("huge", Napi::Boolean::New(env, mem.huge));
  return result;
}

static Napi::Value FreeHostMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) {
    throw MakeError(env, "ERR_INVALID_ARG", "freeHostMemory(bytes: ArrayBuffer)");
  }
  Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
  if (!IsHostMemory(ab)) {
    throw MakeError(env, "ERR_INVALID_ARG", "freeHostMemory: buffer was not allocated by allocHostMemory");
  }
  HostMemory mem;
  if (!LookupHostMemory(ab, &mem)) return env.Undefined();  // already released: idempotent
  ab.Detach();
  HostMemoryFree(mem);
  return env.Undefined();
}

void InitMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("allocHostMemory", Napi::Function::New(env, AllocHostMemory, "allocHostMemory"));
  exports.Set("freeHostMemory", Napi::Function::New(env, FreeHostMemory, "freeHostMemory"));
}

}  // namespace tsnic
