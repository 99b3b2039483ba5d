// N-API glue for native/vfio: vfioOpen, vfioReadConfig, vfioWriteConfig, vfioMapDma, vfioUnmapDma,
// vfioIrqInfo, vfioEnableIrqs, vfioUnmaskIntx, vfioIrqRef, vfioDisableIrqs, vfioClose. Interrupts: one
// eventfd per vector, watched on Node's loop (binding/irq_watch.h); vfioDisableIrqs and vfioClose turn
// the vectors off in the kernel before the eventfds are closed. lib/bus/vfio.ts checks sysfs (device
// exists, bound to vfio-pci, IOMMU group) before vfioOpen and gives these functions their typed face; here every argument is checked again so a wrong
// call throws ERR_INVALID_ARG instead of reaching an ioctl.
// BAR0 is handed out as an external ArrayBuffer without finalizer: vfioClose detaches it before
// unmapping, so stale typed arrays read as empty instead of touching unmapped memory.
#include <linux/vfio.h>

#include <map>
#include <string>

#include "binding/addon.h"
#include "binding/host_memory_registry.h"
#include "binding/irq_watch.h"
#include "vfio/vfio.h"

namespace tsnic {

static std::map<int, Napi::Reference<Napi::ArrayBuffer>> g_bar0;
static std::map<int, IrqWatcher*> g_irqs;  // by device handle: the eventfds of its enabled vectors

static Napi::Error ToError(Napi::Env env, const VfioStatus& s) {
  return MakeError(env, s.code, s.message, s.err, s.syscall);
}

static bool IsIntegerIn(const Napi::Value& v, double min, double max) {
  if (!v.IsNumber()) return false;
  const double d = v.As<Napi::Number>().DoubleValue();
  return d >= min && d <= max && d == static_cast<double>(static_cast<int64_t>(d));
}

static Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !IsIntegerIn(info[1], 0, 0x7fffffff)) {
    throw MakeError(env, "ERR_INVALID_ARG", "vfioOpen(address: string, iommuGroup: non-negative integer)");
  }
  const std::string address = info[0].As<Napi::String>().Utf8Value();
  // The kernel looks the device up by this exact name; anything else never reaches an ioctl.
  if (address.size() != 12 || address[4] != ':' || address[7] != ':' || address[10] != '.') {
    throw MakeError(env, "ERR_PCI_ADDRESS", "vfioOpen: \"" + address + "\" is not of the form 0000:03:00.0");
  }
  VfioDeviceInfo dev;
  const VfioStatus s = VfioOpenDevice(address, info[1].As<Napi::Number>().Int32Value(), &dev);
  if (!s.ok()) throw ToError(env, s);
  Napi::ArrayBuffer bar0 = Napi::ArrayBuffer::New(env, dev.bar0, dev.bar0_size);
  g_bar0.emplace(dev.handle, Napi::Persistent(bar0));
  Napi::Object result = Napi::Object::New(env);
  result.Set("handle", Napi::Number::New(env, dev.handle));
  result.Set("bar0", bar0);
  result.Set("configSize", Napi::Number::New(env, static_cast<double>(dev.config_size)));
  return result;
}

static void CheckConfigArgs(const Napi::CallbackInfo& info, size_t count, const char* usage) {
  bool ok = info.Length() >= count && IsIntegerIn(info[0], 1, 0x7fffffff) && IsIntegerIn(info[1], 0, 0xffff) &&
            IsIntegerIn(info[2], 1, 4) && info[2].As<Napi::Number>().Int32Value() != 3;
  if (ok && count == 4) ok = IsIntegerIn(info[3], 0, 0xffffffff);
  if (!ok) throw MakeError(info.Env(), "ERR_INVALID_ARG", usage);
}

static Napi::Value ReadConfig(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckConfigArgs(info, 3, "vfioReadConfig(handle: number, offset: number, width: 1 | 2 | 4)");
  uint32_t value = 0;
  const VfioStatus s = VfioConfigRead(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Uint32Value(),
                                      info[2].As<Napi::Number>().Uint32Value(), &value);
  if (!s.ok()) throw ToError(env, s);
  return Napi::Number::New(env, value);
}

static Napi::Value WriteConfig(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckConfigArgs(info, 4, "vfioWriteConfig(handle: number, offset: number, width: 1 | 2 | 4, value: number)");
  const VfioStatus s = VfioConfigWrite(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Uint32Value(),
                                       info[2].As<Napi::Number>().Uint32Value(),
                                       static_cast<uint32_t>(info[3].As<Napi::Number>().DoubleValue()));
  if (!s.ok()) throw ToError(env, s);
  return env.Undefined();
}

// The host memory region behind `value`, which must be a live buffer from allocHostMemory.
static HostMemory RegionOf(const Napi::CallbackInfo& info, const char* usage) {
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) throw MakeError(info.Env(), "ERR_INVALID_ARG", usage);
  Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
  HostMemory mem;
  if (!LookupHostMemory(ab, &mem)) {
    throw MakeError(info.Env(), "ERR_INVALID_ARG",
                    std::string(usage) + ": the buffer must be live memory from allocHostMemory");
  }
  return mem;
}

static Napi::Value MapDma(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const HostMemory mem = RegionOf(info, "vfioMapDma(bytes: ArrayBuffer)");
  uint64_t iova = 0;
  const VfioStatus s = VfioMapDma(mem.addr, mem.size, &iova);
  if (!s.ok()) throw ToError(env, s);
  return Napi::Number::New(env, static_cast<double>(iova));
}

static Napi::Value UnmapDma(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const HostMemory mem = RegionOf(info, "vfioUnmapDma(bytes: ArrayBuffer)");
  const VfioStatus s = VfioUnmapDma(mem.addr);
  if (!s.ok()) throw ToError(env, s);
  return env.Undefined();
}

static int HandleArg(const Napi::CallbackInfo& info, const char* usage) {
  if (info.Length() < 1 || !IsIntegerIn(info[0], 1, 0x7fffffff)) throw MakeError(info.Env(), "ERR_INVALID_ARG", usage);
  return info[0].As<Napi::Number>().Int32Value();
}

// Vectors off in the kernel, then the eventfds closed: nothing signals a closed fd.
static void DisableIrqs(int handle) {
  auto it = g_irqs.find(handle);
  if (it == g_irqs.end()) return;
  (void)VfioDisableIrqs(handle);
  it->second->Destroy();
  g_irqs.erase(it);
}

static Napi::Value IrqInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "vfioIrqInfo(handle: number, index: 0 | 1 | 2)";
  const int handle = HandleArg(info, usage);
  if (info.Length() < 2 || !IsIntegerIn(info[1], 0, 2)) throw MakeError(env, "ERR_INVALID_ARG", usage);
  uint32_t count = 0, flags = 0;
  const VfioStatus s = VfioIrqInfo(handle, info[1].As<Napi::Number>().Uint32Value(), &count, &flags);
  if (!s.ok()) throw ToError(env, s);
  Napi::Object result = Napi::Object::New(env);
  result.Set("count", Napi::Number::New(env, count));
  result.Set("eventfd", Napi::Boolean::New(env, (flags & VFIO_IRQ_INFO_EVENTFD) != 0));
  result.Set("maskable", Napi::Boolean::New(env, (flags & VFIO_IRQ_INFO_MASKABLE) != 0));
  result.Set("automasked", Napi::Boolean::New(env, (flags & VFIO_IRQ_INFO_AUTOMASKED) != 0));
  return result;
}

static Napi::Value EnableIrqs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "vfioEnableIrqs(handle: number, index: 0 | 1 | 2, count: 1..2048, onVector: (vector) => void)";
  const int handle = HandleArg(info, usage);
  if (info.Length() < 4 || !IsIntegerIn(info[1], 0, 2) || !IsIntegerIn(info[2], 1, 2048) || !info[3].IsFunction()) {
    throw MakeError(env, "ERR_INVALID_ARG", usage);
  }
  if (g_bar0.count(handle) == 0) throw MakeError(env, "ERR_DEVICE_CLOSED", "the PCI function was closed: open it again");
  DisableIrqs(handle);
  std::string error;
  int err = 0;
  IrqWatcher* w = IrqWatcher::Create(env, info[2].As<Napi::Number>().Uint32Value(), info[3].As<Napi::Function>(), &error, &err);
  if (w == nullptr) throw MakeError(env, "ERR_INTERRUPTS", error + ": the process may be out of file descriptors (ulimit -n)", err, "eventfd");
  const std::vector<int>& fds = w->fds();
  const VfioStatus s = VfioSetIrqEventfds(handle, info[1].As<Napi::Number>().Uint32Value(), fds.data(),
                                          static_cast<uint32_t>(fds.size()));
  if (!s.ok()) {
    w->Destroy();
    throw ToError(env, s);
  }
  g_irqs[handle] = w;
  return env.Undefined();
}

static Napi::Value UnmaskIntx(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const VfioStatus s = VfioUnmaskIntx(HandleArg(info, "vfioUnmaskIntx(handle: number)"));
  if (!s.ok()) throw ToError(env, s);
  return env.Undefined();
}

static Napi::Value IrqRef(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int handle = HandleArg(info, "vfioIrqRef(handle: number, on: boolean)");
  if (info.Length() < 2 || !info[1].IsBoolean()) throw MakeError(env, "ERR_INVALID_ARG", "vfioIrqRef(handle: number, on: boolean)");
  auto it = g_irqs.find(handle);
  if (it != g_irqs.end()) it->second->SetRef(info[1].As<Napi::Boolean>().Value());
  return env.Undefined();
}

static Napi::Value DisableIrqsJs(const Napi::CallbackInfo& info) {
  DisableIrqs(HandleArg(info, "vfioDisableIrqs(handle: number)"));
  return info.Env().Undefined();
}

static Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !IsIntegerIn(info[0], 1, 0x7fffffff)) {
    throw MakeError(env, "ERR_INVALID_ARG", "vfioClose(handle: number)");
  }
  const int handle = info[0].As<Napi::Number>().Int32Value();
  auto it = g_bar0.find(handle);
  if (it == g_bar0.end()) return env.Undefined();  // closed before: idempotent
  DisableIrqs(handle);
  it->second.Value().Detach();
  g_bar0.erase(it);
  VfioCloseDevice(handle);
  return env.Undefined();
}

void InitVfio(Napi::Env env, Napi::Object exports) {
  exports.Set("vfioOpen", Napi::Function::New(env, Open, "vfioOpen"));
  exports.Set("vfioReadConfig", Napi::Function::New(env, ReadConfig, "vfioReadConfig"));
  exports.Set("vfioWriteConfig", Napi::Function::New(env, WriteConfig, "vfioWriteConfig"));
  exports.Set("vfioMapDma", Napi::Function::New(env, MapDma, "vfioMapDma"));
  exports.Set("vfioUnmapDma", Napi::Function::New(env, UnmapDma, "vfioUnmapDma"));
  exports.Set("vfioIrqInfo", Napi::Function::New(env, IrqInfo, "vfioIrqInfo"));
  exports.Set("vfioEnableIrqs", Napi::Function::New(env, EnableIrqs, "vfioEnableIrqs"));
  exports.Set("vfioUnmaskIntx", Napi::Function::New(env, UnmaskIntx, "vfioUnmaskIntx"));
  exports.Set("vfioIrqRef", Napi::Function::New(env, IrqRef, "vfioIrqRef"));
  exports.Set("vfioDisableIrqs", Napi::Function::New(env, DisableIrqsJs, "vfioDisableIrqs"));
  exports.Set("vfioClose", Napi::Function::New(env, Close, "vfioClose"));
}

}  // namespace tsnic
