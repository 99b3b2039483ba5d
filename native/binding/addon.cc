// Entry point of the production addon, tsnic.node: host DMA memory, VFIO and filter compilation
// (libpcap, loaded at run time), nothing of the simulator
// (that is tsnic_sim.node, binding/sim_addon.cc).
#include "binding/addon.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  tsnic::InitMemory(env, exports);
  tsnic::InitVfio(env, exports);
  tsnic::InitPcap(env, exports);
  return exports;
}

NODE_API_MODULE(tsnic, Init)
