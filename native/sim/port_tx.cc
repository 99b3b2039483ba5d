// Transmit side of a simulated 82599 port: descriptor fetch, multi-descriptor frame reassembly, DD
// write-back on RS (datasheet 7.2), and the far end: tester checker, loopback, cross, unplugged.
#include <cstring>

#include "sim/card.h"

namespace tsnic {
namespace sim {

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

// A complete frame left the MAC. `frame` is the queue's reassembly buffer or, for a frame in one
// descriptor, the DMA buffer itself (read only; short frames are padded in the reassembly buffer).
static void Emit(Port& p, TxQueue& tq, const uint8_t* frame, uint32_t len, bool ifcs) {
  if (len < kMinFrame && (p.regs.Load(kHlreg0) & kHlreg0TxPadEn)) {
    uint8_t* buf = tq.frame.data();
    if (frame != buf) std::memcpy(buf, frame, len);
    std::memset(buf + len, 0, kMinFrame - len);  // datasheet 7.2.1: pad short frames
    frame = buf;
    len = kMinFrame;
  }
  if (!p.linkUp) {
    p.counters.txDroppedLinkDown++;
    return;
  }
  p.counters.txFrames++;
  Count(p, kStatGptc, 1);
  Count(p, kStatTpt, 1);
  Count(p, kStatGotc, len + (ifcs ? kFcsBytes : 0));  // GOTC counts through the CRC
  switch (p.wiring) {
    case kWiringTester:
      Check(p, frame, len);
      break;
    case kWiringLoopback:
      PortDeliver(p, frame, len, 0);
      break;
    case kWiringCross:
      PortDeliver(p.card->ports[1 - p.index], frame, len, 0);
      break;
    case kWiringUnplugged:
      break;
  }
}

constexpr uint32_t kPrefetchAhead = 16;  // descriptors

static bool TxQueuePass(Port& p, uint32_t q) {
  TxQueue& tq = p.txq[q];
  const uint32_t b = TdBase(q);
  const uint32_t tail = p.regs.Load(b + kTdt);
  if (tail >= tq.count) {
    if (!tq.tailBad) Violate(p, kTailOutsideRing);
    tq.tailBad = true;
    return false;
  }
  tq.tailBad = false;
  if (tail == tq.head) return false;
  uint32_t head = tq.head;
  uint32_t budget = 256;
  DmaMap& dma = p.card->dma;
  while (head != tail && budget-- > 0) {
    volatile uint32_t* d = reinterpret_cast<volatile uint32_t*>(dma.Translate(tq.base + head * 16ull, 16));
    if (d == nullptr) {
      tq.enabled = false;  // the descriptor fetch failed: the queue stops (a PCIe error on silicon)
      break;
    }
    const uint64_t addr = d[0] | static_cast<uint64_t>(d[1]) << 32;
    // Ask for the headers of a frame a few descriptors ahead, so the checker does not wait for the
    // driver core's cache line at every frame. A prefetch is only a hint: it never faults and never
    // counts as a DMA access (IOVA = virtual address; the real access below is still translated).
    const uint32_t ahead = head + kPrefetchAhead < tq.count ? head + kPrefetchAhead : head + kPrefetchAhead - tq.count;
    if ((tail >= head ? tail - head : tail + tq.count - head) > kPrefetchAhead) {
      const volatile uint32_t* a = reinterpret_cast<const volatile uint32_t*>(dma.Translate(tq.base + ahead * 16ull, 16));
      if (a != nullptr) __builtin_prefetch(reinterpret_cast<const void*>(a[0] | static_cast<uint64_t>(a[1]) << 32));
    }
    const uint32_t cmd = d[2];
    const uint32_t sta = d[3];
    const bool dext = (cmd & kTxCmdDext) != 0;
    const uint8_t* direct = nullptr;
    const uint32_t dtyp = (cmd >> kTxDtypShift) & 0xF;
    p.counters.txDescriptors++;
    if (dext && dtyp == kTxDtypContext) {
      // Context descriptor (7.2.3.2.3): offload parameters only, no data.
    } else if (dext && dtyp != kTxDtypData) {
      Violate(p, kTxDescriptorInvalid);
    } else {
      const uint32_t len = cmd & 0xFFFF;
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
        if (!tq.frameBad) Emit(p, tq, direct != nullptr ? direct : tq.frame.data(), tq.frameLen, (cmd & kTxCmdIfcs) != 0);
        tq.frameLen = 0;
        tq.frameBad = false;
      }
    }
    if (cmd & kTxCmdRs) {
      // Write-back (7.2.3.2.4): DD in the STA field of dword 3.
      __atomic_store_n(const_cast<uint32_t*>(&d[3]), sta | kTxStaDd, __ATOMIC_RELEASE);
    }
    head = head + 1 == tq.count ? 0 : head + 1;
  }
  tq.head = head;
  p.regs.Store(b + kTdh, head);
  // Optional head write-back (TDWBAL.Head_WB_En, 7.2.3.5.2).
  const uint32_t wbal = p.regs.Load(b + kTdwbal);
  if (wbal & 1) {
    const uint64_t wb = (wbal & ~3u) | static_cast<uint64_t>(p.regs.Load(b + kTdwbah)) << 32;
    uint8_t* w = dma.Translate(wb, 4);
    if (w != nullptr) __atomic_store_n(reinterpret_cast<uint32_t*>(w), head, __ATOMIC_RELEASE);
  }
  return true;
}

bool PortTx(Port& p) {
  if (!(p.regs.Load(kDmatxctl) & kDmatxctlTe) || !p.busMaster) return false;
  bool work = false;
  for (uint32_t q = 0; q < kQueues; q++) {
    if (p.txq[q].enabled && TxQueuePass(p, q)) work = true;
  }
  return work;
}

}  // namespace sim
}  // namespace tsnic
