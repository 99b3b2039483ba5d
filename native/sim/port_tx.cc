// Transmit side of a simulated 82599 port (datasheet 7.2): descriptor prefetch, multi-descriptor frame
// reassembly, DD write-back on RS (TXDCTL.WTHRESH), the tx packet buffer and the 10 Gbit/s wire, and
// the far end: tester checker, loopback, cross, unplugged.
//
// The tx DMA moves frames into the packet buffer (TXPBSIZE(0) bytes, 8.2.3.9.13) only while it has
// room; descriptors are consumed (and written back) only then. The buffer drains onto the wire at line
// rate: each frame takes (frame + FCS + 8 bytes preamble/SFD + 12 bytes inter-frame gap) * 0.8 ns, so
// 60-byte frames leave at 14.88 Mpps. A frame reaches the far end when its last bit has left. With
// CardOptions.unpacedWire (benchmarks only) frames leave at once, straight from the DMA buffer.
#include <cstring>

#include "sim/card.h"

namespace tsnic {
namespace sim {

constexpr uint32_t kTxWireBytes = 160 * 1024;  // the 82599's tx packet buffer: TXPBSIZE(0) reset value
constexpr uint64_t kPsPerByte = 800;           // 10 Gbit/s
constexpr uint32_t kWireOverhead = 8 + 12;     // preamble + SFD, inter-frame gap
constexpr uint32_t kRecordHeader = 16;         // {length, flags, enqueue time (2 words)}
constexpr uint32_t kPrefetchAhead = 16;        // descriptors

static uint32_t Align8(uint32_t n) { return (n + 7) & ~7u; }

static void Check(Port& p, const uint8_t* frame, uint32_t len) {
  PortCounters& c = p.counters;
  c.chkPackets++;
  c.chkBytes += len;
  uint32_t seq = 0;
  bool hasSeq = false;
  const FrameKind kind = CheckFrame(frame, len, &seq, &hasSeq);
  if (kind == FrameKind::kNotUdp) {
    c.chkNonUdp++;
    return;
  }
  if (kind == FrameKind::kBadChecksum) c.chkBadChecksums++;
  if (!hasSeq) return;
  Checker& k = p.checker;
  if (!k.haveSeq || seq == k.expected) {
    k.haveSeq = true;
    k.expected = seq + 1;
  } else if (static_cast<int32_t>(seq - k.expected) > 0) {
    c.chkSeqGaps += seq - k.expected;  // frames missing between the last one and this one
    k.expected = seq + 1;
  } else {
    c.chkSeqReordered++;  // late or duplicate
  }
}

// A complete frame left the wire (its start at startNs, its end at endNs). Without an FCS
// (HLREG0.TXCRCEN or the descriptor's IFCS clear) the far end sees a CRC error: the tester counts it
// apart, a port counts it in CRCERRS (port_rx.cc). A frame whose descriptor asked for it gets its IEEE
// 1588 timestamp at its start (timesync.cc); a port far end gets it through the line (dut_line.cc).
static void Emit(Port& p, const uint8_t* frame, uint32_t len, bool fcs, bool tstamp, uint64_t startNs, uint64_t endNs) {
  if (!p.linkUp) {
    p.counters.txDroppedLinkDown++;
    return;
  }
  if (tstamp) TimesyncTx(p, startNs);
  p.counters.txFrames++;
  Count(p, kStatGptc, 1);
  Count(p, kStatTpt, 1);
  Count(p, kStatGotc, len + (fcs ? kFcsBytes : 0));  // GOTC counts through the CRC
  const uint32_t errors = fcs ? 0 : kRxErrRxe;
  switch (p.wiring) {
    case kWiringTester:
      if (fcs) Check(p, frame, len);
      else p.counters.chkBadFcs++;
      break;
    case kWiringLoopback:
    case kWiringCross:
      LineSend(p, frame, len, errors, startNs, endNs);
      break;
    case kWiringUnplugged:
      break;
  }
}

// ---- the tx packet buffer and the wire ----

static uint32_t TxPbBytes(Port& p) {
  const uint32_t b = ((p.regs.Load(kTxpbsize0) & kPbSizeMask) >> kPbSizeShift) * 1024;
  return b < kTxWireBytes ? b : kTxWireBytes;
}

// Whether a frame of `len` bytes fits the packet buffer now (records never wrap: see WirePush).
static bool WireFits(Port& p, uint32_t len) {
  Port::TxWire& w = p.txWire;
  const uint32_t cap = TxPbBytes(p);
  const uint32_t rec = kRecordHeader + Align8(len);
  if (w.used + rec > cap) return false;
  if (w.writeAt + rec > kTxWireBytes && w.used + (kTxWireBytes - w.writeAt) + rec > cap) return false;
  return true;
}

// Stores a frame that WireFits accepted.
static void WirePush(Port& p, const uint8_t* frame, uint32_t len, bool fcs, bool tstamp, uint64_t nowPs) {
  Port::TxWire& w = p.txWire;
  if (w.bytes.empty()) w.bytes.resize(kTxWireBytes);
  const uint32_t rec = kRecordHeader + Align8(len);
  if (w.writeAt + rec > kTxWireBytes) {
    std::memset(&w.bytes[w.writeAt], 0, 4);  // zero length: skip to the start
    w.used += kTxWireBytes - w.writeAt;
    w.writeAt = 0;
  }
  const uint32_t hdr[4] = {len, (fcs ? 1u : 0u) | (tstamp ? 2u : 0u), static_cast<uint32_t>(nowPs), static_cast<uint32_t>(nowPs >> 32)};
  std::memcpy(&w.bytes[w.writeAt], hdr, kRecordHeader);
  std::memcpy(&w.bytes[w.writeAt + kRecordHeader], frame, len);
  w.writeAt += rec;
  if (w.writeAt == kTxWireBytes) w.writeAt = 0;
  w.used += rec;
  w.frames++;
}

// Sends every buffered frame whose last bit has left the wire by `nowPs`. Returns true while frames
// are buffered (the model thread must keep polling).
static bool WireDrain(Port& p, uint64_t nowPs) {
  Port::TxWire& w = p.txWire;
  while (w.frames > 0) {
    uint32_t hdr[4];
    std::memcpy(hdr, &w.bytes[w.readAt], kRecordHeader);
    if (hdr[0] == 0) {
      w.used -= kTxWireBytes - w.readAt;
      w.readAt = 0;
      continue;
    }
    const uint64_t enqueued = hdr[2] | static_cast<uint64_t>(hdr[3]) << 32;
    const bool fcs = hdr[1] & 1;
    const uint64_t start = w.freePs > enqueued ? w.freePs : enqueued;
    const uint64_t end = start + (hdr[0] + (fcs ? kFcsBytes : 0) + kWireOverhead) * kPsPerByte;
    if (end > nowPs) break;
    w.freePs = end;
    Emit(p, &w.bytes[w.readAt + kRecordHeader], hdr[0], fcs, (hdr[1] & 2) != 0, start / 1000, end / 1000);
    const uint32_t rec = kRecordHeader + Align8(hdr[0]);
    w.readAt += rec;
    if (w.readAt == kTxWireBytes) w.readAt = 0;
    w.used -= rec;
    w.frames--;
    if (w.frames == 0) w.readAt = w.writeAt = w.used = 0;
  }
  return w.frames > 0;
}

// ---- descriptors ----

// Copies descriptors TDT newly covers into the queue's on-chip cache, as silicon fetches them as soon
// as the tail covers them: a driver that writes a descriptor after moving the tail gets the stale one.
static void TxPrefetch(Port& p, TxQueue& tq, uint32_t tail) {
  if (tq.cacheHead != tq.head) {  // the ring was re-enabled: the cache is stale
    tq.cacheCount = 0;
    tq.cacheFirst = 0;
    tq.cacheHead = tq.head;
  }
  const uint32_t owned = tail >= tq.head ? tail - tq.head : tail + tq.count - tq.head;
  if (owned <= tq.cacheCount || tq.cacheCount == TxQueue::kCache) return;
  uint32_t n = owned - tq.cacheCount;
  if (n > TxQueue::kCache - tq.cacheCount) n = TxQueue::kCache - tq.cacheCount;
  uint32_t next = tq.head + tq.cacheCount;
  if (next >= tq.count) next -= tq.count;
  DmaMap& dma = p.card->dma;
  for (uint32_t i = 0; i < n; i++) {
    const volatile uint32_t* d = reinterpret_cast<const volatile uint32_t*>(dma.Translate(tq.base + next * 16ull, 16));
    if (d == nullptr) {
      tq.enabled = false;  // the descriptor fetch failed: the queue stops (a PCIe error on silicon)
      return;
    }
    uint32_t slot = tq.cacheFirst + tq.cacheCount;
    if (slot >= TxQueue::kCache) slot -= TxQueue::kCache;
    for (int k = 0; k < 4; k++) tq.cache[slot][k] = d[k];
    tq.cacheCount++;
    next = next + 1 == tq.count ? 0 : next + 1;
  }
}

// Write-back of DD (7.2.3.2.4: STA bit 0 of dword 3) on the descriptors with RS processed so far.
static void WriteBack(Port& p, TxQueue& tq) {
  DmaMap& dma = p.card->dma;
  for (uint32_t i = 0; i < tq.wbCount; i++) {
    volatile uint32_t* d = reinterpret_cast<volatile uint32_t*>(dma.Translate(tq.base + tq.wbPending[i] * 16ull, 16));
    if (d != nullptr) __atomic_store_n(const_cast<uint32_t*>(&d[3]), kTxStaDd, __ATOMIC_RELEASE);
  }
  tq.wbCount = 0;
  tq.wbProcessed = 0;
}

// A frame's descriptors are complete (EOP): pad it (7.2.1, HLREG0.TXPADEN) and send it.
static void FrameDone(Port& p, TxQueue& tq, const uint8_t* direct, bool fcs, bool paced, uint64_t nowPs) {
  const bool tstamp = tq.frameTstamp;
  tq.frameTstamp = false;
  const uint8_t* frame = direct != nullptr ? direct : tq.frame.data();
  uint32_t len = tq.frameLen;
  if (len < kMinFrame && (p.regs.Load(kHlreg0) & kHlreg0TxPadEn)) {
    uint8_t* buf = tq.frame.data();
    if (frame != buf) std::memcpy(buf, frame, len);
    std::memset(buf + len, 0, kMinFrame - len);
    frame = buf;
    len = kMinFrame;
  }
  if (paced) {
    WirePush(p, frame, len, fcs, tstamp, nowPs);
  } else {
    const uint64_t now = NowNs();
    Emit(p, frame, len, fcs, tstamp, now, now);
  }
}

// Write-backs held below WTHRESH are flushed (7.2.3.5.1) while TXDCTL.SWFLSH is set, or by the expiry
// of the interrupt throttling timer of the vector the queue's tx cause is mapped to: the model flushes
// at the end of a pass when IVAR maps the cause (8.2.3.5.14), as if that timer had expired. A queue
// whose cause is not mapped (a polling driver) gets no flush: up to WTHRESH - 1 descriptors wait for
// the next ones, as on silicon (Linux ixgbe sets WTHRESH 1 without an interrupt timer for this reason).
static void FlushHeldWriteBacks(Port& p, TxQueue& tq, uint32_t q) {
  if (tq.wbCount == 0 && tq.wbProcessed == 0) return;
  const bool swflsh = (p.regs.Load(TdBase(q) + kTxdctl) & kTxdctlSwflsh) != 0;
  const bool mapped = (IvarEntry(p.regs.Load(Ivar(q >> 1)), q, true) & kIvarValid) != 0;
  if (swflsh || mapped) WriteBack(p, tq);
}

static bool TxQueuePass(Port& p, uint32_t q, bool paced, uint64_t nowPs) {
  TxQueue& tq = p.txq[q];
  const uint32_t b = TdBase(q);
  const uint32_t tail = p.regs.Load(b + kTdt);
  if (tail >= tq.count) {
    if (!tq.tailBad) Violate(p, kTailOutsideRing);
    tq.tailBad = true;
    return false;
  }
  tq.tailBad = false;
  TxPrefetch(p, tq, tail);
  if (tq.cacheCount == 0) {
    FlushHeldWriteBacks(p, tq, q);
    return false;
  }
  const uint32_t wthresh = (p.regs.Load(b + kTxdctl) & kTxdctlWthreshMask) >> kTxdctlWthreshShift;
  const bool crcEnabled = (p.regs.Load(kHlreg0) & kHlreg0TxCrcEn) != 0;
  const bool pad = (p.regs.Load(kHlreg0) & kHlreg0TxPadEn) != 0;
  uint32_t budget = 256;
  bool moved = false;
  DmaMap& dma = p.card->dma;
  while (budget-- > 0) {
    if (tq.cacheCount <= kPrefetchAhead) {
      TxPrefetch(p, tq, tail);  // keep the cache topped up (and the header prefetch below fed)
      if (tq.cacheCount == 0) break;
    }
    const uint32_t* c = tq.cache[tq.cacheFirst];
    const uint32_t cmd = c[2];
    const bool dext = (cmd & kTxCmdDext) != 0;
    const uint32_t dtyp = (cmd >> kTxDtypShift) & 0xF;
    const bool data = !dext || dtyp == kTxDtypData;
    const uint32_t len = cmd & 0xFFFF;
    if (paced && data && len != 0 && tq.frameLen + len <= kTxFrameMax) {
      // The DMA only moves a frame into the packet buffer while it has room for it.
      uint32_t need = tq.frameLen + len;
      if ((cmd & kTxCmdEop) && pad && need < kMinFrame) need = kMinFrame;
      if (!WireFits(p, need)) break;
    }
    const uint64_t addr = c[0] | static_cast<uint64_t>(c[1]) << 32;
    if (tq.cacheCount > kPrefetchAhead) {
      // Ask for the buffer of a descriptor a few ahead, so the checker does not wait for the driver
      // core's cache line at every frame. Only a hint: it never faults and is no DMA access.
      uint32_t ahead = tq.cacheFirst + kPrefetchAhead;
      if (ahead >= TxQueue::kCache) ahead -= TxQueue::kCache;
      __builtin_prefetch(reinterpret_cast<const void*>(tq.cache[ahead][0] | static_cast<uint64_t>(tq.cache[ahead][1]) << 32));
    }
    const uint8_t* direct = nullptr;
    p.counters.txDescriptors++;
    if (dext && dtyp == kTxDtypContext) {
      // Context descriptor (7.2.3.2.3): offload parameters only, no data.
    } else if (!data) {
      Violate(p, kTxDescriptorInvalid);
    } else {
      if (tq.frameLen == 0 && !tq.frameBad) {
        // PAYLEN (dword 3 bits 31:14) of a frame's first advanced data descriptor: the frame's length
        // without TSO (7.2.3.2.4).
        tq.frameHasPaylen = dext && !(cmd & kTxCmdTse);
        tq.framePaylen = c[3] >> kTxPaylenShift;
      }
      if (dext && (cmd & kTxCmdTstamp)) tq.frameTstamp = true;  // 7.2.3.2.4 MAC.TSTAMP, 7.9.2
      if (len == 0 || tq.frameLen + len > kTxFrameMax) {
        Violate(p, kTxDescriptorInvalid);
        tq.frameBad = true;
      } else {
        const uint8_t* src = dma.Translate(addr, len);
        if (src == nullptr) {
          tq.frameBad = true;
        } else if ((cmd & kTxCmdEop) && tq.frameLen == 0) {
          direct = src;  // a whole frame in one buffer: no reassembly copy
          tq.frameLen = len;
        } else {
          std::memcpy(tq.frame.data() + tq.frameLen, src, len);
          tq.frameLen += len;
        }
      }
      if (cmd & kTxCmdEop) {
        if (tq.frameHasPaylen && tq.framePaylen != tq.frameLen && !tq.frameBad) Violate(p, kPaylenMismatch);
        if (!tq.frameBad) FrameDone(p, tq, direct, crcEnabled && (cmd & kTxCmdIfcs), paced, nowPs);
        tq.frameLen = 0;
        tq.frameBad = false;
        tq.frameTstamp = false;
      } else if (cmd & kTxCmdRs) {
        Violate(p, kRsWithoutEop);  // 7.2.3.2.4: RS only on the last descriptor of a frame
      }
    }
    // DD write-back (7.2.3.5.1): with WTHRESH 0 each RS descriptor at once; otherwise in bursts once
    // WTHRESH descriptors have been processed (other flushes: FlushHeldWriteBacks).
    if (cmd & kTxCmdRs) tq.wbPending[tq.wbCount++] = tq.head;
    tq.wbProcessed++;
    if (wthresh == 0 ? tq.wbCount > 0 : (tq.wbProcessed >= wthresh || tq.wbCount == 128)) WriteBack(p, tq);
    tq.cacheFirst = tq.cacheFirst + 1 == TxQueue::kCache ? 0 : tq.cacheFirst + 1;
    tq.cacheCount--;
    tq.head = tq.head + 1 == tq.count ? 0 : tq.head + 1;
    tq.cacheHead = tq.head;
    moved = true;
    if (!tq.enabled) break;
  }
  FlushHeldWriteBacks(p, tq, q);
  if (!moved) return false;
  p.regs.Store(b + kTdh, tq.head);
  // Optional head write-back (TDWBAL.Head_WB_En, 7.2.3.5.2).
  const uint32_t wbal = p.regs.Load(b + kTdwbal);
  if (wbal & 1) {
    const uint64_t wb = (wbal & ~3u) | static_cast<uint64_t>(p.regs.Load(b + kTdwbah)) << 32;
    uint8_t* w = dma.Translate(wb, 4);
    if (w != nullptr) __atomic_store_n(reinterpret_cast<uint32_t*>(w), tq.head, __ATOMIC_RELEASE);
  }
  return true;
}

bool PortTx(Port& p) {
  const bool paced = !p.card->options.unpacedWire;
  const uint64_t nowPs = paced ? NowNs() * 1000 : 0;
  bool work = paced && p.txWire.frames > 0 && WireDrain(p, nowPs);
  if (p.line.frames > 0 && LineDrain(p, paced ? nowPs / 1000 : NowNs())) work = true;
  // DMATXCTL.TE (8.2.3.9.2) and RTTDCS.ARBDIS (8.2.3.10.2, 4.6.11.3.4: the descriptor arbiter is
  // disabled while the driver configures tx) both stop descriptor processing; the buffer still drains.
  // So does a link that is down: the MAC cannot send, the tx DMA stops and descriptors stay pending
  // (Linux's ixgbe watchdog resets the NIC to flush them; a queue disable cannot complete meanwhile).
  const bool active = (p.regs.Load(kDmatxctl) & kDmatxctlTe) && p.busMaster && p.linkUp &&
                      !(p.regs.Load(kRttdcs) & kRttdcsArbdis);
  for (uint32_t q = 0; q < kQueues; q++) {
    TxQueue& tq = p.txq[q];
    if (!tq.enabled) {
      // A disabled (or reset) queue forgets its fetched descriptors: they belonged to the old ring.
      if ((tq.cacheCount | tq.wbCount | tq.wbProcessed) != 0) tq.cacheCount = tq.wbCount = tq.wbProcessed = 0;
    } else if (active && TxQueuePass(p, q, paced, nowPs)) {
      work = true;
    }
  }
  if (paced && p.txWire.frames > 0) work = WireDrain(p, nowPs) || work;
  return work;
}

}  // namespace sim
}  // namespace tsnic
