// N-API glue for the simulated 82599 (native/sim). Cards are numbered handles; each port's register
// file is handed to JavaScript as an external ArrayBuffer that is detached when the card closes.
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "binding/addon.h"
#include "binding/host_memory_registry.h"
#include "binding/irq_watch.h"
#include "sim/interrupts.h"
#include "sim/selftest.h"
#include "sim/sim.h"

namespace tsnic {

namespace {

struct CardEntry {
  sim::Card* card = nullptr;
  Napi::Reference<Napi::ArrayBuffer> bars[2];
  IrqWatcher* irqs[2] = {nullptr, nullptr};  // eventfds of each port's vectors, watched on Node's loop
};

// The model stops signalling first (SimSetIrqFds waits out its pass), then the eventfds close.
void DisableIrqs(CardEntry* e, int port) {
  if (e->irqs[port] == nullptr) return;
  sim::SimSetIrqFds(e->card, port, nullptr, 0);
  e->irqs[port]->Destroy();
  e->irqs[port] = nullptr;
}

std::mutex g_lock;
// Leaked on purpose: no static destructor may touch N-API references after the environment is gone.
std::map<int, std::unique_ptr<CardEntry>>& g_cards = *new std::map<int, std::unique_ptr<CardEntry>>();
int g_next = 1;

CardEntry* Entry(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) {
    throw MakeError(info.Env(), "ERR_INVALID_ARG", "sim: a card handle (number) is required");
  }
  std::lock_guard<std::mutex> guard(g_lock);
  auto it = g_cards.find(info[0].As<Napi::Number>().Int32Value());
  if (it == g_cards.end()) {
    throw MakeError(info.Env(), "ERR_DEVICE_CLOSED", "sim: this simulated card was closed; create a new one");
  }
  return it->second.get();
}

int PortArg(const Napi::CallbackInfo& info) {
  const int port = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : -1;
  if (port != 0 && port != 1) throw MakeError(info.Env(), "ERR_INVALID_ARG", "sim: port must be 0 or 1");
  return port;
}

double Num(Napi::Object o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

bool Bool(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}

void Mac(Napi::Object o, const char* key, uint8_t out[6]) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) return;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < 6 && i < a.Length(); i++) {
    out[i] = static_cast<uint8_t>(a.Get(i).As<Napi::Number>().Uint32Value());
  }
}

Napi::Object ObjectArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsObject()) {
    throw MakeError(info.Env(), "ERR_INVALID_ARG", "sim: an options object is required");
  }
  return info[i].As<Napi::Object>();
}

Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = ObjectArg(info, 0);
  sim::CardOptions options;
  options.linkUpDelayUs = static_cast<uint32_t>(Num(o, "linkUpDelayUs", options.linkUpDelayUs));
  options.resetDelayUs = static_cast<uint32_t>(Num(o, "resetDelayUs", options.resetDelayUs));
  options.autoReadDelayUs = static_cast<uint32_t>(Num(o, "autoReadDelayUs", options.autoReadDelayUs));
  Mac(o, "mac", options.mac);
  options.unpacedWire = Bool(o, "unpacedWire");
  options.lockstep = Bool(o, "lockstep");
  options.strictTails = Bool(o, "strictTails");
  sim::Card* card = sim::SimCreate(options);
  if (card == nullptr) {
    throw MakeError(env, "ERR_DMA_ALLOC", "sim: could not map the simulated register files (memfd/mmap failed)");
  }
  auto entry = std::make_unique<CardEntry>();
  entry->card = card;
  Napi::Array bars = Napi::Array::New(env, 2);
  for (int i = 0; i < 2; i++) {
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, sim::SimBar0(card, i), 128 * 1024);
    entry->bars[i] = Napi::Persistent(ab);
    bars.Set(i, ab);
  }
  int handle;
  {
    std::lock_guard<std::mutex> guard(g_lock);
    handle = g_next++;
    g_cards[handle] = std::move(entry);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("handle", Napi::Number::New(env, handle));
  result.Set("bar0", bars);
  return result;
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) return info.Env().Undefined();
  std::unique_ptr<CardEntry> entry;
  {
    std::lock_guard<std::mutex> guard(g_lock);
    auto it = g_cards.find(info[0].As<Napi::Number>().Int32Value());
    if (it == g_cards.end()) return info.Env().Undefined();  // idempotent
    entry = std::move(it->second);
    g_cards.erase(it);
  }
  for (int port = 0; port < 2; port++) DisableIrqs(entry.get(), port);
  for (auto& bar : entry->bars) {
    if (!bar.IsEmpty() && !bar.Value().IsDetached()) bar.Value().Detach();
    bar.Reset();
  }
  sim::SimDestroy(entry->card);
  return info.Env().Undefined();
}

bool Region(const Napi::CallbackInfo& info, HostMemory* mem) {
  if (info.Length() < 2 || !info[1].IsArrayBuffer()) {
    throw MakeError(info.Env(), "ERR_INVALID_ARG", "sim: a DMA region ArrayBuffer is required");
  }
  Napi::ArrayBuffer ab = info[1].As<Napi::ArrayBuffer>();
  return LookupHostMemory(ab, mem);
}

Napi::Value RegisterDma(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  HostMemory mem;
  if (!Region(info, &mem)) {
    throw MakeError(info.Env(), "ERR_INVALID_ARG", "sim: DMA memory must come from allocHostMemory and be live");
  }
  if (!sim::SimRegisterDma(e->card, mem.addr, mem.size)) {
    throw MakeError(info.Env(), "ERR_DMA_MAP", "sim: too many DMA regions on this card (256): free some first");
  }
  return info.Env().Undefined();
}

Napi::Value UnregisterDma(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  HostMemory mem;
  if (Region(info, &mem)) sim::SimUnregisterDma(e->card, mem.addr, mem.size);
  return info.Env().Undefined();
}

Napi::Value SetBusMaster(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const int port = PortArg(info);
  sim::SimSetBusMaster(e->card, port, info.Length() > 2 && info[2].ToBoolean().Value());
  return info.Env().Undefined();
}

Napi::Value SetWiring(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const int port = PortArg(info);
  const int w = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : -1;
  if (w < sim::kWiringTester || w > sim::kWiringUnplugged) {
    throw MakeError(info.Env(), "ERR_INVALID_ARG", "sim: wiring must be 0..3");
  }
  sim::SimSetWiring(e->card, port, static_cast<sim::Wiring>(w));
  return info.Env().Undefined();
}

Napi::Value SetFaults(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const int port = PortArg(info);
  Napi::Object o = ObjectArg(info, 2);
  sim::Faults f;
  f.resetNeverCompletes = Bool(o, "resetNeverCompletes");
  f.eepromAutoReadNeverCompletes = Bool(o, "eepromAutoReadNeverCompletes");
  f.badEepromChecksum = Bool(o, "badEepromChecksum");
  f.invalidMac = static_cast<int>(Num(o, "invalidMac", 0));
  f.dmaInitNeverCompletes = Bool(o, "dmaInitNeverCompletes");
  f.linkNeverUp = Bool(o, "linkNeverUp");
  f.linkDownForMs = static_cast<uint32_t>(Num(o, "linkDownForMs", 0));
  f.rxErrorEvery = static_cast<uint32_t>(Num(o, "rxErrorEvery", 0));
  f.txPausedForMs = static_cast<uint32_t>(Num(o, "txPausedForMs", 0));
  f.delayNs = static_cast<uint32_t>(Num(o, "delayNs", 0));
  f.maxRatePps = Num(o, "maxRatePps", 0);
  f.queueFrames = static_cast<uint32_t>(Num(o, "queueFrames", f.queueFrames));
  sim::SimSetFaults(e->card, port, f);
  return info.Env().Undefined();
}

Napi::Value StartGenerator(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const int port = PortArg(info);
  Napi::Object o = ObjectArg(info, 2);
  sim::GeneratorConfig g;
  g.ratePps = Num(o, "ratePps", 0);
  g.frameSize = static_cast<uint32_t>(Num(o, "frameSize", 60));
  g.count = static_cast<uint64_t>(Num(o, "count", 0));
  Mac(o, "srcMac", g.srcMac);
  Mac(o, "dstMac", g.dstMac);
  g.flows = static_cast<uint32_t>(Num(o, "flows", 1));
  sim::SimStartGenerator(e->card, port, g);
  return info.Env().Undefined();
}

Napi::Value StopGenerator(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  sim::SimStopGenerator(e->card, PortArg(info));
  return info.Env().Undefined();
}

Napi::Value ReadCounters(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const int port = PortArg(info);
  if (info.Length() < 3 || !info[2].IsTypedArray() ||
      info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw MakeError(info.Env(), "ERR_INVALID_ARG", "sim: readCounters needs a Float64Array");
  }
  Napi::Float64Array out = info[2].As<Napi::Float64Array>();
  sim::PortCounters c;
  sim::SimReadCounters(e->card, port, &c);
  constexpr size_t n = sizeof(c) / sizeof(uint64_t);
  uint64_t raw[n];
  std::memcpy(raw, &c, sizeof(c));
  for (size_t i = 0; i < n && i < out.ElementLength(); i++) out[i] = static_cast<double>(raw[i]);
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value ResetCounters(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  sim::SimResetCounters(e->card, PortArg(info));
  return info.Env().Undefined();
}

Napi::Value DmaFaults(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  uint64_t last = 0;
  const uint64_t count = sim::SimDmaFaults(e->card, &last);
  Napi::Object r = Napi::Object::New(info.Env());
  r.Set("count", Napi::Number::New(info.Env(), static_cast<double>(count)));
  r.Set("lastAddress", Napi::Number::New(info.Env(), static_cast<double>(last)));
  return r;
}

Napi::Value Eeprom(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const int port = PortArg(info);
  Napi::Uint16Array words = Napi::Uint16Array::New(info.Env(), 2048);
  std::memcpy(words.Data(), sim::SimEeprom(e->card, port), 2048 * sizeof(uint16_t));
  return words;
}

// simSetModelCpu(handle, cpu): pins the model thread (-1: unpins); false when the system refuses.
Napi::Value SetModelCpu(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const int cpu = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : -2;
  if (cpu < -1 || cpu >= 1024) throw MakeError(info.Env(), "ERR_INVALID_ARG", "sim: cpu must be -1 (any) or 0..1023");
  return Napi::Boolean::New(info.Env(), sim::SimSetModelCpu(e->card, cpu));
}

// simModelLoad(handle) -> {busyNs, atNs, threadStarts, cpuNs, running}: the model thread's load counter now
// (sim.h SimModelLoad); lib/bus/sim.ts turns two readings into a busy fraction.
Napi::Value ModelLoad(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  sim::ModelLoad load;
  sim::SimModelLoad(e->card, &load);
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("busyNs", Napi::Number::New(env, static_cast<double>(load.busyNs)));
  o.Set("atNs", Napi::Number::New(env, static_cast<double>(load.atNs)));
  o.Set("threadStarts", Napi::Number::New(env, static_cast<double>(load.threadStarts)));
  o.Set("cpuNs", Napi::Number::New(env, static_cast<double>(load.cpuNs)));
  o.Set("running", Napi::Boolean::New(env, load.running));
  return o;
}

// simSelfTest(frames): the model with a C++ forwarder as its driver (native/sim/selftest.cc).
Napi::Value SelfTest(const Napi::CallbackInfo& info) {
  const double frames = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
  if (!(frames >= 1 && frames <= 1e10)) throw MakeError(info.Env(), "ERR_INVALID_ARG", "simSelfTest(frames: 1..1e10)");
  sim::SelfTestResult r;
  if (!sim::SimSelfTest(static_cast<uint64_t>(frames), &r)) {
    throw MakeError(info.Env(), "ERR_DMA_ALLOC", "sim: could not create a card for the self-test");
  }
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("frames", Napi::Number::New(info.Env(), static_cast<double>(r.frames)));
  o.Set("seconds", Napi::Number::New(info.Env(), r.seconds));
  o.Set("lostOrCorrupt", Napi::Number::New(info.Env(), static_cast<double>(r.lostOrCorrupt)));
  o.Set("dmaFaults", Napi::Number::New(info.Env(), static_cast<double>(r.dmaFaults)));
  return o;
}

// simStep(handle, passes): runs model passes on this thread; returns the ns spent inside them.
Napi::Value Step(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const double passes = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : -1;
  if (!(passes >= 1 && passes <= 1e6)) throw MakeError(info.Env(), "ERR_INVALID_ARG", "sim: passes must be 1..1000000");
  if (sim::SimThreadRunning(e->card)) {
    throw MakeError(info.Env(), "ERR_DEVICE_BUSY",
                    "sim: step() needs a lockstep card with its model thread stopped (create it with lockstep: true)");
  }
  return Napi::Number::New(info.Env(), static_cast<double>(sim::SimStep(e->card, static_cast<uint32_t>(passes))));
}

// simEnableIrqs(handle, port, count, onVector): one eventfd per MSI-X vector 0..count-1, given to the
// port as VFIO_DEVICE_SET_IRQS gives them to a device, and watched on Node's loop.
Napi::Value EnableIrqs(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const int port = PortArg(info);
  const double count = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : 0;
  if (!(count >= 1 && count <= sim::kMaxIrqVectors) || count != static_cast<uint32_t>(count) || info.Length() < 4 ||
      !info[3].IsFunction()) {
    throw MakeError(info.Env(), "ERR_INVALID_ARG", "simEnableIrqs(handle, port, count: 1..64, onVector: (vector) => void)");
  }
  DisableIrqs(e, port);
  std::string error;
  int err = 0;
  IrqWatcher* w = IrqWatcher::Create(info.Env(), static_cast<uint32_t>(count), info[3].As<Napi::Function>(), &error, &err);
  if (w == nullptr) {
    throw MakeError(info.Env(), "ERR_INTERRUPTS", "sim: " + error + ": the process may be out of file descriptors (ulimit -n)",
                    err, "eventfd");
  }
  sim::SimSetIrqFds(e->card, port, w->fds().data(), static_cast<uint32_t>(w->fds().size()));
  e->irqs[port] = w;
  return info.Env().Undefined();
}

// simDisableIrqs(handle, port): the port stops signalling, the eventfds close. Idempotent.
Napi::Value DisableIrqsJs(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  DisableIrqs(e, PortArg(info));
  return info.Env().Undefined();
}

// simIrqRef(handle, port, on): whether the port's eventfd watchers keep Node's loop alive.
Napi::Value IrqRef(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const int port = PortArg(info);
  if (e->irqs[port] != nullptr) e->irqs[port]->SetRef(info.Length() > 2 && info[2].ToBoolean().Value());
  return info.Env().Undefined();
}

// simIrqFired(handle, port, vector): messages the port sent on the vector since the card was created.
Napi::Value IrqFired(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const int port = PortArg(info);
  const uint32_t v = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Uint32Value() : 0;
  return Napi::Number::New(info.Env(), static_cast<double>(sim::SimIrqFired(e->card, port, v)));
}

// simIrqLastCause(handle, port, vector): CLOCK_MONOTONIC ns of the rx cause behind the vector's last message.
Napi::Value IrqLastCause(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  const int port = PortArg(info);
  const uint32_t v = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Uint32Value() : 0;
  return Napi::Number::New(info.Env(), static_cast<double>(sim::SimIrqLastCause(e->card, port, v)));
}

// simSetThread(handle, on): starts or stops (joins) the model thread.
Napi::Value SetThread(const Napi::CallbackInfo& info) {
  CardEntry* e = Entry(info);
  if (info.Length() > 1 && info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value()) {
    sim::SimStartThread(e->card);
  } else {
    sim::SimStopThread(e->card);
  }
  return info.Env().Undefined();
}

}  // namespace

// The card behind a handle, or null (for native/binding/bench.cc's lockstep reference).
sim::Card* SimCardOfHandle(int handle) {
  std::lock_guard<std::mutex> guard(g_lock);
  auto it = g_cards.find(handle);
  return it == g_cards.end() ? nullptr : it->second->card;
}

void InitSim(Napi::Env env, Napi::Object exports) {
  exports.Set("simEnableIrqs", Napi::Function::New(env, EnableIrqs, "simEnableIrqs"));
  exports.Set("simDisableIrqs", Napi::Function::New(env, DisableIrqsJs, "simDisableIrqs"));
  exports.Set("simIrqRef", Napi::Function::New(env, IrqRef, "simIrqRef"));
  exports.Set("simIrqFired", Napi::Function::New(env, IrqFired, "simIrqFired"));
  exports.Set("simIrqLastCause", Napi::Function::New(env, IrqLastCause, "simIrqLastCause"));
  exports.Set("simStep", Napi::Function::New(env, Step, "simStep"));
  exports.Set("simSetThread", Napi::Function::New(env, SetThread, "simSetThread"));
  exports.Set("simCreate", Napi::Function::New(env, Create, "simCreate"));
  exports.Set("simClose", Napi::Function::New(env, Close, "simClose"));
  exports.Set("simRegisterDma", Napi::Function::New(env, RegisterDma, "simRegisterDma"));
  exports.Set("simUnregisterDma", Napi::Function::New(env, UnregisterDma, "simUnregisterDma"));
  exports.Set("simSetBusMaster", Napi::Function::New(env, SetBusMaster, "simSetBusMaster"));
  exports.Set("simSetWiring", Napi::Function::New(env, SetWiring, "simSetWiring"));
  exports.Set("simSetFaults", Napi::Function::New(env, SetFaults, "simSetFaults"));
  exports.Set("simStartGenerator", Napi::Function::New(env, StartGenerator, "simStartGenerator"));
  exports.Set("simStopGenerator", Napi::Function::New(env, StopGenerator, "simStopGenerator"));
  exports.Set("simReadCounters", Napi::Function::New(env, ReadCounters, "simReadCounters"));
  exports.Set("simResetCounters", Napi::Function::New(env, ResetCounters, "simResetCounters"));
  exports.Set("simDmaFaults", Napi::Function::New(env, DmaFaults, "simDmaFaults"));
  exports.Set("simEeprom", Napi::Function::New(env, Eeprom, "simEeprom"));
  exports.Set("simSetModelCpu", Napi::Function::New(env, SetModelCpu, "simSetModelCpu"));
  exports.Set("simModelLoad", Napi::Function::New(env, ModelLoad, "simModelLoad"));
  exports.Set("simSelfTest", Napi::Function::New(env, SelfTest, "simSelfTest"));
}

}  // namespace tsnic
