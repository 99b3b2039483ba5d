// Internal state of the simulated 82599 card: two ports and the model thread that serves them.
#pragma once
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "sim/dma.h"
#include "sim/dut_line.h"
#include "sim/eeprom.h"
#include "sim/interrupts.h"
#include "sim/packet.h"
#include "sim/regfile.h"
#include "sim/regs.h"
#include "sim/sim.h"
#include "sim/timesync.h"

namespace tsnic {
namespace sim {

constexpr uint32_t kTxFrameMax = 16384;      // largest frame a tx queue reassembles
constexpr uint32_t kRxFifoBytes = 512 * 1024;  // RXPBSIZE(0) default: the rx packet buffer

struct RxQueue {
  bool enabled = false;
  bool legacy = false;
  uint64_t base = 0;
  uint32_t count = 0;    // descriptors
  uint32_t head = 0;
  uint32_t bufSize = 2048;
  bool tailBad = false;  // the current tail value was already reported as a violation
  // RXDCTL as the model publishes it (a difference is a driver write) and the disable handshake
  uint32_t dctlPublished = 0;
  bool disablePending = false; // ENABLE cleared by the driver; reads 0 from the next pass on
  uint64_t disablePass = 0;
  // On-chip descriptor cache (port_rx.cc): buffer addresses of descriptors fetched as soon as RDT
  // covered them; cacheHead is the ring index of the first one (stale when it differs from head).
  static constexpr uint32_t kCache = 32;
  uint64_t cacheAddr[kCache];
  uint32_t cacheFirst = 0, cacheCount = 0, cacheHead = 0;
};

struct TxQueue {
  bool enabled = false;
  uint64_t base = 0;
  uint32_t count = 0;
  uint32_t head = 0;
  bool tailBad = false;
  bool frameBad = false;        // a segment of the frame being assembled failed
  uint32_t frameLen = 0;
  std::vector<uint8_t> frame;   // reassembly of a multi-descriptor frame
  // TXDCTL as the model publishes it (a difference is a driver write) and the disable handshake
  uint32_t dctlPublished = 0;
  bool disablePending = false;  // ENABLE cleared by the driver: ENABLE reads 1 until the queue stopped
  // On-chip descriptor cache (port_tx.cc), as for rx: descriptors copied as soon as TDT covered them.
  static constexpr uint32_t kCache = 40;
  uint32_t cache[kCache][4];
  uint32_t cacheFirst = 0, cacheCount = 0, cacheHead = 0;
  uint32_t framePaylen = 0;     // PAYLEN of the frame's first data descriptor (0: not advanced)
  bool frameHasPaylen = false;
  uint32_t wbPending[128];      // RS descriptors processed but not yet written back (TXDCTL.WTHRESH)
  uint32_t wbCount = 0, wbProcessed = 0;
  bool frameTstamp = false;     // a descriptor of the frame asked for an IEEE 1588 timestamp (timesync.cc)
};

struct Generator {
  bool running = false;
  GeneratorConfig config;
  uint64_t sent = 0;       // frames generated since start
  uint64_t paceBase = 0;   // ns: pacing restarts here (start, link up)
  uint64_t pacedSent = 0;  // frames generated since paceBase
  uint32_t seq = 0;
  FrameTemplate frame;
};

struct Checker {
  bool haveSeq = false;
  uint32_t expected = 0;
};

// Frames waiting in the rx packet buffer while their queue has no free descriptor (SRRCTL.DROP_EN
// clear): a byte ring of records {length, queue, error bits, bytes padded to 8}.
struct RxFifo {
  std::vector<uint8_t> bytes;
  uint32_t readAt = 0, writeAt = 0, used = 0, frames = 0;
};

// Internal running totals behind the clear-on-read statistics registers.
// QPRDC(0..15) (8.2.3.23) are kStatQprdc0 + n, used only with CardOptions::strictTails (their page is
// trapped only then).
enum Stat : int { kStatGprc, kStatGptc, kStatGorc, kStatGotc, kStatMpc, kStatCrcerrs, kStatTpr, kStatTpt,
                  kStatRoc, kStatQprdc0, kStatCount = kStatQprdc0 + 16 };

struct Port {
  Card* card = nullptr;
  int index = 0;
  RegFile regs;
  uint16_t eeprom[kEepromWords];
  uint8_t mac[6];

  // mutable configuration from the API (changed under the card's DMA lock)
  Wiring wiring = kWiringTester;
  Faults faults;
  bool busMaster = false;

  // reset / eeprom / link
  bool resetPending = false;
  uint64_t resetDoneAt = 0;
  bool autoReadPending = false;
  uint64_t autoReadAt = 0;
  bool linkUp = false;
  uint64_t linkUpAt = 0;       // 0: no training in progress
  uint64_t linkDownUntil = 0;  // flap fault: link held down until then
  uint32_t linksValue = 0;     // what LINKS should show
  uint32_t linksPublished = 0; // what the model last wrote to LINKS (a difference is a driver write)
  uint32_t statusValue = 0;    // what STATUS shows
  std::atomic<uint32_t> eimsBits{0};  // EIMS: set by EIMS writes, cleared by EIMC writes (access_trap)
  std::atomic<uint32_t> eicrCauses{0};  // model raises (fetch_or), access_trap clears on write
  uint32_t srrctlShadow[16];
  uint32_t srrctlAliasShadow[16];
  bool dmaIdone = false;

  RxQueue rxq[kQueues];
  TxQueue txq[kQueues];
  RxFifo fifo;
  uint64_t rxFrameNo = 0;  // for the rx error fault

  Generator gen;
  Checker checker;

  std::atomic<uint64_t> stats[kStatCount];          // running totals, written by the model thread
  std::atomic<uint64_t> statsReported[kStatCount];  // what driver reads already returned (access_trap)
  std::atomic<uint64_t> trapViolations{0};          // writes to counter registers, seen by access_trap
  std::atomic<uint64_t> fctrlViolations{0};         // FCTRL written while RXEN, seen by access_trap
  PortCounters counters;

  // Control path (model-control): model passes, PCIe master disable, the 82599 Rx-enable handshake,
  // violations seen by access_trap at the instant of a write, and aliased registers.
  uint64_t passes = 0;                 // PortControl calls since creation
  bool busMasterConfig = false;        // PCI command register bus master enable (API); busMaster above is
                                       // the effective one: off while CTRL.GIO_DIS blocks master requests
  bool masterBlocked = false;          // CTRL.GIO_DIS seen set
  uint64_t masterBlockedPass = 0;
  uint64_t masterBlockedAt = 0;       // ns: when GIO_DIS was seen
  std::atomic<bool> gioEnabled{true};  // STATUS.GIO_MASTER_ENABLE as the model decides it
  bool secRxDisSeen = false;           // SECRXCTRL.RX_DIS seen set
  uint64_t secRxDisPass = 0, secRxReadyAt = 0;
  std::atomic<bool> secRxReady{false}; // SECRXSTAT.SECRX_RDY as the model decides it
  uint32_t secrxstatPublished = 0;
  uint32_t dcaRxShadow[16];
  uint32_t dcaRxAliasShadow[16];
  std::atomic<uint64_t> trapCounts[kViolationCount];  // violations seen by access_trap (any thread)
  // Tx packet buffer (TXPBSIZE(0)) draining onto the 10 Gbit/s wire (port_tx.cc): records
  // {length, flags, enqueue time ps (2 words)} + bytes padded to 8, never wrapping.
  struct TxWire {
    std::vector<uint8_t> bytes;
    uint32_t readAt = 0, writeAt = 0, used = 0, frames = 0;
    uint64_t freePs = 0;  // when the wire finishes the frame it is sending (ps since the epoch of NowNs)
  } txWire;
  // RSS (port_rx.cc): Toeplitz tables for the current RSSRK key, one 256-entry table per input byte.
  uint32_t rssKey[10] = {0};
  bool rssReady = false;
  uint32_t rssTable[12][256];
  uint32_t rxDrainBudget = 0;  // frames the rx packet buffer may still move this pass
  Interrupts irq;              // interrupts.cc
  TimesyncState timesync;      // IEEE 1588 clock and latches (timesync.cc)
  DutLine line;                // the line to the far end, with the device-under-test knobs (dut_line.cc)
};

struct Card {
  CardOptions options;
  Port ports[2];
  DmaMap dma;
  std::atomic<int> waiters{0};
  std::atomic<bool> stop{false};
  std::thread thread;
  // The model thread's load (SimModelLoad): ns of its loop spent on passes that did work, since the card
  // was created (all runs of the thread), and how many times the thread was started. Written by the
  // model thread (busyNs) or the API thread with no model thread running (threadStarts).
  std::atomic<uint64_t> busyNs{0};
  std::atomic<uint64_t> threadStarts{0};
  // Passes the model thread completed, and whether it runs: a strict tail write (access_trap.cc) waits
  // for the passes of a running thread.
  std::atomic<uint64_t> passes{0};
  std::atomic<bool> threadRunning{false};
};

// port_control.cc
void PortPowerOn(Port& p, uint64_t now);
bool PortControl(Port& p, uint64_t now);   // reacts to register writes; true when something happened
void PortStartLink(Port& p, uint64_t now);
void PortSetWiring(Port& p, Wiring w, uint64_t now);
void PortApplyFaults(Port& p, const Faults& f, uint64_t now);
void Violate(Port& p, Violation v);
// port_rx.cc
bool PortRx(Port& p, uint64_t now);        // rx FIFO drain and the tester generator
// sfdNs: when the frame's start arrived (its IEEE 1588 receive time); 0: now.
void PortDeliver(Port& p, const uint8_t* frame, uint32_t len, uint32_t errors, uint64_t sfdNs = 0);
void PortClearRx(Port& p);
// port_tx.cc
bool PortTx(Port& p);
// interrupts.h: a frame was written back on rx queue q (mapped to its vector at the end of the pass).
inline void IrqRxCause(Port& p, uint32_t q) { p.irq.rxCauses |= 1ull << q; }
inline void IrqRearm(Port& p, uint32_t bits) { p.irq.rearm.fetch_or(bits); }
// counters
inline void Count(Port& p, Stat s, uint64_t n) { p.stats[s].store(p.stats[s].load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
uint64_t NowNs();
// Receive is on: RXCTRL.RXEN set and the security block not holding the rx path (SECRXCTRL.RX_DIS clear,
// 8.2.3.12.5: while RX_DIS is set no frame reaches the packet buffer).
inline bool RxPathOpen(Port& p) {
  return (p.regs.Load(kRxctrl) & kRxctrlRxen) && !(p.regs.Load(kSecrxctrl) & kSecrxctrlRxDis);
}

}  // namespace sim
}  // namespace tsnic
