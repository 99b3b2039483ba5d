// Entry point of the simulator addon, tsnic_sim.node: the simulated 82599 (native/sim, with its register
// access trap) and the benchmark's native reference loop (native/bench). Only lib/bus/sim.ts and the
// benchmark load it; DMA memory comes from the production addon (binding/host_memory_registry.h).
#include "binding/addon.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  tsnic::InitSim(env, exports);
  tsnic::InitBench(env, exports);
  return exports;
}

NODE_API_MODULE(tsnic_sim, Init)
