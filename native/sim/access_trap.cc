// Clear-on-read statistics and write-1-to-clear EICR over plain memory.
//
// On silicon, reading GPRC returns the frames counted since the previous read and zeroes the counter
// (datasheet 8.2.3.23). A driver therefore sums every value it reads. The simulated register file is
// ordinary memory, so a JavaScript load cannot tell the model that it happened. To keep a
// datasheet-faithful driver correct without any sim-specific code, the driver's view of the pages
// that hold the modelled counters (0x3000-0x3FFF: RXMPC; 0x4000-0x4FFF: CRCERRS, GPRC, GPTC, GORC,
// GOTC, ROC, TPR, TPT) is mapped with no access. Touching it faults (SIGSEGV) in the reading thread:
//   1. the handler finds the register from the fault address; for a read of a counter it writes into
//      the register (through the model's own mapping) the counter's value since the last read, i.e.
//      the model's running total minus what earlier reads already reported, and advances that mark;
//   2. it opens the page and sets the trap flag, so exactly the faulting instruction runs;
//   3. the SIGTRAP after that instruction closes the page again (and zeroes GORCH/GOTCH once read).
// The 64-bit octet counters latch on the low register: reading GORCL reports the whole delta in
// GORCL and GORCH; reading GORCH afterwards returns the high half and clears it (read low, then high,
// as Linux ixgbe does).
// EICR reads clear the causes they return (interrupts.cc, 7.3.4.3), and EICS writes set causes.
// EICR has the same problem in the other direction: writing 1 to a set cause bit leaves the memory as
// it was, so a poll cannot see it. Page 0x0000-0x0FFF (CTRL, STATUS, EICR, EIMS, EIMC, ...) is trapped
// too, and after a write to EICR the written bits are cleared from the model's causes. Page 0x5000 is
// trapped so that a write to FCTRL is checked against RXCTRL.RXEN at the moment it happens.
// Writes are also checked at the instant they happen where the datasheet orders a sequence:
//   - RXCTRL.RXEN from 0 to 1 needs SECRXCTRL.RX_DIS set and SECRXSTAT.SECRX_RDY already set (the 82599
//     Rx-enable handshake), and HLREG0.RXCRCSTRP equal to RDRXCTL.CRCSTRIP (8.2.3.8.8);
//   - CTRL.RST from 0 to 1 needs STATUS.GIO_MASTER_ENABLE already clear (PCIe master disable first,
//     5.2.5.3.2).
// RAL/RAH(0..15) also answer at 0x5400 + 8n (the 82598 layout, which Linux still uses for entries
// 0..15): on page 0x5000, a read there is served from the primary address 0xA200 + 8n and a write is
// copied to it, so both addresses always show the same value (the model uses the primary one).
// Page 0x8000 is trapped for the IEEE 1588 unit (timesync.cc): a SYSTIML read latches the clock into
// SYSTIML/SYSTIMH, reading TXSTMPH / RXSTMPH (the latter on page 0x5000) releases the timestamp latch,
// TIMINCA and SYSTIML/H writes rebase the clock, and TSYNCTXCTL/TSYNCRXCTL.VALID stay read only.
// The other registers of these pages (RXCTRL, HLREG0, AUTOC, LINKS, DMATXCTL,
// ...) behave as plain memory, at the cost of two signals per access: drivers touch them only during
// setup and link polling. The hot-path registers (RDT, TDT, RDH, TDH) are on other pages, trapped only
// with strict tails (below).
// Strict tails (CardOptions::strictTails) trap the hot-path pages too: 0x1000 (RDT, RXDCTL, QPRDC of
// queues 0..63) and 0x6000 (TDT, TXDCTL). Silicon may fetch the descriptors a tail covers as soon as the
// write reaches it (7.1.9, 7.2.3), so a driver that moves a tail before the descriptors are ready
// sends or fills stale ones, sometimes. The model thread polls, and usually looks after the driver has
// finished, so here the writer is held in the SIGTRAP handler until a whole model pass has begun after
// its write: the model then fetches at the worst moment for such a driver, every time. A read of
// RXDCTL/TXDCTL right after a write to it likewise returns what the model made of the write (no
// read-back race). QPRDC(n) becomes clear on read, and DROP_EN drops are counted there only (8.2.3.23).
// Limits: x86-64 Linux; counters must be read with 32-bit loads (one register per instruction), from
// one thread at a time per port. Unhandled faults are passed on to the previous handler.
#include "sim/access_trap.h"

#include <immintrin.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <ucontext.h>

#include <array>
#include <atomic>
#include <cstdint>

#include "sim/card.h"

namespace tsnic {
namespace sim {

namespace {

constexpr uintptr_t kPage = 4096;
constexpr uint32_t kTrappedPages[] = {0x0000, 0x3000, 0x4000, 0x5000, 0x8000};
constexpr uint32_t kTailPages[] = {0x1000, 0x6000};  // with strict tails only
constexpr int kMaxPages = 224;  // 32 ports, 7 pages each
constexpr int kMaxPending = 64;

struct TrapPage {
  std::atomic<uintptr_t> addr{0};  // page address in a driver view; 0 = free slot
  Port* port = nullptr;
  uint32_t offset = 0;             // register offset of the page
};

struct Pending {
  std::atomic<long> tid{0};
  uintptr_t pages[2] = {0, 0};
  int npages = 0;
  Port* port = nullptr;
  uint32_t reg = 0;
  bool write = false;
  uint32_t old = 0;  // a write's register value before the write
};

TrapPage g_pages[kMaxPages];
Pending g_pending[kMaxPending];
struct sigaction g_oldSegv, g_oldTrap;
std::atomic<bool> g_installed{false};

long Tid() { return syscall(SYS_gettid); }

struct Counter {
  uint32_t reg;
  Stat stat;
  bool high;  // the high half of a 64-bit counter latched by the low half
};
constexpr Counter kCounters[] = {
    {kCrcerrs, kStatCrcerrs, false}, {kGprc, kStatGprc, false},  {kGptc, kStatGptc, false},
    {kGorcl, kStatGorc, false},      {kGorch, kStatGorc, true},  {kGotcl, kStatGotc, false},
    {kGotch, kStatGotc, true},       {kMpc0, kStatMpc, false},   {kTpr, kStatTpr, false},
    {kTpt, kStatTpt, false},         {0x040AC, kStatRoc, false},
};

// QPRDC(0..15), counting only with strict tails (their page is trapped only then).
constexpr std::array<Counter, 16> QprdcCounters() {
  std::array<Counter, 16> out{};
  for (uint32_t n = 0; n < 16; n++) out[n] = {kQprdc + 0x40 * n, static_cast<Stat>(kStatQprdc0 + n), false};
  return out;
}
constexpr std::array<Counter, 16> kQprdcCounters = QprdcCounters();

const Counter* FindCounter(uint32_t reg) {
  for (const Counter& c : kCounters) {
    if (c.reg == reg) return &c;
  }
  for (const Counter& c : kQprdcCounters) {
    if (c.reg == reg) return &c;
  }
  return nullptr;
}

bool OnTailPage(uint32_t reg) {
  for (uint32_t page : kTailPages) {
    if (reg >= page && reg < page + kPage) return true;
  }
  return false;
}

// Holds a strict-tail writer until a whole pass of the running model thread has begun after its write
// (the pass under way may have read the registers before it). No thread (lockstep): nothing to wait
// for. Bounded by a second, should the thread stop meanwhile.
void AwaitModelPass(Card& card) {
  if (!card.threadRunning.load(std::memory_order_acquire)) return;
  const uint64_t target = card.passes.load(std::memory_order_acquire) + 2;
  timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (uint32_t spins = 1; card.passes.load(std::memory_order_acquire) < target; spins++) {
    _mm_pause();
    if ((spins & 0xFFF) != 0) continue;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec > 1) return;
  }
}

// The primary address of an aliased RAL/RAH(0..15) register at 0x5400 + 8n, or 0.
uint32_t RarPrimary(uint32_t reg) {
  if (reg < kRalAlias0 || reg >= kRalAlias0 + 8 * kRarAliased) return 0;
  return reg - kRalAlias0 + kRal0;
}

// Step 1: publish the value since the last read into the register about to be read.
void PrepareRead(Port& p, uint32_t reg) {
  if (reg == kEicr) {  // the causes as they are now (the model thread only changes the atomic)
    p.regs.Store(kEicr, p.eicrCauses.load());
    return;
  }
  if (reg == kEims) {  // the mask as it is now (auto-mask changes only the atomic, interrupts.cc)
    p.regs.Store(kEims, p.eimsBits.load());
    return;
  }
  if (const uint32_t primary = RarPrimary(reg)) {
    p.regs.Store(reg, p.regs.Load(primary));
    return;
  }
  const Counter* c = FindCounter(reg);
  if (c == nullptr || c->high) return;
  const uint64_t total = p.stats[c->stat].load(std::memory_order_relaxed);
  uint64_t seen = p.statsReported[c->stat].load(std::memory_order_relaxed);
  if (total < seen) seen = 0;  // the device was reset since
  const uint64_t delta = total - seen;
  p.statsReported[c->stat].store(total, std::memory_order_relaxed);
  p.regs.Store(reg, static_cast<uint32_t>(delta));
  if (c->stat == kStatGorc || c->stat == kStatGotc) p.regs.Store(reg + 4, static_cast<uint32_t>(delta >> 32));
}

void TrapViolate(Port& p, Violation v) { p.trapCounts[v].fetch_add(1, std::memory_order_relaxed); }

// RXCTRL written: RXEN turned on is checked against the Rx-enable handshake and the CRC strip pair.
void CheckRxEnable(Port& p, uint32_t old) {
  const uint32_t now = p.regs.Load(kRxctrl);
  if ((old & kRxctrlRxen) || !(now & kRxctrlRxen)) return;
  // Linux ixgbe_enable_rx_dma_82599 / DPDK: RX_DIS set and SECRX_RDY seen before RXEN (82599 errata:
  // traffic arriving while the Rx unit is enabled can hang the Rx DMA).
  if (!(p.regs.Load(kSecrxctrl) & kSecrxctrlRxDis) || !p.secRxReady.load()) TrapViolate(p, kRxEnableWithoutSecRxDisable);
  // 8.2.3.8.8: RDRXCTL.CRCSTRIP must be set the same as HLREG0.RXCRCSTRP.
  const bool hlreg = (p.regs.Load(kHlreg0) & kHlreg0RxCrcStrp) != 0;
  const bool rdrx = (p.regs.Load(kRdrxctl) & kRdrxctlCrcStrip) != 0;
  if (hlreg != rdrx) TrapViolate(p, kCrcStripMismatch);
}

// CTRL written: a device reset while master requests may still be pending (5.2.5.3.2, 4.6.3.2).
void CheckReset(Port& p, uint32_t old) {
  const uint32_t now = p.regs.Load(kCtrl);
  if ((now & kCtrlRst) && !(old & kCtrlRst) && p.gioEnabled.load()) TrapViolate(p, kResetWithMasterEnabled);
}

void Chain(const struct sigaction& old, int sig, siginfo_t* info, void* uctx) {
  if (old.sa_flags & SA_SIGINFO) {
    if (old.sa_sigaction != nullptr) old.sa_sigaction(sig, info, uctx);
    return;
  }
  if (old.sa_handler == SIG_IGN) return;
  if (old.sa_handler == SIG_DFL) {
    signal(sig, SIG_DFL);  // the faulting instruction runs again and the default action follows
    return;
  }
  old.sa_handler(sig);
}

TrapPage* FindPage(uintptr_t addr) {
  const uintptr_t page = addr & ~(kPage - 1);
  for (TrapPage& t : g_pages) {
    if (t.addr.load(std::memory_order_acquire) == page) return &t;
  }
  return nullptr;
}

Pending* FindPending(long tid) {
  for (Pending& e : g_pending) {
    if (e.tid.load(std::memory_order_acquire) == tid) return &e;
  }
  return nullptr;
}

void OnSegv(int sig, siginfo_t* info, void* uctx) {
  const uintptr_t addr = reinterpret_cast<uintptr_t>(info->si_addr);
  TrapPage* t = FindPage(addr);
  if (t == nullptr) return Chain(g_oldSegv, sig, info, uctx);
  ucontext_t* uc = static_cast<ucontext_t*>(uctx);
  const long tid = Tid();
  Pending* e = FindPending(tid);
  if (e == nullptr) {
    for (Pending& slot : g_pending) {
      long free = 0;
      if (slot.tid.compare_exchange_strong(free, tid)) {
        e = &slot;
        e->npages = 0;
        break;
      }
    }
    if (e == nullptr) return Chain(g_oldSegv, sig, info, uctx);
    e->port = t->port;
    e->reg = t->offset + static_cast<uint32_t>((addr & (kPage - 1)) & ~uintptr_t{3});
    e->write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
    if (!e->write) {
      PrepareRead(*t->port, e->reg);
      TimesyncBeforeRead(*t->port, e->reg);
    }
    // A write's value before it; a read's value as it is read (EICR clears what was read).
    e->old = t->port->regs.Load(e->reg);
  }
  if (e->npages < 2) e->pages[e->npages++] = addr & ~(kPage - 1);
  mprotect(reinterpret_cast<void*>(addr & ~(kPage - 1)), kPage, PROT_READ | PROT_WRITE);
  uc->uc_mcontext.gregs[REG_EFL] |= 0x100;  // trap flag: stop after this one instruction
}

void OnTrap(int sig, siginfo_t* info, void* uctx) {
  Pending* e = FindPending(Tid());
  if (e == nullptr) return Chain(g_oldTrap, sig, info, uctx);
  ucontext_t* uc = static_cast<ucontext_t*>(uctx);
  uc->uc_mcontext.gregs[REG_EFL] &= ~0x100;
  const Counter* c = FindCounter(e->reg);
  if (c != nullptr && e->write) {
    e->port->trapViolations.fetch_add(1, std::memory_order_relaxed);  // counters are read-only
  } else if (c != nullptr && c->high) {
    e->port->regs.Store(e->reg, 0);
  } else if (TimesyncRegister(e->reg)) {
    TimesyncAfterAccess(*e->port, e->reg, e->write);
  } else if (e->write && e->reg == kFctrl) {
    // Datasheet 8.2.3.7.1: FCTRL may only change while receives are disabled (RXCTRL.RXEN clear).
    if (e->port->regs.Load(kRxctrl) & kRxctrlRxen) e->port->fctrlViolations.fetch_add(1);
  } else if (e->write && e->reg == kEims) {
    // EIMS is write-1-to-set (datasheet 8.2.3.5, interrupt registers): the store replaced the mask, so OR it back in.
    Port& p = *e->port;
    const uint32_t written = p.regs.Load(kEims);
    p.regs.Store(kEims, p.eimsBits.fetch_or(written) | written);
  } else if (e->write && e->reg == kEimc) {
    // EIMC is write-1-to-clear into EIMS and reads 0 (8.2.3.5).
    Port& p = *e->port;
    const uint32_t written = p.regs.Load(kEimc);
    p.regs.Store(kEims, p.eimsBits.fetch_and(~written) & ~written);
    p.regs.Store(kEimc, 0);
    IrqRearm(p, written);  // interrupts.cc: a masked vector signals again once unmasked
  } else if (e->write && e->reg == kRxctrl) {
    CheckRxEnable(*e->port, e->old);
  } else if (e->write && e->reg == kCtrl) {
    CheckReset(*e->port, e->old);
  } else if (e->write && RarPrimary(e->reg) != 0) {
    e->port->regs.Store(RarPrimary(e->reg), e->port->regs.Load(e->reg));
  } else if (e->write && e->reg == kEicr) {
    Port& p = *e->port;
    const uint32_t written = p.regs.Load(kEicr);
    p.regs.Store(kEicr, p.eicrCauses.fetch_and(~written) & ~written);
    IrqRearm(p, written);  // interrupts.cc: a cleared cause signals again once set
  } else if (e->write && e->reg == kEics) {
    IrqOnEicsWrite(*e->port);  // interrupts.cc: EICS sets EICR bits
  } else if (!e->write && e->reg == kEicr) {
    IrqOnEicrRead(*e->port, e->old);  // interrupts.cc: clear on read
  }
  for (int i = 0; i < e->npages; i++) mprotect(reinterpret_cast<void*>(e->pages[i]), kPage, PROT_NONE);
  e->npages = 0;
  Port& port = *e->port;
  const bool tailWrite = e->write && OnTailPage(e->reg);
  e->tid.store(0, std::memory_order_release);
  if (tailWrite) AwaitModelPass(*port.card);
}

bool Install() {
  if (g_installed.exchange(true)) return true;
  struct sigaction sa = {};
  sa.sa_sigaction = OnSegv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, &g_oldSegv) != 0) return false;
  sa.sa_sigaction = OnTrap;
  return sigaction(SIGTRAP, &sa, &g_oldTrap) == 0;
}

// Traps one page of the port's driver view; false when no slot is free or mprotect fails.
bool TrapOnePage(Port& p, uintptr_t base, uint32_t off) {
  if (FindPage(base + off) != nullptr) return true;
  for (TrapPage& t : g_pages) {
    if (t.addr.load() != 0) continue;
    t.port = &p;
    t.offset = off;
    t.addr.store(base + off, std::memory_order_release);
    if (mprotect(reinterpret_cast<void*>(base + off), kPage, PROT_NONE) != 0) {
      t.addr.store(0);
      return false;
    }
    return true;
  }
  return false;
}

// Opens a trapped page again and frees its slot (no-op for a page not trapped).
void UntrapPage(uintptr_t page) {
  TrapPage* t = FindPage(page);
  if (t == nullptr) return;
  mprotect(reinterpret_cast<void*>(page), kPage, PROT_READ | PROT_WRITE);
  t->addr.store(0, std::memory_order_release);
}

}  // namespace

bool AccessTrapAttach(Port& p, bool strictTails) {
  if (!Install()) return false;
  const uintptr_t base = reinterpret_cast<uintptr_t>(p.regs.driverView());
  for (uint32_t off : kTrappedPages) {
    if (!TrapOnePage(p, base, off)) return false;
  }
  if (strictTails) {
    for (uint32_t off : kTailPages) {
      if (!TrapOnePage(p, base, off)) return false;
    }
  }
  return true;
}

void AccessTrapDetach(Port& p) {
  const uintptr_t base = reinterpret_cast<uintptr_t>(p.regs.driverView());
  for (uint32_t off : kTrappedPages) UntrapPage(base + off);
  for (uint32_t off : kTailPages) UntrapPage(base + off);
}

void AccessTrapReset(Port& p) {
  for (auto& s : p.statsReported) s.store(0, std::memory_order_relaxed);
  for (const Counter& c : kCounters) p.regs.Store(c.reg, 0);
  for (const Counter& c : kQprdcCounters) p.regs.Store(c.reg, 0);
}

}  // namespace sim
}  // namespace tsnic
