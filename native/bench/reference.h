// The native reference of `npm run bench`: a minimal C++ poll-mode driver loop that does the same
// descriptor work as the TypeScript ixgbe driver on the same simulated 82599 (advanced rx descriptors
// harvested and refilled from a free stack, advanced tx descriptors filled and cleaned in chunks of 32,
// one tail write per batch), so the TypeScript figures can be printed as a ratio to it.
// Plain C++: no N-API here (the glue is native/binding/bench.cc).
#pragma once
#include <cstdint>

namespace tsnic {
namespace bench {

enum Mode : int { kModeTx = 0, kModeRx = 1, kModeForward = 2 };

// Lockstep (docs/benchmark.md): the card has no model thread while the loop is measured; the loop runs
// one model pass per iteration through `pass`, which returns the ns spent inside the model, and those
// are accounted apart. The thread runs (setThread) while rings are set up and torn down.
struct ModelHooks {
  void* ctx = nullptr;
  void (*setThread)(void* ctx, bool on) = nullptr;
  uint64_t (*pass)(void* ctx) = nullptr;
};

// Threaded: the model thread's busy-time counter and CPU time (sim.h SimModelLoad), read just before and
// after the measured loop so that the model's busy fraction covers exactly the loop.
struct ModelBusy {
  void* ctx = nullptr;
  void (*read)(void* ctx, uint64_t* busyNs, uint64_t* cpuNs) = nullptr;
};

struct ReferenceConfig {
  uint32_t* bar0[2] = {nullptr, nullptr};  // the ports' register files (driver view); [1] only to forward
  uint8_t* mem = nullptr;                  // DMA memory registered with the card, >= ReferenceMemoryBytes()
  uint64_t iova = 0;                       // its bus address
  Mode mode = kModeTx;
  uint32_t batch = 32;                     // packets per rx/tx call, 1..256
  uint32_t frameSize = 60;                 // tx frames, bytes without FCS
  uint64_t durationNs = 1000000000;        // stop after this long ...
  uint64_t maxPackets = 0;                 // ... or this many packets (0: no limit)
  const ModelHooks* lockstep = nullptr;    // null: the card's model thread runs throughout
  const ModelBusy* modelBusy = nullptr;    // threaded: report the model thread's busy time over the loop
};

struct ReferenceResult {
  uint64_t packets = 0;  // tx: handed to the ring; rx: harvested; forward: forwarded in both directions
  uint64_t ns = 0;       // time of the measured loop
  uint64_t modelNs = 0;  // lockstep: the part of `ns` spent inside model passes
  uint64_t modelBusyNs = 0;  // with modelBusy: the model thread's busy time during the loop
  uint64_t modelCpuNs = 0;   // with modelBusy: the CPU time the model thread got during the loop
  bool ok = false;       // false: setup failed (link never came up, bad arguments)
  const char* code = "";   // stable error code when !ok
  const char* error = "";
};

// Bytes of DMA memory the reference needs (rings of both ports plus its buffer pool).
uint64_t ReferenceMemoryBytes();

// Sets up the rings of the port(s) on a freshly created card (bus mastering already on, tester
// generators started by the caller for rx and forward), runs the loop, then disables the queues.
ReferenceResult RunReference(const ReferenceConfig& config);

// Pins the calling thread to one CPU; false when the system refuses (errno set).
bool PinCallingThread(int cpu);

}  // namespace bench
}  // namespace tsnic
