// The simulated Intel 82599: a small C-style interface over the device model (no N-API here, so the
// model can be embedded in a plain C++ program, e.g. the sanitizer self-test in selftest.cc).
//
// A card has two ports. Each port has a 128 KiB register file (BAR0) that the driver reads and writes
// with plain loads and stores; one model thread per card polls it and reacts like silicon, and moves
// frames between the port's descriptor rings (DMA by IOVA = process virtual address, only inside
// regions registered with SimRegisterDma) and its far end: a built-in tester, itself (loopback), the
// other port (cross) or nothing (unplugged).
#pragma once
#include <cstddef>
#include <cstdint>

namespace tsnic {
namespace sim {

struct Card;

enum Wiring : int { kWiringTester = 0, kWiringLoopback = 1, kWiringCross = 2, kWiringUnplugged = 3 };

enum InvalidMac : int { kMacValid = 0, kMacZero = 1, kMacMulticast = 2 };

// Fault knobs of one port, to reach every error path of a driver.
struct Faults {
  bool resetNeverCompletes = false;       // CTRL.RST / CTRL.LRST never self-clear
  bool eepromAutoReadNeverCompletes = false;  // EEC.ARD stays clear after reset
  bool badEepromChecksum = false;         // word 0x3F read through EERD is wrong
  int invalidMac = kMacValid;             // RAL(0)/RAH(0) after auto-read: zero or multicast
  bool dmaInitNeverCompletes = false;     // RDRXCTL.DMAIDONE stays clear after reset
  bool linkNeverUp = false;               // LINKS.UP never set
  uint32_t linkDownForMs = 0;             // one shot: drop the link now for this long (0 = no)
  uint32_t rxErrorEvery = 0;              // every Nth received frame carries RXE (0 = never)
  uint32_t txPausedForMs = 0;             // one shot: the wire sends nothing for this long (PAUSE received)
  // The line to the far end (loopback, cross): a device under test between this port's tx and the
  // far end's rx (dut_line.cc). maxRatePps > 0: a store-and-forward queue of queueFrames frames served
  // at that rate, frames arriving to a full queue are dropped (counted in wireDropped); delayNs: fixed
  // delay of the line, added to every frame (up to 1 ms).
  uint32_t delayNs = 0;
  double maxRatePps = 0;
  uint32_t queueFrames = 4096;
};

// Named datasheet violations a driver can commit (see lib/bus/sim.ts for their documentation).
enum Violation : int {
  kDmaOutsideRegion = 0,
  kDmaWithoutBusMaster,
  kRingBaseUnaligned,
  kRingLengthInvalid,
  kTailOutsideRing,
  kQueueEnabledUnconfigured,
  kFctrlChangedWhileRxEnabled,
  kReadOnlyRegisterWritten,
  kTxDescriptorInvalid,
  kMemoryFreedWhileActive,
  kRxEnableWithoutSecRxDisable,
  kResetWithMasterEnabled,
  kRxBufferSizeZero,
  kCrcStripMismatch,
  kRsWithoutEop,           // RS on a tx descriptor without EOP (7.2.3.2.4: RS only on a frame's last)
  kPaylenMismatch,         // PAYLEN of a frame's first data descriptor != sum of its DTALENs (non-TSO)
  kNoSnoopEnabled,         // a frame DMAed while CTRL_EXT.NS_DIS is clear (4.6.7)
  kDcaRxctrlBit12Set,      // a frame DMAed into a queue whose DCA_RXCTRL bit 12 is still set (4.6.7)
  kViolationCount,
};

struct GeneratorConfig {
  double ratePps = 0;      // 0: as fast as the port takes frames (never counts misses)
  uint32_t frameSize = 60; // bytes without FCS, 60..9018
  uint64_t count = 0;      // 0: unlimited
  uint8_t srcMac[6] = {0x02, 0, 0, 0, 0xEE, 0x01};
  uint8_t dstMac[6] = {0};  // all zero: the port's own MAC address
  uint32_t flows = 1;       // UDP source ports 1024 .. 1024 + flows - 1, round robin (1..65535 - 1024)
};

// Counters of a port's tester and of the model itself, all since creation or the last reset call.
struct PortCounters {
  // tester generator (frames into the port's rx)
  uint64_t genPackets, genBytes;  // bytes without FCS
  // tester checker (frames the port transmitted)
  uint64_t chkPackets, chkBytes, chkSeqGaps, chkSeqReordered, chkBadChecksums, chkNonUdp;
  // model-side rx outcome of frames that reached the port's MAC
  uint64_t rxDelivered, rxMissed, rxDroppedDisabled, rxFiltered, rxOversize, rxErrorsInjected, rxLinkDown;
  // model-side tx outcome
  uint64_t txFrames, txDroppedLinkDown, txDescriptors;
  uint64_t violations[kViolationCount];
  uint64_t generatorRunning;  // 1 while the generator has frames left to send
  uint64_t linkUp;
  // tester checker: frames that arrived without a valid FCS (sender's HLREG0.TXCRCEN or IFCS clear)
  uint64_t chkBadFcs;
  // rx: frames dropped because their queue had no free descriptor and SRRCTL.DROP_EN was set (also in
  // RXMPC(0), see port_rx.cc), in total and per queue; frames with a MAC error dropped (FCTRL.SBP clear)
  uint64_t rxDropEn, rxErrorsDropped;
  uint64_t rxDropEnQueue[64];
  // The line to the far end (dut_line.cc): frames the device under test dropped (queue full, or the
  // delay line's storage full); IEEE 1588 (timesync.cc): tx and rx timestamps latched, and PTP frames
  // that matched TSYNCRXCTL but found the rx latch still held (not stamped).
  uint64_t wireDropped, txTimestamps, rxTimestamps, rxTimestampsLocked;
};

struct CardOptions {
  uint32_t linkUpDelayUs = 20000;
  uint32_t resetDelayUs = 1000;
  uint32_t autoReadDelayUs = 200;
  uint8_t mac[6] = {0x02, 0x00, 0x5E, 0x82, 0x59, 0x00};  // port n gets last byte + n
  // Benchmarks only: tx frames leave as fast as the model moves them, not at 10 Gbit/s (unlike any wire).
  bool unpacedWire = false;
  // Lockstep: no model thread; the caller runs the model's passes with SimStep (benchmarks that
  // account the model's time apart from the driver's), or starts the thread for a while (SimStartThread).
  bool lockstep = false;
  // Strict tails (access_trap.cc): the pages holding RDT/TDT (0x1000, 0x6000) are trapped too. A write
  // there returns only after a whole model pass has begun, so descriptors a tail covers are fetched
  // before the writer's next instruction, as silicon may fetch them (7.1.9, 7.2.3); DROP_EN drops are
  // counted in QPRDC(n), clear on read, as silicon counts them (8.2.3.23), not in RXMPC. Slower: two
  // signals and a model pass per tail write.
  bool strictTails = false;
};

Card* SimCreate(const CardOptions& options);
void SimDestroy(Card* card);  // stops the thread if it runs; unmaps the register files
// Starts the model thread (no-op when it runs); for a lockstep card while its driver waits on the model
// synchronously (open, close).
void SimStartThread(Card* card);
// Stops and joins the model thread (no-op when none runs).
void SimStopThread(Card* card);
bool SimThreadRunning(Card* card);
// The model thread's load counter, read at one instant (docs/benchmark.md, "Model-bound points").
struct ModelLoad {
  uint64_t busyNs = 0;        // time of the thread's loop in passes that did work, since card creation
  uint64_t atNs = 0;          // CLOCK_MONOTONIC at the reading
  uint64_t threadStarts = 0;  // times the model thread was started (a change: it was restarted in between)
  uint64_t cpuNs = 0;         // CPU time the thread's current run consumed (its CLOCK_THREAD_CPUTIME_ID)
  bool running = false;       // the thread runs now (false: lockstep card outside SimStartThread)
};
// Reads the load counter without the DMA lock (the model thread publishes busyNs after each pass). The busy
// fraction between two readings is the difference of busyNs over the difference of atNs; the last pass
// before a reading is counted only at the thread's next pass (at most one pass late).
void SimModelLoad(Card* card, ModelLoad* out);
// Runs `passes` model passes (each what one iteration of the model thread's loop does, both ports) on
// the calling thread; returns the nanoseconds spent inside them (CLOCK_MONOTONIC). Meant for lockstep
// cards with no thread running (with one, the passes interleave with the thread's).
uint64_t SimStep(Card* card, uint32_t passes);
// The register file of a port as the driver sees it (128 KiB).
uint32_t* SimBar0(Card* card, int port);
bool SimRegisterDma(Card* card, const void* addr, size_t size);
// A region freed while an enabled queue's ring lies in it counts as kMemoryFreedWhileActive.
bool SimUnregisterDma(Card* card, const void* addr, size_t size);
void SimSetBusMaster(Card* card, int port, bool on);
void SimSetWiring(Card* card, int port, Wiring wiring);
void SimSetFaults(Card* card, int port, const Faults& faults);
void SimStartGenerator(Card* card, int port, const GeneratorConfig& config);
void SimStopGenerator(Card* card, int port);
void SimReadCounters(Card* card, int port, PortCounters* out);
void SimResetCounters(Card* card, int port);
uint64_t SimDmaFaults(Card* card, uint64_t* lastAddress);
// Pins the card's model thread to `cpu` (-1: any CPU again); false when the system refuses. On a
// machine with few cores, a spinning model thread that shares a core with a spinning driver thread
// runs at a fraction of its speed: pin them apart (see docs/benchmark.md).
bool SimSetModelCpu(Card* card, int cpu);
// Interrupts (interrupts.h): the eventfds of the port's MSI-X vectors 0..count-1 (count 0: none), as
// VFIO_DEVICE_SET_IRQS gives them to a real device. Returns once the model no longer uses the old ones.
void SimSetIrqFds(Card* card, int port, const int* fds, uint32_t count);
// Messages the port sent on `vector` since creation (whether or not an eventfd received them).
uint64_t SimIrqFired(Card* card, int port, uint32_t vector);
// When (CLOCK_MONOTONIC ns) the rx cause behind the vector's last message was latched: the model pass
// that wrote back the frame. 0 before any. Vectors 0..15.
uint64_t SimIrqLastCause(Card* card, int port, uint32_t vector);
// The EEPROM image of a port (kEepromWords words), for tests.
const uint16_t* SimEeprom(Card* card, int port);

}  // namespace sim
}  // namespace tsnic
