// Receive side of a simulated 82599 port: MAC filtering, RSS, the rx packet buffer, descriptor
// prefetch and write-back (datasheet 7.1), and the built-in tester's generator that feeds frames into
// the port.
//
// The packet buffer (RXPBSIZE(0) bytes, 8.2.3.8.9) is one FIFO for every queue, as on silicon: a frame
// whose queue has no free descriptor waits in it and blocks the frames behind it, whatever their queue
// (head-of-line blocking), unless the queue's SRRCTL.DROP_EN is set: then the frame is dropped at
// once (8.2.3.8.7). A frame that does not fit the buffer is missed (RXMPC(0), 8.2.3.23.4).
// Silicon counts DROP_EN drops in QPRDC(n) (8.2.3.23), a clear-on-read register on page 0x1000 next to
// RDT. That page is trapped only with strict tails (access_trap.cc); then QPRDC counts them, as on
// silicon. Otherwise QPRDC reads 0 and DROP_EN drops are counted in RXMPC(0) instead. The model's own
// counters have them per queue either way.
#include <cstring>

#include "sim/card.h"

namespace tsnic {
namespace sim {

enum class Write { kDone, kNoDescriptor, kFault };

constexpr uint32_t kRxDrainBudget = 256;  // frames the packet buffer moves per port and model pass
constexpr double kLineBitsPerSecond = 10e9;

static uint32_t Align8(uint32_t n) { return (n + 7) & ~7u; }

static uint32_t Min(uint32_t a, uint32_t b) { return a < b ? a : b; }

void PortClearRx(Port& p) {
  if (p.fifo.bytes.empty()) p.fifo.bytes.resize(kRxFifoBytes);
  p.fifo.readAt = p.fifo.writeAt = p.fifo.used = p.fifo.frames = 0;
  // A reset empties the tx packet buffer as well (port_tx.cc).
  Port::TxWire& w = p.txWire;
  w.readAt = w.writeAt = w.used = w.frames = 0;
  w.freePs = 0;
}

// RXPBSIZE(0).SIZE in bytes, at most the 512 KiB the 82599 has.
static uint32_t RxPbBytes(Port& p) {
  return Min(((p.regs.Load(kRxpbsize0) & kPbSizeMask) >> kPbSizeShift) * 1024, kRxFifoBytes);
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

// ---- RSS (7.1.2.8) ----

// Rebuilds the Toeplitz tables when RSSRK changed: rssTable[i][b] is the hash contribution of input
// byte i having value b, so a hash is the XOR of one lookup per input byte.
static void RssRefresh(Port& p) {
  uint32_t key[10];
  bool same = p.rssReady;
  for (uint32_t i = 0; i < 10; i++) {
    key[i] = p.regs.Load(kRssrk + 4 * i);
    same = same && key[i] == p.rssKey[i];
  }
  if (same) return;
  std::memcpy(p.rssKey, key, sizeof(key));
  uint8_t k[40];
  for (uint32_t i = 0; i < 40; i++) k[i] = static_cast<uint8_t>(key[i / 4] >> (8 * (i % 4)));  // byte 0 = bits 7:0
  for (uint32_t i = 0; i < 12; i++) {
    uint32_t window[8];  // the 32 key bits starting at input bit 8 i + j (key bits numbered from the MSB of byte 0)
    for (uint32_t j = 0; j < 8; j++) {
      const uint32_t bit = 8 * i + j;
      uint64_t w = 0;
      for (uint32_t b = 0; b < 5; b++) w = w << 8 | k[bit / 8 + b];
      window[j] = static_cast<uint32_t>(w >> (8 - bit % 8));
    }
    for (uint32_t v = 0; v < 256; v++) {
      uint32_t h = 0;
      for (uint32_t j = 0; j < 8; j++) {
        if (v & (0x80u >> j)) h ^= window[j];
      }
      p.rssTable[i][v] = h;
    }
  }
  p.rssReady = true;
}

struct RssResult {
  uint32_t queue = 0, hash = 0, type = 0;
};

// MRQC.MRQE = RSS: hash IPv4 source/destination address (and UDP ports when the UDP field is enabled)
// with the RSSRK key, queue = RETA[hash bits 6:0] (bits 3:0 of the entry: 16 RSS queues). A frame no
// enabled field type matches gets hash 0 and type 0, so RETA entry 0.
static RssResult Rss(Port& p, const uint8_t* f, uint32_t len) {
  RssResult r;
  const uint32_t mrqc = p.regs.Load(kMrqc);
  if ((mrqc & kMrqeMask) != kMrqeRss) return r;
  if (!p.rssReady) RssRefresh(p);
  if (len >= 34 && f[12] == 0x08 && f[13] == 0x00 && (f[14] >> 4) == 4) {
    const uint8_t* ip = f + 14;
    const uint32_t ihl = (ip[0] & 0xF) * 4u;
    const bool fragment = ((ip[6] & 0x3F) | ip[7]) != 0;  // MF or a fragment offset: no ports to hash
    const bool udp = ip[9] == 17 && !fragment && ihl >= 20 && 14 + ihl + 4 <= len;
    uint32_t n = 0;
    if (udp && (mrqc & kMrqcIpv4Udp)) {
      n = 12;
      r.type = kRssTypeIpv4Udp;
    } else if (mrqc & kMrqcIpv4) {
      n = 8;
      r.type = kRssTypeIpv4;
    }
    uint32_t h = 0;
    for (uint32_t i = 0; i < n; i++) h ^= p.rssTable[i][i < 8 ? ip[12 + i] : ip[ihl + i - 8]];
    r.hash = h;
  }
  const uint32_t entry = r.hash & 0x7F;
  r.queue = (p.regs.Load(kReta + 4 * (entry / 4)) >> (8 * (entry % 4))) & 0xF;
  return r;
}

// ---- descriptors ----

// Copies the buffer addresses of descriptors RDT newly covers into the queue's on-chip cache, as
// silicon fetches them as soon as the tail covers them: a driver that writes a descriptor after moving
// the tail gets the stale one used. Returns false when RDT is outside the ring.
static bool RxPrefetch(Port& p, RxQueue& rq, uint32_t q) {
  const uint32_t tail = p.regs.Load(RdBase(q) + kRdt);
  if (tail >= rq.count) {
    if (!rq.tailBad) Violate(p, kTailOutsideRing);
    rq.tailBad = true;
    return false;
  }
  rq.tailBad = false;
  if (rq.cacheHead != rq.head) {  // the ring was re-enabled: the cache is stale
    rq.cacheCount = 0;
    rq.cacheFirst = 0;
    rq.cacheHead = rq.head;
  }
  if (rq.cacheCount == RxQueue::kCache) return true;
  uint32_t next = rq.head + rq.cacheCount;
  if (next >= rq.count) next -= rq.count;
  // Descriptors from head up to (not including) tail belong to the hardware.
  const uint32_t owned = tail >= rq.head ? tail - rq.head : tail + rq.count - rq.head;
  if (owned <= rq.cacheCount) return true;
  const uint32_t n = Min(owned - rq.cacheCount, RxQueue::kCache - rq.cacheCount);
  DmaMap& dma = p.card->dma;
  for (uint32_t i = 0; i < n; i++) {
    const volatile uint32_t* d = reinterpret_cast<const volatile uint32_t*>(dma.Translate(rq.base + next * 16ull, 16));
    if (d == nullptr) break;  // refused and recorded as a DMA fault; retried on the next pass
    uint32_t slot = rq.cacheFirst + rq.cacheCount;
    if (slot >= RxQueue::kCache) slot -= RxQueue::kCache;
    rq.cacheAddr[slot] = d[0] | static_cast<uint64_t>(d[1]) << 32;
    rq.cacheCount++;
    next = next + 1 == rq.count ? 0 : next + 1;
  }
  return true;
}

// Descriptors the hardware owns now, from head up to (not including) RDT: 7.1.9, RDT == RDH means none.
// Descriptors fetched into the cache earlier are used only while this says they are still owned (a
// driver that moved RDT back onto RDH has given the NIC nothing to write).
static uint32_t Owned(Port& p, const RxQueue& rq, uint32_t q) {
  const uint32_t tail = p.regs.Load(RdBase(q) + kRdt);
  if (tail >= rq.count) return 0;
  return tail >= rq.head ? tail - rq.head : tail + rq.count - rq.head;
}

// Takes the first cached descriptor (the one at head).
static uint64_t RxPop(RxQueue& rq) {
  const uint64_t a = rq.cacheAddr[rq.cacheFirst];
  rq.cacheFirst = rq.cacheFirst + 1 == RxQueue::kCache ? 0 : rq.cacheFirst + 1;
  rq.cacheCount--;
  rq.head = rq.head + 1 == rq.count ? 0 : rq.head + 1;
  rq.cacheHead = rq.head;
  return a;
}

// DMA ordering rules where silicon's behaviour is undefined (4.6.7, last step of rx init): counted once
// per frame written into host memory.
static void CheckRxOrdering(Port& p, uint32_t q, uint64_t frames) {
  if (!(p.regs.Load(kCtrlExt) & kCtrlExtNsDis)) p.counters.violations[kNoSnoopEnabled] += frames;
  if (p.regs.Load(DcaRxctrl(q)) & kDcaRxctrlBit12) p.counters.violations[kDcaRxctrlBit12Set] += frames;
}

// Writes one frame (plus its FCS when CRC stripping is off) into the descriptors of queue q.
static Write WriteFrame(Port& p, uint32_t q, const uint8_t* frame, uint32_t len, uint32_t errors, uint32_t rssHash,
                        uint32_t rssType) {
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
  if (need > Owned(p, rq, q)) return Write::kNoDescriptor;
  if (need > rq.cacheCount || rq.cacheHead != rq.head) {
    if (!RxPrefetch(p, rq, q) || need > rq.cacheCount) return Write::kNoDescriptor;
  }
  CheckRxOrdering(p, q, 1);
  uint32_t done = 0;
  for (uint32_t i = 0; i < need; i++) {
    const uint32_t at = rq.head;
    const uint64_t addr = RxPop(rq);
    volatile uint32_t* d = reinterpret_cast<volatile uint32_t*>(p.card->dma.Translate(rq.base + at * 16ull, 16));
    const uint32_t chunk = total - done < rq.bufSize ? total - done : rq.bufSize;
    uint8_t* dst = p.card->dma.Translate(addr, chunk);
    if (d == nullptr || dst == nullptr) {
      p.regs.Store(RdBase(q) + kRdh, rq.head);
      return Write::kFault;
    }
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
      // Advanced write-back (7.1.6.2): dword 0 bits 3:0 RSS type, dword 1 RSS hash, dword 3 = length,
      // dword 2 = extended status and errors, written last so DD implies the rest.
      d[0] = rssType;
      d[1] = rssHash;
      d[3] = chunk;
      __atomic_store_n(const_cast<uint32_t*>(&d[2]), kRxStatDd | (last ? kRxStatEop | errors : 0), __ATOMIC_RELEASE);
    }
  }
  p.regs.Store(RdBase(q) + kRdh, rq.head);
  IrqRxCause(p, q);
  if (!(errors & kRxErrRxe)) Count(p, kStatGorc, len + kFcsBytes);  // GORC counts from the destination address through the CRC
  Count(p, kStatTpr, 1);
  p.counters.rxDelivered++;
  return Write::kDone;
}

// ---- the packet buffer ----

// Record: {length, queue | RSS type << 8, errors, RSS hash}, then the bytes padded to 8. Records never
// wrap (a zero length marks the skipped end of the storage).
static bool FifoPush(Port& p, uint32_t q, const uint8_t* frame, uint32_t len, uint32_t errors, const RssResult& rss) {
  RxFifo& f = p.fifo;
  const uint32_t cap = RxPbBytes(p);
  const uint32_t rec = 16 + Align8(len);
  if (f.used + rec > cap) return false;
  if (f.writeAt + rec > kRxFifoBytes) {
    const uint32_t skip = kRxFifoBytes - f.writeAt;
    if (f.used + skip + rec > cap) return false;
    std::memset(&f.bytes[f.writeAt], 0, 4);
    f.used += skip;
    f.writeAt = 0;
  }
  uint32_t hdr[4] = {len, q | rss.type << 8, errors, rss.hash};
  std::memcpy(&f.bytes[f.writeAt], hdr, 16);
  std::memcpy(&f.bytes[f.writeAt + 16], frame, len);
  f.writeAt += rec;
  if (f.writeAt == kRxFifoBytes) f.writeAt = 0;
  f.used += rec;
  f.frames++;
  return true;
}

static void FifoPop(RxFifo& f, uint32_t len) {
  const uint32_t rec = 16 + Align8(len);
  f.readAt += rec;
  if (f.readAt == kRxFifoBytes) f.readAt = 0;
  f.used -= rec;
  f.frames--;
  if (f.frames == 0) f.readAt = f.writeAt = f.used = 0;
}

static void Missed(Port& p) {
  Count(p, kStatMpc, 1);
  p.counters.rxMissed++;
}

// SRRCTL.DROP_EN set and no free descriptor: dropped at once (see the header for the counters).
static void DropNoDescriptor(Port& p, uint32_t q) {
  Count(p, p.card->options.strictTails && q < 16 ? static_cast<Stat>(kStatQprdc0 + q) : kStatMpc, 1);
  p.counters.rxDropEn++;
  p.counters.rxDropEnQueue[q]++;
}

static bool DropEnabled(Port& p, uint32_t q) { return (p.regs.Load(Srrctl(q)) & kSrrctlDropEn) != 0; }

// Moves buffered frames into their queues, at most the pass's budget; stops at a frame whose queue has
// no free descriptor and no DROP_EN (head-of-line blocking). Returns true when it moved any.
static bool FifoDrain(Port& p) {
  RxFifo& f = p.fifo;
  bool moved = false;
  while (f.frames > 0 && p.rxDrainBudget > 0) {
    uint32_t hdr[4];
    std::memcpy(hdr, &f.bytes[f.readAt], 16);
    if (hdr[0] == 0) {  // skip marker
      f.used -= kRxFifoBytes - f.readAt;
      f.readAt = 0;
      continue;
    }
    const uint32_t q = hdr[1] & 0xFF;
    if (!p.rxq[q].enabled) {
      p.counters.rxDroppedDisabled++;
    } else {
      const Write w = WriteFrame(p, q, &f.bytes[f.readAt + 16], hdr[0], hdr[2], hdr[3], hdr[1] >> 8);
      if (w == Write::kNoDescriptor) {
        if (!DropEnabled(p, q)) return moved;
        DropNoDescriptor(p, q);
      }
    }
    FifoPop(f, hdr[0]);
    p.rxDrainBudget--;
    moved = true;
  }
  return moved;
}

void PortDeliver(Port& p, const uint8_t* frame, uint32_t len, uint32_t errors, uint64_t sfdNs) {
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
    errors |= kRxErrRxe;  // injected MAC error
    p.counters.rxErrorsInjected++;
  }
  if (errors & kRxErrRxe) {
    // A MAC error counts in CRCERRS; the frame reaches a descriptor (with RXE) only with FCTRL.SBP.
    Count(p, kStatCrcerrs, 1);
    if (!(p.regs.Load(kFctrl) & kFctrlSbp)) {
      p.counters.rxErrorsDropped++;
      return;
    }
  } else {
    // GPRC counts every good frame past the filters, including those then missed: the 82599 counts
    // missed frames in GPRC (Linux and FreeBSD ixgbe subtract RXMPC from it, "hardware workaround").
    Count(p, kStatGprc, 1);
    // IEEE 1588 (7.9.2): a PTP frame is timestamped at its arrival, before the packet buffer; the TS
    // status bit travels with it to its descriptor (a frame missed later leaves the latch held).
    errors |= TimesyncRx(p, frame, len, sfdNs != 0 ? sfdNs : NowNs());
  }
  const RssResult rss = Rss(p, frame, len);
  const uint32_t q = rss.queue;
  if (!p.rxq[q].enabled) {
    p.counters.rxDroppedDisabled++;
    return;
  }
  const uint32_t cap = RxPbBytes(p);
  if (16 + Align8(len) > cap) {  // RXPBSIZE(0) 0 (or smaller than the frame): nothing fits
    Missed(p);
    return;
  }
  if (p.fifo.frames == 0) {
    const Write w = WriteFrame(p, q, frame, len, errors, rss.hash, rss.type);
    if (w == Write::kDone || w == Write::kFault) return;
    if (DropEnabled(p, q)) {
      DropNoDescriptor(p, q);
      return;
    }
  }
  if (!FifoPush(p, q, frame, len, errors, rss)) Missed(p);
}

// How many generated frames the port would take into descriptors right now (the unpaced generator
// only sends those, so "as fast as possible" never overruns the ring).
static uint64_t FramesReady(Port& p) {
  RxQueue& rq = p.rxq[0];
  if (!p.linkUp || !p.busMaster || p.fifo.frames != 0 || !rq.enabled) return 0;
  if (!RxPathOpen(p)) return 0;
  const uint32_t tail = p.regs.Load(RdBase(0) + kRdt);
  if (tail >= rq.count) return 0;
  const uint32_t free = tail >= rq.head ? tail - rq.head : tail + rq.count - rq.head;
  const uint32_t perFrame = (p.gen.frame.size + kFcsBytes) / rq.bufSize + 1;
  return free / perFrame;
}

// The generator's common case, batched: up to `n` frames of the template straight into queue 0's
// descriptors, with the per-frame decisions of PortDeliver and WriteFrame taken once (they depend only
// on the port's registers and the template), RDH written once for the batch. Returns how many frames
// it consumed (delivered, or lost to a DMA fault exactly as WriteFrame loses them); PortDeliver takes
// the rest one by one (packet buffer, misses, injected errors, RSS, legacy descriptors).
static uint64_t DeliverDirect(Port& p, Generator& g, uint64_t n) {
  RxQueue& rq = p.rxq[0];
  const uint32_t len = g.frame.size;
  if (!p.linkUp || !p.busMaster || !rq.enabled || rq.legacy || p.fifo.frames != 0 || p.faults.rxErrorEvery != 0) return 0;
  if (!RxPathOpen(p) || !Accepts(p, g.frame.bytes)) return 0;
  if ((p.regs.Load(kMrqc) & kMrqeMask) != 0 || 16 + Align8(len) > RxPbBytes(p)) return 0;
  const uint32_t hlreg0 = p.regs.Load(kHlreg0);
  const uint32_t maxLen = (hlreg0 & kHlreg0JumboEn) ? p.regs.Load(kMaxfrs) >> 16 : 1518;
  if (!(hlreg0 & kHlreg0RxCrcStrp) || len + kFcsBytes > maxLen || len > rq.bufSize) return 0;
  DmaMap& dma = p.card->dma;
  const uint32_t flows = g.config.flows;
  uint64_t consumed = 0;
  uint64_t delivered = 0;
  const uint32_t owned = Owned(p, rq, 0);
  if (owned < n) n = owned;
  while (consumed < n) {
    if (rq.cacheCount == 0 || rq.cacheHead != rq.head) {
      if (!RxPrefetch(p, rq, 0) || rq.cacheCount == 0) break;
    }
    consumed++;
    const uint32_t at = rq.head;
    const uint64_t addr = RxPop(rq);
    volatile uint32_t* d = reinterpret_cast<volatile uint32_t*>(dma.Translate(rq.base + at * 16ull, 16));
    uint8_t* dst = d == nullptr ? nullptr : dma.Translate(addr, len);
    if (dst == nullptr) break;
    if (flows > 1) PatchFlow(&g.frame, g.seq, g.seq % flows);
    else PatchSequence(&g.frame, g.seq);
    g.seq++;
    std::memcpy(dst, g.frame.bytes, len);
    // Advanced write-back (7.1.6.2), status dword last so DD implies the rest.
    d[0] = 0;
    d[1] = 0;
    d[3] = len;
    __atomic_store_n(const_cast<uint32_t*>(&d[2]), kRxStatDd | kRxStatEop, __ATOMIC_RELEASE);
    delivered++;
  }
  if (delivered != consumed) g.seq++;  // the frame lost to the DMA fault still used its number
  if (consumed > 0) p.regs.Store(RdBase(0) + kRdh, rq.head);
  if (delivered > 0) {
    IrqRxCause(p, 0);
    CheckRxOrdering(p, 0, delivered);
    Count(p, kStatGprc, delivered);
    Count(p, kStatGorc, delivered * (len + kFcsBytes));
    Count(p, kStatTpr, delivered);
    p.counters.rxDelivered += delivered;
  }
  return consumed;
}

static double LineRatePps(uint32_t frameSize) {
  const uint32_t wire = (frameSize < kMinFrame ? kMinFrame : frameSize) + kFcsBytes + 20;  // preamble+SFD 8, IFG 12
  return kLineBitsPerSecond / (wire * 8.0);
}

// Longest stretch of generation the tester makes up for after a model pass came late (see Generate).
constexpr double kMaxCatchUpNs = 50000;

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
    // Never faster than the wire: a rate above 10 Gbit/s line rate is clamped to it.
    const double line = LineRatePps(g.frame.size);
    const double rate = g.config.ratePps < line ? g.config.ratePps : line;
    const uint64_t due = static_cast<uint64_t>(rate * static_cast<double>(now - g.paceBase) / 1e9);
    if (due <= g.pacedSent) return false;
    // The wire never stalls, but the model thread can (descheduled on a busy machine). Frames that
    // fell due while it was away are not sent late in one burst, which would overrun rings that the
    // driver, running meanwhile, kept empty: the tester skips them (they were never sent, so every
    // count stays exact) and keeps the rate from here.
    const uint64_t backlog = static_cast<uint64_t>(rate * kMaxCatchUpNs / 1e9) + 1;
    if (due - g.pacedSent > backlog) g.pacedSent = due - backlog;
    if (due - g.pacedSent < budget) budget = due - g.pacedSent;
  } else {
    // Benchmark mode ('unpaced'): only as many frames as the ring takes, unlike any wire.
    const uint64_t ready = FramesReady(p);
    if (ready < budget) budget = ready;
  }
  const uint64_t n = budget;
  uint64_t done = DeliverDirect(p, g, n);
  const uint32_t flows = g.config.flows;
  for (; done < n; done++) {
    if (flows > 1) PatchFlow(&g.frame, g.seq, g.seq % flows);
    else PatchSequence(&g.frame, g.seq);
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
  p.rxDrainBudget = kRxDrainBudget;
  if ((p.regs.Load(kMrqc) & kMrqeMask) == kMrqeRss) RssRefresh(p);  // RSSRK changes apply from the next pass
  // Prompt descriptor fetch for every enabled queue (silicon fetches as soon as RDT covers them).
  for (uint32_t q = 0; q < kQueues; q++) {
    RxQueue& rq = p.rxq[q];
    if (!rq.enabled) rq.cacheCount = 0;  // a disabled queue forgets its fetched descriptors
    else if (rq.cacheCount < RxQueue::kCache && p.busMaster) RxPrefetch(p, rq, q);
  }
  if (p.fifo.frames != 0) work = FifoDrain(p);
  if (Generate(p, now)) work = true;
  return work;
}

}  // namespace sim
}  // namespace tsnic
