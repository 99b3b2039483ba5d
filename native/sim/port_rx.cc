// Receive side of a simulated 82599 port: MAC filtering, the rx packet buffer, descriptor write-back
// (datasheet 7.1), and the built-in tester's generator that feeds frames into the port.
//
// Deviation, documented in lib/bus/sim.ts: SRRCTL.DROP_EN is not modelled. A frame whose queue has no
// free descriptor waits in the 512 KiB packet buffer; when that is full the frame is missed and counted
// in RXMPC(0) (datasheet 8.2.3.23.4), whatever DROP_EN says. QPRDC stays 0.
#include <cstring>

#include "sim/card.h"

namespace tsnic {
namespace sim {

enum class Write { kDone, kNoDescriptor, kFault };

static uint32_t Align8(uint32_t n) { return (n + 7) & ~7u; }

void PortClearRx(Port& p) {
  if (p.fifo.bytes.empty()) p.fifo.bytes.resize(kRxFifoBytes);
  p.fifo.readAt = p.fifo.writeAt = p.fifo.used = p.fifo.frames = 0;
}

// Datasheet 7.1.1: unicast to RAL/RAH(0) or any unicast with FCTRL.UPE, multicast with FCTRL.MPE,
// broadcast with FCTRL.BAM.
static bool Accepts(Port& p, const uint8_t* f) {
  const uint32_t fctrl = p.regs.Load(kFctrl);
  if (f[0] == 0xFF && f[1] == 0xFF && f[2] == 0xFF && f[3] == 0xFF && f[4] == 0xFF && f[5] == 0xFF) {
    return (fctrl & kFctrlBam) != 0;
  }
  if (f[0] & 1) return (fctrl & kFctrlMpe) != 0;
  if (fctrl & kFctrlUpe) return true;
  const uint32_t rah = p.regs.Load(kRah0);
  if (!(rah & kRahAv)) return false;
  const uint32_t ral = p.regs.Load(kRal0);
  return f[0] == (ral & 0xFF) && f[1] == ((ral >> 8) & 0xFF) && f[2] == ((ral >> 16) & 0xFF) &&
         f[3] == (ral >> 24) && f[4] == (rah & 0xFF) && f[5] == ((rah >> 8) & 0xFF);
}

static uint32_t FreeDescriptors(Port& p, uint32_t q) {
  RxQueue& rq = p.rxq[q];
  const uint32_t tail = p.regs.Load(RdBase(q) + kRdt);
  if (tail >= rq.count) {
    if (!rq.tailBad) Violate(p, kTailOutsideRing);
    rq.tailBad = true;
    return 0;
  }
  rq.tailBad = false;
  // Descriptors from head up to (not including) tail belong to the hardware.
  return tail >= rq.head ? tail - rq.head : tail + rq.count - rq.head;
}

// Writes one frame (plus its FCS when CRC stripping is off) into the descriptors of queue q.
static Write WriteFrame(Port& p, uint32_t q, const uint8_t* frame, uint32_t len, uint32_t errors) {
  RxQueue& rq = p.rxq[q];
  if (!p.busMaster) return Write::kNoDescriptor;
  const bool strip = (p.regs.Load(kHlreg0) & kHlreg0RxCrcStrp) != 0;
  uint8_t fcs[4];
  uint32_t total = len;
  if (!strip) {
    const uint32_t crc = EthernetCrc(frame, len);
    for (int i = 0; i < 4; i++) fcs[i] = static_cast<uint8_t>(crc >> (8 * i));
    total += 4;
  }
  const uint32_t need = (total + rq.bufSize - 1) / rq.bufSize;
  if (need > FreeDescriptors(p, q)) return Write::kNoDescriptor;
  uint32_t done = 0;
  uint32_t head = rq.head;
  for (uint32_t i = 0; i < need; i++) {
    volatile uint32_t* d = reinterpret_cast<volatile uint32_t*>(p.card->dma.Translate(rq.base + head * 16ull, 16));
    if (d == nullptr) return Write::kFault;
    const uint64_t addr = d[0] | static_cast<uint64_t>(d[1]) << 32;
    const uint32_t chunk = total - done < rq.bufSize ? total - done : rq.bufSize;
    uint8_t* dst = p.card->dma.Translate(addr, chunk);
    if (dst == nullptr) return Write::kFault;
    const uint32_t fromFrame = done < len ? (len - done < chunk ? len - done : chunk) : 0;
    std::memcpy(dst, frame + done, fromFrame);
    if (fromFrame < chunk) std::memcpy(dst + fromFrame, fcs + (done + fromFrame - len), chunk - fromFrame);
    done += chunk;
    const bool last = i + 1 == need;
    if (rq.legacy) {
      // Legacy write-back (7.1.5): dword 2 = length, dword 3 = status (DD, EOP) and errors.
      d[2] = chunk;
      const uint32_t legacyErr = (errors & kRxErrRxe) ? kRxLegacyErrCe : 0;
      __atomic_store_n(const_cast<uint32_t*>(&d[3]), kRxStatDd | (last ? kRxStatEop | legacyErr : 0), __ATOMIC_RELEASE);
    } else {
      // Advanced write-back (7.1.6.2): dword 0/1 packet type and RSS hash (0), dword 3 = length,
      // dword 2 = extended status and errors, written last so DD implies the rest.
      d[0] = 0;
      d[1] = 0;
      d[3] = chunk;
      __atomic_store_n(const_cast<uint32_t*>(&d[2]), kRxStatDd | (last ? kRxStatEop | errors : 0), __ATOMIC_RELEASE);
    }
    head = head + 1 == rq.count ? 0 : head + 1;
  }
  rq.head = head;
  p.regs.Store(RdBase(q) + kRdh, head);
  if (errors == 0) {
    Count(p, kStatGprc, 1);
    Count(p, kStatGorc, len + kFcsBytes);  // GORC counts from the destination address through the CRC
  }
  Count(p, kStatTpr, 1);
  p.counters.rxDelivered++;
  return Write::kDone;
}

static bool FifoPush(Port& p, uint32_t q, const uint8_t* frame, uint32_t len, uint32_t errors) {
  RxFifo& f = p.fifo;
  const uint32_t rec = 16 + Align8(len);
  if (f.used + rec > kRxFifoBytes) return false;
  if (f.writeAt + rec > kRxFifoBytes) {
    // Records never wrap: the rest of the ring is skipped (a zero length marks the skip).
    const uint32_t skip = kRxFifoBytes - f.writeAt;
    if (f.used + skip + rec > kRxFifoBytes) return false;
    std::memset(&f.bytes[f.writeAt], 0, 4);
    f.used += skip;
    f.writeAt = 0;
  }
  uint32_t hdr[4] = {len, q, errors, 0};
  std::memcpy(&f.bytes[f.writeAt], hdr, 16);
  std::memcpy(&f.bytes[f.writeAt + 16], frame, len);
  f.writeAt += rec;
  if (f.writeAt == kRxFifoBytes) f.writeAt = 0;
  f.used += rec;
  f.frames++;
  return true;
}

// Moves buffered frames into their queues while descriptors are free. Returns true when it moved any.
static bool FifoDrain(Port& p) {
  RxFifo& f = p.fifo;
  bool moved = false;
  while (f.frames > 0) {
    uint32_t hdr[4];
    std::memcpy(hdr, &f.bytes[f.readAt], 16);
    if (hdr[0] == 0) {  // skip marker
      f.used -= kRxFifoBytes - f.readAt;
      f.readAt = 0;
      continue;
    }
    const uint32_t q = hdr[1];
    if (!p.rxq[q].enabled) return moved;
    const Write w = WriteFrame(p, q, &f.bytes[f.readAt + 16], hdr[0], hdr[2]);
    if (w == Write::kNoDescriptor) return moved;
    const uint32_t rec = 16 + Align8(hdr[0]);
    f.readAt += rec;
    if (f.readAt == kRxFifoBytes) f.readAt = 0;
    f.used -= rec;
    f.frames--;
    moved = true;
  }
  f.readAt = f.writeAt = f.used = 0;
  return moved;
}

void PortDeliver(Port& p, const uint8_t* frame, uint32_t len, uint32_t errors) {
  if (!p.linkUp) {
    p.counters.rxLinkDown++;
    return;
  }
  if (!RxPathOpen(p)) {
    p.counters.rxDroppedDisabled++;
    return;
  }
  if (!Accepts(p, frame)) {
    p.counters.rxFiltered++;
    return;
  }
  const uint32_t hlreg0 = p.regs.Load(kHlreg0);
  const uint32_t maxLen = (hlreg0 & kHlreg0JumboEn) ? p.regs.Load(kMaxfrs) >> 16 : 1518;
  if (len + kFcsBytes > maxLen) {
    Count(p, kStatRoc, 1);
    p.counters.rxOversize++;
    return;
  }
  if (p.faults.rxErrorEvery != 0 && ++p.rxFrameNo % p.faults.rxErrorEvery == 0) {
    // Injected MAC error: posted with RXE (as with FCTRL.SBP) and counted in CRCERRS.
    errors |= kRxErrRxe;
    Count(p, kStatCrcerrs, 1);
    p.counters.rxErrorsInjected++;
  }
  const uint32_t q = 0;  // no RSS / pool filters configured: everything goes to queue 0
  if (!p.rxq[q].enabled) {
    p.counters.rxDroppedDisabled++;
    return;
  }
  if (p.fifo.frames == 0) {
    const Write w = WriteFrame(p, q, frame, len, errors);
    if (w == Write::kDone || w == Write::kFault) return;
  }
  if (!FifoPush(p, q, frame, len, errors)) {
    Count(p, kStatMpc, 1);
    p.counters.rxMissed++;
  }
}

// How many generated frames the port would take into descriptors right now (the unpaced generator
// only sends those, so "as fast as possible" never overruns the ring).
static uint64_t FramesReady(Port& p) {
  if (!p.linkUp || !p.busMaster || p.fifo.frames != 0 || !p.rxq[0].enabled) return 0;
  if (!RxPathOpen(p)) return 0;
  const uint32_t perFrame = (p.gen.frame.size + kFcsBytes) / p.rxq[0].bufSize + 1;
  return FreeDescriptors(p, 0) / perFrame;
}

// The generator's common case, batched: up to `n` frames of the template straight into queue 0's
// descriptors, with the per-frame decisions of PortDeliver and WriteFrame taken once (they depend only
// on the port's registers and the template), RDT read once and RDH written once for the batch. Returns
// how many frames it consumed (delivered, or lost to a DMA fault exactly as WriteFrame loses them);
// PortDeliver takes the rest one by one (packet buffer, misses, injected errors, legacy descriptors).
static uint64_t DeliverDirect(Port& p, Generator& g, uint64_t n) {
  RxQueue& rq = p.rxq[0];
  const uint32_t len = g.frame.size;
  if (!p.linkUp || !p.busMaster || !rq.enabled || rq.legacy || p.fifo.frames != 0 || p.faults.rxErrorEvery != 0) return 0;
  if (!RxPathOpen(p) || !Accepts(p, g.frame.bytes)) return 0;
  const uint32_t hlreg0 = p.regs.Load(kHlreg0);
  const uint32_t maxLen = (hlreg0 & kHlreg0JumboEn) ? p.regs.Load(kMaxfrs) >> 16 : 1518;
  if (!(hlreg0 & kHlreg0RxCrcStrp) || len + kFcsBytes > maxLen || len > rq.bufSize) return 0;
  const uint32_t free = FreeDescriptors(p, 0);
  const uint64_t k = n < free ? n : free;
  DmaMap& dma = p.card->dma;
  uint32_t head = rq.head;
  uint64_t consumed = 0;
  uint64_t delivered = 0;
  while (consumed < k) {
    consumed++;
    volatile uint32_t* d = reinterpret_cast<volatile uint32_t*>(dma.Translate(rq.base + head * 16ull, 16));
    if (d == nullptr) break;
    uint8_t* dst = dma.Translate(d[0] | static_cast<uint64_t>(d[1]) << 32, len);
    if (dst == nullptr) break;
    PatchSequence(&g.frame, g.seq);
    g.seq++;
    std::memcpy(dst, g.frame.bytes, len);
    // Advanced write-back (7.1.6.2), status dword last so DD implies the rest.
    d[0] = 0;
    d[1] = 0;
    d[3] = len;
    __atomic_store_n(const_cast<uint32_t*>(&d[2]), kRxStatDd | kRxStatEop, __ATOMIC_RELEASE);
    head = head + 1 == rq.count ? 0 : head + 1;
    delivered++;
  }
  if (delivered != consumed) g.seq++;  // the frame lost to the DMA fault still used its number
  if (delivered > 0) {
    rq.head = head;
    p.regs.Store(RdBase(0) + kRdh, head);
    Count(p, kStatGprc, delivered);
    Count(p, kStatGorc, delivered * (len + kFcsBytes));
    Count(p, kStatTpr, delivered);
    p.counters.rxDelivered += delivered;
  }
  return consumed;
}

static bool Generate(Port& p, uint64_t now) {
  Generator& g = p.gen;
  if (!g.running) return false;
  if (p.wiring != kWiringTester || !p.linkUp) {
    g.paceBase = now;
    g.pacedSent = 0;
    return false;
  }
  uint64_t budget = 256;
  if (g.config.count != 0 && g.config.count - g.sent < budget) budget = g.config.count - g.sent;
  if (g.config.ratePps > 0) {
    const uint64_t due = static_cast<uint64_t>(g.config.ratePps * static_cast<double>(now - g.paceBase) / 1e9);
    if (due <= g.pacedSent) return false;
    if (due - g.pacedSent < budget) budget = due - g.pacedSent;
  }
  if (g.config.ratePps <= 0) {
    const uint64_t ready = FramesReady(p);
    if (ready < budget) budget = ready;
  }
  const uint64_t n = budget;
  uint64_t done = DeliverDirect(p, g, n);
  for (; done < n; done++) {
    PatchSequence(&g.frame, g.seq);
    PortDeliver(p, g.frame.bytes, g.frame.size, 0);
    g.seq++;
  }
  g.sent += n;
  g.pacedSent += n;
  p.counters.genPackets += n;
  p.counters.genBytes += n * g.frame.size;
  if (g.config.count != 0 && g.sent >= g.config.count) g.running = false;
  return n > 0;
}

bool PortRx(Port& p, uint64_t now) {
  bool work = false;
  if (p.fifo.frames != 0) work = FifoDrain(p);
  if (Generate(p, now)) work = true;
  return work;
}

}  // namespace sim
}  // namespace tsnic
