// N-API glue for the benchmark (native/bench): the native reference loop and thread pinning.
#include "bench/count_marks.h"
#include "bench/reference.h"
#include "binding/addon.h"
#include "sim/sim.h"

namespace tsnic {

sim::Card* SimCardOfHandle(int handle);  // native/binding/sim.cc

namespace {

void LockstepSetThread(void* ctx, bool on) {
  sim::Card* card = static_cast<sim::Card*>(ctx);
  if (on) sim::SimStartThread(card);
  else sim::SimStopThread(card);
}

uint64_t LockstepPass(void* ctx) { return sim::SimStep(static_cast<sim::Card*>(ctx), 1); }

void ModelBusyRead(void* ctx, uint64_t* busyNs, uint64_t* cpuNs) {
  sim::ModelLoad load;
  sim::SimModelLoad(static_cast<sim::Card*>(ctx), &load);
  *busyNs = load.busyNs;
  *cpuNs = load.cpuNs;
}

double Num(Napi::Object o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

uint32_t* Bar(Napi::Env env, Napi::Value v) {
  if (!v.IsArrayBuffer() || v.As<Napi::ArrayBuffer>().ByteLength() < 128 * 1024) {
    throw MakeError(env, "ERR_INVALID_ARG", "benchReference: bar0 must be a live 128 KiB sim register file (SimPort.bar0.buffer)");
  }
  return static_cast<uint32_t*>(v.As<Napi::ArrayBuffer>().Data());
}

// benchReference({bar0: [ArrayBuffer, ArrayBuffer?], dma: ArrayBuffer, iova, mode, batch, frameSize,
// seconds, packets, lockstepCard?, modelCard?}) -> {packets, ns, modelNs, modelBusyNs, modelCpuNs}.
// With lockstepCard (a lockstep SimCard's handle) the loop runs the model's passes itself and modelNs
// is their share of ns; with modelCard (a threaded card's handle) modelBusyNs and modelCpuNs are its
// model thread's busy time and CPU time during the loop.
Napi::Value Reference(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw MakeError(env, "ERR_INVALID_ARG", "benchReference: an options object is required");
  Napi::Object o = info[0].As<Napi::Object>();
  bench::ReferenceConfig c;
  const int mode = static_cast<int>(Num(o, "mode", -1));
  if (mode < bench::kModeTx || mode > bench::kModeForward) {
    throw MakeError(env, "ERR_INVALID_ARG", "benchReference: mode must be 0 (tx), 1 (rx) or 2 (forward)");
  }
  c.mode = static_cast<bench::Mode>(mode);
  Napi::Value bars = o.Get("bar0");
  if (!bars.IsArray()) throw MakeError(env, "ERR_INVALID_ARG", "benchReference: bar0 must be an array of register files");
  Napi::Array a = bars.As<Napi::Array>();
  c.bar0[0] = Bar(env, a.Get(0u));
  if (c.mode == bench::kModeForward) c.bar0[1] = Bar(env, a.Get(1u));
  Napi::Value dma = o.Get("dma");
  if (!dma.IsArrayBuffer() || dma.As<Napi::ArrayBuffer>().ByteLength() < bench::ReferenceMemoryBytes()) {
    throw MakeError(env, "ERR_INVALID_ARG", "benchReference: dma must be a DMA region of at least benchReferenceBytes() bytes");
  }
  c.mem = static_cast<uint8_t*>(dma.As<Napi::ArrayBuffer>().Data());
  c.iova = static_cast<uint64_t>(Num(o, "iova", 0));
  c.batch = static_cast<uint32_t>(Num(o, "batch", 32));
  c.frameSize = static_cast<uint32_t>(Num(o, "frameSize", 60));
  c.durationNs = static_cast<uint64_t>(Num(o, "seconds", 1) * 1e9);
  c.maxPackets = static_cast<uint64_t>(Num(o, "packets", 0));
  bench::ModelHooks hooks;
  Napi::Value lockstep = o.Get("lockstepCard");
  if (lockstep.IsNumber()) {
    hooks.ctx = SimCardOfHandle(lockstep.As<Napi::Number>().Int32Value());
    if (hooks.ctx == nullptr) throw MakeError(env, "ERR_DEVICE_CLOSED", "benchReference: lockstepCard is not an open SimCard handle");
    hooks.setThread = LockstepSetThread;
    hooks.pass = LockstepPass;
    c.lockstep = &hooks;
  }
  bench::ModelBusy busy;
  Napi::Value modelCard = o.Get("modelCard");
  if (modelCard.IsNumber()) {
    busy.ctx = SimCardOfHandle(modelCard.As<Napi::Number>().Int32Value());
    if (busy.ctx == nullptr) throw MakeError(env, "ERR_DEVICE_CLOSED", "benchReference: modelCard is not an open SimCard handle");
    if (!sim::SimThreadRunning(static_cast<sim::Card*>(busy.ctx))) {
      throw MakeError(env, "ERR_INVALID_ARG", "benchReference: modelCard needs a card whose model thread runs (not a lockstep card)");
    }
    busy.read = ModelBusyRead;
    c.modelBusy = &busy;
  }
  const bench::ReferenceResult r = bench::RunReference(c);
  if (!r.ok) throw MakeError(env, r.code, std::string("benchReference: ") + r.error);
  Napi::Object out = Napi::Object::New(env);
  out.Set("packets", Napi::Number::New(env, static_cast<double>(r.packets)));
  out.Set("ns", Napi::Number::New(env, static_cast<double>(r.ns)));
  out.Set("modelNs", Napi::Number::New(env, static_cast<double>(r.modelNs)));
  out.Set("modelBusyNs", Napi::Number::New(env, static_cast<double>(r.modelBusyNs)));
  out.Set("modelCpuNs", Napi::Number::New(env, static_cast<double>(r.modelCpuNs)));
  return out;
}

Napi::Value ReferenceBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(bench::ReferenceMemoryBytes()));
}

Napi::Value PinThread(const Napi::CallbackInfo& info) {
  const int cpu = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : -1;
  if (cpu < 0 || cpu >= 1024) throw MakeError(info.Env(), "ERR_INVALID_ARG", "benchPinThread: cpu must be 0..1023");
  return Napi::Boolean::New(info.Env(), bench::PinCallingThread(cpu));
}

// benchCountBegin() / benchCountEnd(): the instruction-count markers (bench/count_marks.h) around a
// measured JavaScript loop.
Napi::Value CountBegin(const Napi::CallbackInfo& info) {
  tsnic_count_begin();
  return info.Env().Undefined();
}

Napi::Value CountEnd(const Napi::CallbackInfo& info) {
  tsnic_count_end();
  return info.Env().Undefined();
}

}  // namespace

void InitBench(Napi::Env env, Napi::Object exports) {
  exports.Set("benchReference", Napi::Function::New(env, Reference, "benchReference"));
  exports.Set("benchReferenceBytes", Napi::Function::New(env, ReferenceBytes, "benchReferenceBytes"));
  exports.Set("benchPinThread", Napi::Function::New(env, PinThread, "benchPinThread"));
  exports.Set("benchCountBegin", Napi::Function::New(env, CountBegin, "benchCountBegin"));
  exports.Set("benchCountEnd", Napi::Function::New(env, CountEnd, "benchCountEnd"));
}

}  // namespace tsnic
