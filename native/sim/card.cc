// The simulated card: creation, the model thread, and the C-style API of sim.h.
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <immintrin.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "sim/card.h"
#include "sim/access_trap.h"

namespace tsnic {
namespace sim {

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Takes the card's DMA lock from an API thread; the model thread steps aside between passes.
class ApiLock {
 public:
  explicit ApiLock(Card* c) : card_(c) {
    card_->waiters.fetch_add(1);
    card_->dma.lock.lock();
    card_->waiters.fetch_sub(1);
  }
  ~ApiLock() { card_->dma.lock.unlock(); }

 private:
  Card* card_;
};

static constexpr uint64_t kIdleBeforeSleepNs = 2000000;  // 2 ms without work, then nap
static constexpr useconds_t kNapUs = 50;

// One pass of the model over both ports (control, tx, rx), under the DMA lock: what the model thread
// does once per loop iteration and SimStep does on the caller's thread. True when it did work.
static bool Pass(Card* card, uint64_t* nowOut) {
  std::lock_guard<std::mutex> guard(card->dma.lock);
  const uint64_t now = NowNs();
  bool work = false;
  for (Port& p : card->ports) {
    if (PortControl(p, now)) work = true;
    if (PortTx(p)) work = true;
    if (PortRx(p, now)) work = true;
    if (PortInterrupts(p, now)) work = true;
  }
  *nowOut = now;
  return work;
}

// The thread's loop. Busy time costs no extra clock read: the time from the start of a pass that did
// work to the start of the next pass (the pass itself, then waiting out API callers holding the lock)
// is busy; after a pass that found nothing, the time up to the next pass (the pause or the nap) is idle.
static void Run(Card* card) {
  uint64_t lastWork = NowNs();
  uint64_t busy = card->busyNs.load(std::memory_order_relaxed);
  uint64_t prevStart = 0;
  bool prevWork = false;
  while (!card->stop.load(std::memory_order_relaxed)) {
    while (card->waiters.load(std::memory_order_acquire) != 0) _mm_pause();
    uint64_t now;
    const bool work = Pass(card, &now);
    card->passes.fetch_add(1, std::memory_order_release);
    if (prevWork) {
      busy += now - prevStart;
      card->busyNs.store(busy, std::memory_order_relaxed);
    }
    prevStart = now;
    prevWork = work;
    if (work) {
      lastWork = now;
    } else if (now - lastWork > kIdleBeforeSleepNs) {
      usleep(kNapUs);
    } else {
      _mm_pause();
    }
  }
}

Card* SimCreate(const CardOptions& options) {
  Card* card = new Card();
  card->options = options;
  const uint64_t now = NowNs();
  uint8_t macs[2][6];
  for (int i = 0; i < 2; i++) {
    std::memcpy(macs[i], options.mac, 6);
    macs[i][5] = static_cast<uint8_t>(macs[i][5] + i);
  }
  // TSNIC_SIM_NO_ACCESS_TRAP=1: no trapped pages (docs/benchmark.md, "Instructions per packet": Valgrind
  // cannot single-step the trap's faulting instruction); only the benchmark's counting run sets it.
  const bool trap = std::getenv("TSNIC_SIM_NO_ACCESS_TRAP") == nullptr;
  if (!trap) card->options.strictTails = false;  // strict tails are a part of the trap
  for (int i = 0; i < 2; i++) {
    Port& p = card->ports[i];
    p.card = card;
    p.index = i;
    std::memcpy(p.mac, macs[i], 6);
    BuildEeprom(macs[0], macs[1], p.eeprom);
    for (auto& s : p.stats) s.store(0);
    for (auto& v : p.trapCounts) v.store(0);
    std::memset(&p.counters, 0, sizeof(p.counters));
    if (!p.regs.Map() || (trap && !AccessTrapAttach(p, card->options.strictTails))) {
      SimDestroy(card);
      return nullptr;
    }
    PortPowerOn(p, now);
  }
  if (!options.lockstep) SimStartThread(card);
  return card;
}

void SimStartThread(Card* card) {
  if (card->thread.joinable()) return;
  card->stop.store(false);
  card->threadStarts.fetch_add(1, std::memory_order_relaxed);
  card->thread = std::thread(Run, card);
  card->threadRunning.store(true, std::memory_order_release);
}

void SimStopThread(Card* card) {
  card->threadRunning.store(false, std::memory_order_release);
  card->stop.store(true);
  if (card->thread.joinable()) card->thread.join();
}

bool SimThreadRunning(Card* card) { return card->thread.joinable(); }

void SimModelLoad(Card* card, ModelLoad* out) {
  out->busyNs = card->busyNs.load(std::memory_order_relaxed);
  out->atNs = NowNs();
  out->threadStarts = card->threadStarts.load(std::memory_order_relaxed);
  out->running = card->thread.joinable();
  out->cpuNs = 0;
  clockid_t clock;
  timespec ts;
  if (out->running && pthread_getcpuclockid(card->thread.native_handle(), &clock) == 0 && clock_gettime(clock, &ts) == 0) {
    out->cpuNs = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
  }
}

uint64_t SimStep(Card* card, uint32_t passes) {
  const uint64_t start = NowNs();
  uint64_t now;
  for (uint32_t i = 0; i < passes; i++) Pass(card, &now);
  return NowNs() - start;
}

void SimDestroy(Card* card) {
  SimStopThread(card);
  for (Port& p : card->ports) {
    AccessTrapDetach(p);
    p.regs.Unmap();
  }
  delete card;
}

uint32_t* SimBar0(Card* card, int port) { return card->ports[port].regs.driverView(); }

bool SimRegisterDma(Card* card, const void* addr, size_t size) { return card->dma.Register(addr, size); }

// True when one of the descriptors the NIC owns in this ring (from `head` up to the tail) points into
// [start, end): a buffer the NIC may still write a frame into (rx) or read one from (tx).
static bool OwnedBufferIn(Card* card, uint64_t base, uint32_t count, uint32_t head, uint32_t tail, uint64_t start,
                          uint64_t end) {
  if (count == 0 || tail >= count) return false;
  for (uint32_t i = head; i != tail; i = i + 1 == count ? 0 : i + 1) {
    const volatile uint32_t* d = reinterpret_cast<const volatile uint32_t*>(card->dma.Translate(base + i * 16ull, 16));
    if (d == nullptr) return false;
    const uint64_t addr = d[0] | static_cast<uint64_t>(d[1]) << 32;
    if (addr >= start && addr < end) return true;
  }
  return false;
}

// The driver released memory an enabled queue still uses: its descriptor ring, or a buffer one of the
// descriptors the NIC owns points to. On silicon the NIC could still fetch descriptors from, and write
// packets through, that memory. Queues must be disabled and the port reset first (datasheet
// 4.6.7.1.2 / 4.6.8.1.2: disabling a queue, then CTRL.RST).
static void CheckFreedWhileActive(Card* card, uint64_t start, uint64_t end) {
  ApiLock lock(card);
  for (Port& p : card->ports) {
    bool active = false;
    for (uint32_t q = 0; q < kQueues && !active; q++) {
      const RxQueue& rq = p.rxq[q];
      if (rq.enabled) {
        active = (rq.base >= start && rq.base < end) ||
                 OwnedBufferIn(card, rq.base, rq.count, rq.head, p.regs.Load(RdBase(q) + kRdt), start, end);
      }
      const TxQueue& tq = p.txq[q];
      if (tq.enabled && !active) {
        active = (tq.base >= start && tq.base < end) ||
                 OwnedBufferIn(card, tq.base, tq.count, tq.head, p.regs.Load(TdBase(q) + kTdt), start, end);
      }
    }
    if (active) Violate(p, kMemoryFreedWhileActive);
  }
}

bool SimUnregisterDma(Card* card, const void* addr, size_t size) {
  const uint64_t start = reinterpret_cast<uint64_t>(addr);
  CheckFreedWhileActive(card, start, start + size);
  card->waiters.fetch_add(1);
  const bool ok = card->dma.Unregister(addr);  // waits for the model's current pass to finish
  card->waiters.fetch_sub(1);
  return ok;
}

void SimSetBusMaster(Card* card, int port, bool on) {
  ApiLock lock(card);
  Port& p = card->ports[port];
  p.busMasterConfig = on;
  p.busMaster = on && !p.masterBlocked;  // CTRL.GIO_DIS still blocks master requests
}

void SimSetWiring(Card* card, int port, Wiring wiring) {
  ApiLock lock(card);
  const uint64_t now = NowNs();
  Port& p = card->ports[port];
  Port& other = card->ports[1 - port];
  // Cross wiring joins both ports; leaving it unplugs the other end.
  if (wiring == kWiringCross) PortSetWiring(other, kWiringCross, now);
  else if (p.wiring == kWiringCross) PortSetWiring(other, kWiringUnplugged, now);
  PortSetWiring(p, wiring, now);
}

void SimSetFaults(Card* card, int port, const Faults& faults) {
  ApiLock lock(card);
  PortApplyFaults(card->ports[port], faults, NowNs());
}

void SimStartGenerator(Card* card, int port, const GeneratorConfig& config) {
  ApiLock lock(card);
  Port& p = card->ports[port];
  Generator& g = p.gen;
  g.config = config;
  static const uint8_t zero[6] = {0};
  const uint8_t* dst = std::memcmp(config.dstMac, zero, 6) == 0 ? p.mac : config.dstMac;
  BuildFrame(&g.frame, config.frameSize, dst, config.srcMac);
  g.sent = 0;
  g.seq = 0;
  g.paceBase = NowNs();
  g.pacedSent = 0;
  g.running = true;
}

void SimStopGenerator(Card* card, int port) {
  ApiLock lock(card);
  card->ports[port].gen.running = false;
}

void SimReadCounters(Card* card, int port, PortCounters* out) {
  ApiLock lock(card);
  Port& p = card->ports[port];
  *out = p.counters;
  out->violations[kReadOnlyRegisterWritten] += p.trapViolations.load();
  out->violations[kFctrlChangedWhileRxEnabled] += p.fctrlViolations.load();
  for (int v = 0; v < kViolationCount; v++) out->violations[v] += p.trapCounts[v].load();
  out->violations[kDmaOutsideRegion] = card->dma.faults();
  out->generatorRunning = p.gen.running ? 1 : 0;
  out->linkUp = p.linkUp ? 1 : 0;
}

void SimResetCounters(Card* card, int port) {
  ApiLock lock(card);
  Port& p = card->ports[port];
  std::memset(&p.counters, 0, sizeof(p.counters));
  p.trapViolations.store(0);
  p.fctrlViolations.store(0);
  for (auto& v : p.trapCounts) v.store(0);
  p.checker = Checker();
}

uint64_t SimDmaFaults(Card* card, uint64_t* lastAddress) {
  *lastAddress = card->dma.lastFault();
  return card->dma.faults();
}

bool SimSetModelCpu(Card* card, int cpu) {
  if (!card->thread.joinable()) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (cpu < 0) {
    for (int i = 0; i < CPU_SETSIZE; i++) CPU_SET(i, &set);
  } else {
    CPU_SET(cpu, &set);
  }
  return pthread_setaffinity_np(card->thread.native_handle(), sizeof(set), &set) == 0;
}

void SimSetIrqFds(Card* card, int port, const int* fds, uint32_t count) {
  ApiLock lock(card);  // the model fires only inside a pass, under this lock
  Interrupts& irq = card->ports[port].irq;
  irq.fdCount = count < kMaxIrqVectors ? count : kMaxIrqVectors;
  for (uint32_t v = 0; v < kMaxIrqVectors; v++) irq.fds[v] = v < irq.fdCount ? fds[v] : -1;
}

uint64_t SimIrqFired(Card* card, int port, uint32_t vector) {
  ApiLock lock(card);
  return vector < kMaxIrqVectors ? card->ports[port].irq.fired[vector] : 0;
}

uint64_t SimIrqLastCause(Card* card, int port, uint32_t vector) {
  ApiLock lock(card);
  return vector < 16 ? card->ports[port].irq.lastCauseNs[vector] : 0;
}

const uint16_t* SimEeprom(Card* card, int port) { return card->ports[port].eeprom; }

}  // namespace sim
}  // namespace tsnic
