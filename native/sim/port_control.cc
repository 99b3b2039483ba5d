// Control registers of a simulated 82599 port: reset, EEPROM, link, interrupts mask/cause, queue
// enables. The model polls the register file and reacts to what the driver wrote, like silicon would.
#include <cstring>

#include "sim/card.h"
#include "sim/access_trap.h"

namespace tsnic {
namespace sim {

void Violate(Port& p, Violation v) { p.counters.violations[v]++; }

static uint64_t Us(uint32_t us) { return static_cast<uint64_t>(us) * 1000; }

// Register values after a reset (datasheet 8.2.3, "initial value" of each register).
static void LoadDefaults(Port& p) {
  RegFile& r = p.regs;
  r.Clear();
  p.statusValue = (static_cast<uint32_t>(p.index) << kStatusLanIdShift) | kStatusGio;
  r.Store(kStatus, p.statusValue);
  r.Store(kEec, kEecPres | (kEepromSizeField << kEecSizeShift));
  r.Store(kHlreg0, kHlreg0TxCrcEn | kHlreg0RxCrcStrp | kHlreg0TxPadEn | (1u << 13));
  r.Store(kMaxfrs, 1518u << 16);
  for (uint32_t q = 0; q < kQueues; q++) {
    r.Store(Srrctl(q), 0x402);  // BSIZEPACKET 2 KiB, BSIZEHEADER 256 bytes, legacy descriptors
    if (q < 16) {
      r.Store(0x01014 + 0x40 * q, 0x402);
      p.srrctlShadow[q] = p.srrctlAliasShadow[q] = 0x402;
    }
  }
  r.Store(0x03C00, 512u << 10);  // RXPBSIZE(0): 512 KiB
  r.Store(0x0CC00, 160u << 10);  // TXPBSIZE(0): 160 KiB
  p.linksValue = p.linksPublished = 0;
  p.eimsBits.store(0);
  p.eicrCauses.store(0);
  p.dmaIdone = false;
}

static void Reset(Port& p, uint64_t now) {
  LoadDefaults(p);
  for (auto& q : p.rxq) q = RxQueue();
  for (auto& q : p.txq) {
    q.enabled = false;
    q.head = 0;
    q.frameLen = 0;
    q.frameBad = false;
    q.tailBad = false;
  }
  PortClearRx(p);
  for (auto& s : p.stats) s.store(0, std::memory_order_relaxed);
  AccessTrapReset(p);
  p.autoReadPending = true;
  p.autoReadAt = now + Us(p.card->options.autoReadDelayUs);
  p.linkUp = false;
  PortStartLink(p, now);
}

// EEPROM auto-read done: MAC address into RAL(0)/RAH(0), EEC.ARD, then DMA init done (RDRXCTL.DMAIDONE).
static void CompleteAutoRead(Port& p) {
  p.autoReadPending = false;
  if (!p.faults.dmaInitNeverCompletes) {
    p.dmaIdone = true;
    p.regs.Store(kRdrxctl, p.regs.Load(kRdrxctl) | kRdrxctlDmaIdone);
  }
  if (p.faults.eepromAutoReadNeverCompletes) return;
  uint8_t mac[6];
  std::memcpy(mac, p.mac, 6);
  if (p.faults.invalidMac == kMacZero) std::memset(mac, 0, 6);
  if (p.faults.invalidMac == kMacMulticast) mac[0] |= 1;
  p.regs.Store(kRal0, mac[0] | mac[1] << 8 | mac[2] << 16 | static_cast<uint32_t>(mac[3]) << 24);
  p.regs.Store(kRah0, mac[4] | mac[5] << 8 | kRahAv);
  p.regs.Store(kEec, p.regs.Load(kEec) | kEecArd);
}

void PortPowerOn(Port& p, uint64_t now) {
  Reset(p, now);
  CompleteAutoRead(p);
}

void PortStartLink(Port& p, uint64_t now) {
  // linkUpAt 0 means "not training", so a training link always has a non-zero time.
  p.linkUpAt = p.wiring == kWiringUnplugged ? 0 : now + Us(p.card->options.linkUpDelayUs) + 1;
}

void PortSetWiring(Port& p, Wiring w, uint64_t now) {
  const Wiring old = p.wiring;
  p.wiring = w;
  if (w == kWiringUnplugged) {
    p.linkUpAt = 0;
  } else if (old == kWiringUnplugged && !p.resetPending) {
    PortStartLink(p, now);
  }
}

void PortApplyFaults(Port& p, const Faults& f, uint64_t now) {
  p.faults = f;
  if (f.linkDownForMs > 0) {
    p.linkDownUntil = now + static_cast<uint64_t>(f.linkDownForMs) * 1000000;
    p.faults.linkDownForMs = 0;  // one shot
  }
  p.rxFrameNo = 0;
}

static void UpdateLink(Port& p, uint64_t now) {
  const bool blocked = p.wiring == kWiringUnplugged || now < p.linkDownUntil || p.resetPending ||
                       p.faults.linkNeverUp;
  if (p.linkUp && blocked) {
    p.linkUp = false;
    // After a flap the far end retrains as soon as it can.
    if (p.wiring != kWiringUnplugged && !p.resetPending) p.linkUpAt = p.linkDownUntil > now ? p.linkDownUntil : now;
  } else if (!p.linkUp && !blocked && p.linkUpAt != 0 && now >= p.linkUpAt) {
    p.linkUp = true;
    p.linkUpAt = 0;
    p.gen.paceBase = now;
    p.gen.pacedSent = 0;
  }
  const uint32_t links = p.linkUp ? (kLinksUp | kLinksSpeed10G | kLinksStatus | kLinksAnComplete) : 0;
  if (links != p.linksValue) {
    p.linksValue = links;
    // EICR.LSC: link status change (the driver clears it by writing 1, see access_trap.cc).
    p.regs.Store(kEicr, p.eicrCauses.fetch_or(1u << 20) | (1u << 20));
  }
}

// RXDCTL.ENABLE seen set: latch the ring configuration (datasheet 4.6.7.1).
static void EnableRx(Port& p, uint32_t q, uint32_t rxdctl) {
  RegFile& r = p.regs;
  const uint32_t b = RdBase(q);
  uint64_t base = r.Load(b) | static_cast<uint64_t>(r.Load(b + kRdbah)) << 32;
  uint32_t len = r.Load(b + kRdlen);
  if (base == 0 || len == 0) {
    Violate(p, kQueueEnabledUnconfigured);
    r.Store(b + kRxdctl, rxdctl & ~kRxdctlEnable);  // the queue does not come up: ENABLE reads 0
    return;
  }
  if (base & 127) Violate(p, kRingBaseUnaligned);
  if ((len & 127) || len > 0xFFF80) Violate(p, kRingLengthInvalid);
  if (!p.busMaster) Violate(p, kDmaWithoutBusMaster);
  base &= ~static_cast<uint64_t>(127);
  len &= 0xFFF80;
  if (len == 0) return;
  RxQueue& rq = p.rxq[q];
  rq.base = base;
  rq.count = len / 16;
  rq.head = r.Load(b + kRdh);
  if (rq.head >= rq.count) rq.head = 0;
  const uint32_t srrctl = r.Load(Srrctl(q));
  rq.bufSize = (srrctl & kSrrctlBsizePktMask) * 1024;
  if (rq.bufSize == 0) rq.bufSize = 2048;
  rq.legacy = ((srrctl & kSrrctlDescTypeMask) >> kSrrctlDescTypeShift) == kSrrctlDescLegacy;
  rq.tailBad = false;
  rq.enabled = true;
}

static void EnableTx(Port& p, uint32_t q, uint32_t txdctl) {
  RegFile& r = p.regs;
  const uint32_t b = TdBase(q);
  uint64_t base = r.Load(b) | static_cast<uint64_t>(r.Load(b + kTdbah)) << 32;
  uint32_t len = r.Load(b + kTdlen);
  if (base == 0 || len == 0) {
    Violate(p, kQueueEnabledUnconfigured);
    r.Store(b + kTxdctl, txdctl & ~kTxdctlEnable);
    return;
  }
  if (base & 127) Violate(p, kRingBaseUnaligned);
  if ((len & 127) || len > 0xFFF80) Violate(p, kRingLengthInvalid);
  if (!p.busMaster) Violate(p, kDmaWithoutBusMaster);
  base &= ~static_cast<uint64_t>(127);
  len &= 0xFFF80;
  if (len == 0) return;
  TxQueue& tq = p.txq[q];
  tq.base = base;
  tq.count = len / 16;
  tq.head = r.Load(b + kTdh);
  if (tq.head >= tq.count) tq.head = 0;
  tq.tailBad = false;
  tq.frameLen = 0;
  tq.frameBad = false;
  if (tq.frame.empty()) tq.frame.resize(kTxFrameMax);
  tq.enabled = true;
}

static bool ScanQueues(Port& p) {
  bool changed = false;
  RegFile& r = p.regs;
  for (uint32_t q = 0; q < kQueues; q++) {
    const uint32_t rx = r.Load(RdBase(q) + kRxdctl);
    if ((rx & kRxdctlEnable) && !p.rxq[q].enabled) {
      EnableRx(p, q, rx);
      changed = true;
    } else if (!(rx & kRxdctlEnable) && p.rxq[q].enabled) {
      p.rxq[q].enabled = false;
      changed = true;
    }
    if (p.rxq[q].enabled) {
      RxQueue& rq = p.rxq[q];
      const bool bad = r.Load(RdBase(q) + kRdt) >= rq.count;
      if (bad && !rq.tailBad) Violate(p, kTailOutsideRing);
      rq.tailBad = bad;
    }
    const uint32_t tx = r.Load(TdBase(q) + kTxdctl);
    if ((tx & kTxdctlEnable) && !p.txq[q].enabled) {
      EnableTx(p, q, tx);
      changed = true;
    } else if (!(tx & kTxdctlEnable) && p.txq[q].enabled) {
      p.txq[q].enabled = false;
      changed = true;
    }
  }
  // SRRCTL(0..15) answers at two addresses (0x2100 + 4n and 0x1014 + 0x40n): keep them equal.
  for (uint32_t q = 0; q < 16; q++) {
    const uint32_t a = r.Load(Srrctl(q)), b = r.Load(0x01014 + 0x40 * q);
    if (a != p.srrctlShadow[q]) {
      r.Store(0x01014 + 0x40 * q, a);
      p.srrctlShadow[q] = p.srrctlAliasShadow[q] = a;
    } else if (b != p.srrctlAliasShadow[q]) {
      r.Store(Srrctl(q), b);
      p.srrctlShadow[q] = p.srrctlAliasShadow[q] = b;
    }
  }
  return changed;
}

static void ServeEerd(Port& p) {
  const uint32_t v = p.regs.Load(kEerd);
  if (!(v & kEerdStart) || (v & kEerdDone)) return;
  const uint32_t addr = (v >> kEerdAddrShift) & 0x3FFF;
  uint16_t data = addr < kEepromWords ? p.eeprom[addr] : 0xFFFF;
  if (addr == kEepromChecksumWord && p.faults.badEepromChecksum) data ^= 0x5A5A;
  p.regs.Store(kEerd, static_cast<uint32_t>(data) << kEerdDataShift | addr << kEerdAddrShift | kEerdDone);
}

bool PortControl(Port& p, uint64_t now) {
  RegFile& r = p.regs;
  bool active = false;
  const uint32_t ctrl = r.Load(kCtrl);
  if ((ctrl & (kCtrlRst | kCtrlLrst)) && !p.resetPending) {
    // Datasheet 4.6.3.2: a software reset stops DMA at once and completes after a short delay.
    p.resetPending = true;
    p.resetDoneAt = now + Us(p.card->options.resetDelayUs);
    for (auto& q : p.rxq) q.enabled = false;
    for (auto& q : p.txq) q.enabled = false;
    active = true;
  }
  if (p.resetPending) {
    if (now < p.resetDoneAt || p.faults.resetNeverCompletes) return true;
    p.resetPending = false;
    Reset(p, now);  // CTRL reads back 0: RST has self-cleared
    return true;
  }
  if (p.autoReadPending && now >= p.autoReadAt) {
    CompleteAutoRead(p);
    active = true;
  }
  if (p.dmaIdone) {
    const uint32_t rdrxctl = r.Load(kRdrxctl);
    if (!(rdrxctl & kRdrxctlDmaIdone)) r.Store(kRdrxctl, rdrxctl | kRdrxctlDmaIdone);  // read-only bit
  }
  ServeEerd(p);
  const uint32_t autoc = r.Load(kAutoc);
  if (autoc & kAutocAnRestart) {
    r.Store(kAutoc, autoc & ~kAutocAnRestart);  // self-clearing; restarts link training
    p.linkUp = false;
    p.linksValue = 0;
    PortStartLink(p, now);
    active = true;
  }
  UpdateLink(p, now);
  if (r.Load(kLinks) != p.linksPublished) Violate(p, kReadOnlyRegisterWritten);
  r.Store(kLinks, p.linksValue);
  p.linksPublished = p.linksValue;
  if (r.Load(kStatus) != p.statusValue) Violate(p, kReadOnlyRegisterWritten);
  // STATUS.GIO follows CTRL.GIO_DIS (datasheet 5.2.5.3.2: master disable before reset).
  p.statusValue = (p.statusValue & ~kStatusGio) | ((ctrl & kCtrlGioDis) ? 0 : kStatusGio);
  r.Store(kStatus, p.statusValue);
  if (ScanQueues(p)) active = true;
  return active;
}

}  // namespace sim
}  // namespace tsnic
