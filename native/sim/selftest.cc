// The model driven by a trivial C++ forwarder (no TypeScript): port 0's tester generates 64-byte
// frames as fast as the rx ring takes them, the "driver" moves each received buffer straight to the
// tx ring, and the tester's checker consumes them. Used for the model's speed figure (simSelfTest in
// the addon) and, built standalone, as the sanitizer test of the model:
//   g++ -std=c++17 -g -O1 -fsanitize=thread -DTSNIC_SIM_SELFTEST_MAIN -Inative native/sim/*.cc
//       -o /tmp/sim-selftest -lpthread && /tmp/sim-selftest
// (or -fsanitize=address,undefined). It exits non-zero when a frame is lost or corrupted.
#include "sim/selftest.h"

#include <sched.h>
#include <sys/mman.h>

#include <cstring>

#include "sim/card.h"

namespace tsnic {
namespace sim {

namespace {

constexpr uint32_t kRing = 512;
constexpr uint32_t kBuf = 2048;

uint32_t Ld(volatile uint32_t* p) { return __atomic_load_n(const_cast<uint32_t*>(p), __ATOMIC_ACQUIRE); }

}  // namespace

bool SimSelfTest(uint64_t frames, SelfTestResult* out) {
  CardOptions options;
  options.linkUpDelayUs = 100;
  options.unpacedWire = true;  // the model's own speed, not the wire's
  Card* card = SimCreate(options);
  if (card == nullptr) return false;
  // Driver loop and model thread both spin: sharing one core they reach ~1% of their speed (each
  // waits out the other's time slice), so on a multi-core machine put them on different cores.
  cpu_set_t saved;
  const bool pinned = sched_getaffinity(0, sizeof(saved), &saved) == 0 && CPU_COUNT(&saved) >= 2;
  if (pinned) {
    int cpus[2], n = 0;
    for (int i = 0; i < CPU_SETSIZE && n < 2; i++) {
      if (CPU_ISSET(i, &saved)) cpus[n++] = i;
    }
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpus[0], &one);
    sched_setaffinity(0, sizeof(one), &one);
    SimSetModelCpu(card, cpus[1]);
  }
  const size_t memSize = 2 * kRing * 16 + 2 * kRing * kBuf;
  uint8_t* mem = static_cast<uint8_t*>(mmap(nullptr, memSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  SimRegisterDma(card, mem, memSize);
  SimSetBusMaster(card, 0, true);
  // Registers through the model's mapping of the register file (the same pages as the driver's view):
  // ThreadSanitizer pairs the tail's release with the model's acquire only on the same address.
  RegFile& model = card->ports[0].regs;
  volatile uint32_t* rxd = reinterpret_cast<volatile uint32_t*>(mem);
  volatile uint32_t* txd = reinterpret_cast<volatile uint32_t*>(mem + kRing * 16);
  uint8_t* bufs = mem + 2 * kRing * 16;
  const uint64_t rxBase = reinterpret_cast<uint64_t>(rxd), txBase = reinterpret_cast<uint64_t>(txd);
  uint32_t bufOf[kRing];  // buffer index currently in each rx descriptor
  uint32_t freeBufs[kRing], nFree = 0;
  for (uint32_t i = 0; i < kRing; i++) freeBufs[nFree++] = kRing + i;
  for (uint32_t i = 0; i < kRing; i++) {
    bufOf[i] = i;
    const uint64_t a = reinterpret_cast<uint64_t>(bufs + i * kBuf);
    rxd[i * 4] = static_cast<uint32_t>(a);
    rxd[i * 4 + 1] = static_cast<uint32_t>(a >> 32);
    rxd[i * 4 + 2] = rxd[i * 4 + 3] = 0;
  }
  model.Store(RdBase(0) + kRdbah, static_cast<uint32_t>(rxBase >> 32));
  model.Store(RdBase(0), static_cast<uint32_t>(rxBase));
  model.Store(RdBase(0) + kRdlen, kRing * 16);
  model.Store(Srrctl(0), 2 | (kSrrctlDescAdvOneBuf << kSrrctlDescTypeShift));
  model.Store(TdBase(0), static_cast<uint32_t>(txBase));
  model.Store(TdBase(0) + kTdbah, static_cast<uint32_t>(txBase >> 32));
  model.Store(TdBase(0) + kTdlen, kRing * 16);
  model.Store(RdBase(0) + kRxdctl, kRxdctlEnable);
  model.Store(TdBase(0) + kTxdctl, kTxdctlEnable);
  model.Store(kDmatxctl, kDmatxctlTe);
  model.Store(kCtrlExt, model.Load(kCtrlExt) | kCtrlExtNsDis);  // 4.6.7, last step
  model.Store(DcaRxctrl(0), model.Load(DcaRxctrl(0)) & ~kDcaRxctrlBit12);
  while (!(model.Load(RdBase(0) + kRxdctl) & kRxdctlEnable)) {
  }
  model.Store(RdBase(0) + kRdt, kRing - 1);
  while (!(model.Load(kLinks) & kLinksUp)) {
  }
  GeneratorConfig gen;
  gen.count = frames;
  SimStartGenerator(card, 0, gen);
  model.Store(kFctrl, kFctrlUpe | kFctrlMpe | kFctrlBam);
  model.Store(kRxctrl, kRxctrlRxen);
  const uint64_t start = NowNs();
  uint32_t rxNext = 0, txTail = 0, txClean = 0;
  uint64_t forwarded = 0;
  while (forwarded < frames) {
    // tx clean: descriptors before TDH are done; their buffers are free again
    const uint32_t tdh = model.Load(TdBase(0) + kTdh);
    while (txClean != tdh) {
      const uint64_t a = txd[txClean * 4] | static_cast<uint64_t>(txd[txClean * 4 + 1]) << 32;
      freeBufs[nFree++] = static_cast<uint32_t>((a - reinterpret_cast<uint64_t>(bufs)) / kBuf);
      txClean = (txClean + 1) % kRing;
    }
    // rx: forward every completed descriptor, refill it with a free buffer
    uint32_t n = 0;
    while (n < 64 && nFree > 0 && (Ld(&rxd[rxNext * 4 + 2]) & kRxStatDd)) {
      const uint32_t len = rxd[rxNext * 4 + 3] & 0xFFFF;
      const uint32_t b = bufOf[rxNext];
      const uint32_t nextTx = (txTail + 1) % kRing;
      if (nextTx == txClean) break;  // tx ring full
      const uint64_t a = reinterpret_cast<uint64_t>(bufs + static_cast<uint64_t>(b) * kBuf);
      txd[txTail * 4] = static_cast<uint32_t>(a);
      txd[txTail * 4 + 1] = static_cast<uint32_t>(a >> 32);
      txd[txTail * 4 + 2] = len | kTxDtypData << kTxDtypShift | kTxCmdDext | kTxCmdIfcs | kTxCmdEop;
      txd[txTail * 4 + 3] = len << kTxPaylenShift;
      txTail = nextTx;
      const uint32_t nb = freeBufs[--nFree];
      bufOf[rxNext] = nb;
      const uint64_t na = reinterpret_cast<uint64_t>(bufs + static_cast<uint64_t>(nb) * kBuf);
      rxd[rxNext * 4] = static_cast<uint32_t>(na);
      rxd[rxNext * 4 + 1] = static_cast<uint32_t>(na >> 32);
      rxd[rxNext * 4 + 2] = rxd[rxNext * 4 + 3] = 0;
      rxNext = (rxNext + 1) % kRing;
      n++;
    }
    if (n > 0) {
      model.Store(TdBase(0) + kTdt, txTail);
      model.Store(RdBase(0) + kRdt, (rxNext + kRing - 1) % kRing);
      forwarded += n;
    }
  }
  PortCounters c;
  while (true) {
    SimReadCounters(card, 0, &c);
    if (c.chkPackets >= frames) break;
  }
  const uint64_t elapsed = NowNs() - start;
  out->frames = c.chkPackets;
  out->seconds = static_cast<double>(elapsed) / 1e9;
  out->lostOrCorrupt = (frames - c.chkPackets) + c.chkSeqGaps + c.chkSeqReordered + c.chkBadChecksums + c.chkNonUdp;
  out->dmaFaults = card->dma.faults();
  SimDestroy(card);
  munmap(mem, memSize);
  if (pinned) sched_setaffinity(0, sizeof(saved), &saved);
  return true;
}

}  // namespace sim
}  // namespace tsnic

#ifdef TSNIC_SIM_SELFTEST_MAIN
#include <cstdio>
#include <cstdlib>
int main(int argc, char** argv) {
  tsnic::sim::SelfTestResult r;
  if (!tsnic::sim::SimSelfTest(argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000, &r)) return 2;
  std::printf("%llu frames forwarded in %.3f s: %.1f Mpps through rx and tx; lost/corrupt %llu, DMA faults %llu\n",
              static_cast<unsigned long long>(r.frames), r.seconds, r.frames / r.seconds / 1e6,
              static_cast<unsigned long long>(r.lostOrCorrupt), static_cast<unsigned long long>(r.dmaFaults));
  return r.lostOrCorrupt == 0 && r.dmaFaults == 0 ? 0 : 1;
}
#endif
