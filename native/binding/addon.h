// The module parts of the two addons. Each Init* adds its functions to `exports`: addon.cc (tsnic.node,
// production) calls InitMemory, InitVfio and InitPcap, sim_addon.cc (tsnic_sim.node) InitSim and InitBench.
// Plain C++ (vfio/, sim/, memory/, bench/) never includes napi.h; only the files in binding/ do.
#pragma once
#include <napi.h>

namespace tsnic {

void InitMemory(Napi::Env env, Napi::Object exports);
void InitVfio(Napi::Env env, Napi::Object exports);
void InitPcap(Napi::Env env, Napi::Object exports);
void InitSim(Napi::Env env, Napi::Object exports);
void InitBench(Napi::Env env, Napi::Object exports);

// A JavaScript Error with a stable `code`, and `errno`/`syscall` when a system call failed (errors.cc,
// linked into both addons). The message must say what went wrong and what to do about it.
Napi::Error MakeError(Napi::Env env, const char* code, const std::string& message, int err = 0,
                      const char* syscall = nullptr);

}  // namespace tsnic
