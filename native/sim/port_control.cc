// Control registers of a simulated 82599 port: reset, EEPROM, link, interrupts mask/cause, queue
// enables. The model polls the register file and reacts to what the driver wrote, like silicon would.
#include <cstring>

#include "sim/card.h"
#include "sim/access_trap.h"

namespace tsnic {
namespace sim {

void Violate(Port& p, Violation v) { p.counters.violations[v]++; }

static uint64_t Us(uint32_t us) { return static_cast<uint64_t>(us) * 1000; }

// Register values after a reset: the "initial value" column of datasheet 8.2.3 for every register the
// tsnic driver or Linux's 82599 bring-up touches. Two published register specifications written from
// the datasheet agree on all of them except where noted; Linux ixgbe_type.h names the bits.
struct Default {
  uint32_t reg;
  uint32_t value;
};
// CTRL (8.2.3.1.1: GIO_DIS, LRST, RST all 0) is not in the table: Reset() stores it last.
static const Default kDefaults[] = {
    {kCtrlExt, 0x00000000},   // 8.2.3.1.3: NS_DIS (16) clear: the driver sets it in 4.6.7
    // 8.2.3.22.8 HLREG0: TXCRCEN, RXCRCSTRP, reserved 9:3 = 0x1, TXPADEN, reserved 14:11 = 0101b,
    // MDCSPD (16), RXLNGTHERREN (27). (One spec leaves 14:11 and bit 27 out; we follow the one that
    // lists every field, which matches Linux's IXGBE_HLREG0_RXLNGTHERREN being a default-on bit.)
    {kHlreg0, 0x08012C0B},
    {kMaxfrs, 1518u << 16},   // 8.2.3.22.13: MFS = 1518
    // 8.2.3.8.8 RDRXCTL: CRCSTRIP (1) = 0, so after a reset it disagrees with HLREG0.RXCRCSTRP until
    // the driver sets it; DMAIDONE (3) = 0 until DMA init; reserved 16:4 = 0x880; RSCFRSTSIZE 21:17 = 0x8.
    {kRdrxctl, 0x00108800},
    {kRxctrl, 0x00000000},    // 8.2.3.8.10: RXEN clear
    {kFctrl, 0x00000000},     // 8.2.3.7.1: SBP, MPE, UPE, BAM clear
    {kRttdcs, 0x00C00000},    // 8.2.3.10.2: BDPM (22) and BPBFSM (23) set, ARBDIS clear
    {kDtxmxszrq, 0x00000010}, // 8.2.3.9.1: MAX_BYTES_NUM_REQ = 0x10
    // 8.2.3.9.2 DMATXCTL: TE clear, VT 31:16 = 0x8100 (software must keep it). One spec also lists a
    // reserved bit 2 reading 1; the other and Linux do not, so it is left 0 here.
    {kDmatxctl, 0x81000000},
    {kRxpbsize0, 0x200u << 10},  // 8.2.3.8.9: 512 KB for packet buffer 0, RXPBSIZE(1..7) = 0
    {kTxpbsize0, 0xA0u << 10},   // 8.2.3.9.13: 160 KB for packet buffer 0, TXPBSIZE(1..7) = 0
    {kMrqc, 0x00000000},      // 8.2.3.7.12: no RSS
    {kSecrxctrl, kSecrxctrlSecrxDis},  // 8.2.3.12.5: SECRX_DIS (0) = 1, RX_DIS (1) = 0
    {kSecrxstat, 0x00000000}, // 8.2.3.12.6: SECRX_RDY clear
    // 8.2.3.22.19 AUTOC (hardware default; a board's EEPROM may load another): ANSF 00001b, 10G
    // parallel PMA/PMD 01b, 1G PMA/PMD 1b, LMS 100b (KX/KX4/KR AN), KR support, FECA, ANRXAT 0011b,
    // ANRXDM, ANRXLM, KX support 11b.
    {kAutoc, 0xC19D8284},
    {kEims, 0x00000000},      // 8.2.3.5.3: every cause masked
};
constexpr uint32_t kSrrctlDefault = 0x402;     // 8.2.3.8.7: BSIZEPACKET 2 KB, BSIZEHEADER 256 B, legacy
constexpr uint32_t kRxdctlDefault = 0;         // 8.2.3.8.6: ENABLE clear
constexpr uint32_t kTxdctlDefault = 0;         // 8.2.3.9.10: PTHRESH, HTHRESH, WTHRESH 0, ENABLE clear
// 8.2.3.11.1 DCA_RXCTRL: RXdescReadROEn (9), reserved bit 12 = 1 (4.6.7: software must clear it),
// RXdataWriteROEn (13), RxRepHeaderROEn (15). (One spec gives bit 15 as 0; Linux clears
// IXGBE_DCA_RXCTRL_HEAD_WRO_EN (bit 15) in ixgbe_start_hw_gen2, i.e. it is on by default: followed.)
constexpr uint32_t kDcaRxctrlDefault = 0xB200;
// 8.2.3.11.2 DCA_TXCTRL: TXdescRDROEn (9), TXdescWBROen (11), TXDataReadROEn (13).
constexpr uint32_t kDcaTxctrlDefault = 0x2A00;

static void LoadDefaults(Port& p) {
  RegFile& r = p.regs;
  // Every register but CTRL to 0 first: CTRL keeps RST set until the whole file holds its defaults.
  for (uint32_t off = kCtrl + 4; off < kBar0Size; off += 4) r.Store(off, 0);
  for (const Default& d : kDefaults) r.Store(d.reg, d.value);
  p.statusValue = (static_cast<uint32_t>(p.index) << kStatusLanIdShift) | kStatusGio;  // 8.2.3.1.2
  r.Store(kStatus, p.statusValue);
  r.Store(kEec, kEecPres | (kEepromSizeField << kEecSizeShift));
  for (uint32_t q = 0; q < kQueues; q++) {
    r.Store(Srrctl(q), kSrrctlDefault);
    r.Store(RdBase(q) + kRxdctl, kRxdctlDefault);
    r.Store(TdBase(q) + kTxdctl, kTxdctlDefault);
    r.Store(DcaRxctrl(q), kDcaRxctrlDefault);
    r.Store(DcaTxctrl(q), kDcaTxctrlDefault);
    if (q < 16) {
      r.Store(0x01014 + 0x40 * q, kSrrctlDefault);
      p.srrctlShadow[q] = p.srrctlAliasShadow[q] = kSrrctlDefault;
      r.Store(DcaRxctrlAlias(q), kDcaRxctrlDefault);
      p.dcaRxShadow[q] = p.dcaRxAliasShadow[q] = kDcaRxctrlDefault;
    }
  }
  p.linksValue = p.linksPublished = 0;
  p.eimsBits.store(0);
  p.eicrCauses.store(0);
  p.dmaIdone = false;
  p.secrxstatPublished = 0;
}

static void Reset(Port& p, uint64_t now) {
  LoadDefaults(p);
  for (auto& q : p.rxq) q = RxQueue();
  for (auto& q : p.txq) {
    q.enabled = false;
    q.head = 0;
    q.frameLen = 0;
    q.frameBad = false;
    q.frameTstamp = false;
    q.tailBad = false;
    q.dctlPublished = kTxdctlDefault;
    q.disablePending = false;
  }
  PortClearRx(p);
  IrqReset(p);
  LineClear(p);
  TimesyncReset(p, now);
  for (auto& s : p.stats) s.store(0, std::memory_order_relaxed);
  AccessTrapReset(p);
  // CTRL.GIO_DIS is back to 0: master requests flow again (if the PCI command register allows them).
  p.masterBlocked = false;
  p.busMaster = p.busMasterConfig;
  p.gioEnabled.store(true);
  p.secRxDisSeen = false;
  p.secRxReady.store(false);
  p.autoReadPending = true;
  p.autoReadAt = now + Us(p.card->options.autoReadDelayUs);
  p.linkUp = false;
  PortStartLink(p, now);
  // Last: CTRL = 0 (RST and LRST self-clear). A driver that sees RST clear finds every other register
  // already at its default, never a half-reset file.
  p.regs.Store(kCtrl, 0);
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
  const uint32_t ral = mac[0] | mac[1] << 8 | mac[2] << 16 | static_cast<uint32_t>(mac[3]) << 24;
  const uint32_t rah = mac[4] | mac[5] << 8 | kRahAv;
  // Entry 0 answers at both of its addresses (8.2.3.7.8-9; see access_trap.cc for the 0x5400 alias).
  p.regs.Store(kRal0, ral);
  p.regs.Store(kRah0, rah);
  p.regs.Store(RalAlias(0), ral);
  p.regs.Store(RalAlias(0) + 4, rah);
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
  if (f.txPausedForMs > 0) {
    // One shot: the link partner's PAUSE frames (802.3 annex 31B) hold the wire; the tx packet buffer
    // fills and descriptors wait for room, as at line rate. Times on the wire are in ps.
    const uint64_t untilPs = (now + static_cast<uint64_t>(f.txPausedForMs) * 1000000) * 1000;
    if (p.txWire.freePs < untilPs) p.txWire.freePs = untilPs;
    p.faults.txPausedForMs = 0;
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
    // EICR.LSC: link status change (the driver clears it by writing 1, see access_trap.cc); the EICR
    // word itself is published when the driver reads it (PrepareRead), never stored from this thread.
    p.eicrCauses.fetch_or(1u << 20);
  }
}

// RXDCTL.ENABLE requested: latch the ring configuration (datasheet 4.6.7.1). False when the queue
// cannot come up (then ENABLE reads 0).
static bool EnableRx(Port& p, uint32_t q) {
  RegFile& r = p.regs;
  const uint32_t b = RdBase(q);
  uint64_t base = r.Load(b) | static_cast<uint64_t>(r.Load(b + kRdbah)) << 32;
  uint32_t len = r.Load(b + kRdlen);
  if (base == 0 || len == 0) {
    Violate(p, kQueueEnabledUnconfigured);
    return false;
  }
  if (base & 127) Violate(p, kRingBaseUnaligned);
  if ((len & 127) || len > 0xFFF80) Violate(p, kRingLengthInvalid);
  if (!p.busMasterConfig) Violate(p, kDmaWithoutBusMaster);
  const uint32_t srrctl = r.Load(Srrctl(q));
  // 8.2.3.8.7: BSIZEPACKET "should not be set to 0x0"; silicon's behaviour is undefined, so the
  // queue does not come up (no fallback size).
  if ((srrctl & kSrrctlBsizePktMask) == 0) {
    Violate(p, kRxBufferSizeZero);
    return false;
  }
  base &= ~static_cast<uint64_t>(127);
  len &= 0xFFF80;
  if (len == 0) return false;
  RxQueue& rq = p.rxq[q];
  rq.base = base;
  rq.count = len / 16;
  rq.head = r.Load(b + kRdh);
  if (rq.head >= rq.count) rq.head = 0;
  rq.bufSize = (srrctl & kSrrctlBsizePktMask) * 1024;
  rq.legacy = ((srrctl & kSrrctlDescTypeMask) >> kSrrctlDescTypeShift) == kSrrctlDescLegacy;
  rq.tailBad = false;
  rq.cacheCount = rq.cacheFirst = 0;  // descriptors fetched before the queue was disabled are forgotten
  rq.cacheHead = rq.head;
  rq.enabled = true;
  return true;
}

static bool EnableTx(Port& p, uint32_t q) {
  RegFile& r = p.regs;
  const uint32_t b = TdBase(q);
  uint64_t base = r.Load(b) | static_cast<uint64_t>(r.Load(b + kTdbah)) << 32;
  uint32_t len = r.Load(b + kTdlen);
  if (base == 0 || len == 0) {
    Violate(p, kQueueEnabledUnconfigured);
    return false;
  }
  if (base & 127) Violate(p, kRingBaseUnaligned);
  if ((len & 127) || len > 0xFFF80) Violate(p, kRingLengthInvalid);
  if (!p.busMasterConfig) Violate(p, kDmaWithoutBusMaster);
  base &= ~static_cast<uint64_t>(127);
  len &= 0xFFF80;
  if (len == 0) return false;
  TxQueue& tq = p.txq[q];
  tq.base = base;
  tq.count = len / 16;
  tq.head = r.Load(b + kTdh);
  if (tq.head >= tq.count) tq.head = 0;
  tq.tailBad = false;
  tq.frameLen = 0;
  tq.frameBad = false;
  if (tq.frame.empty()) tq.frame.resize(kTxFrameMax);
  tq.cacheCount = tq.cacheFirst = 0;  // descriptors fetched before the queue was disabled are forgotten
  tq.cacheHead = tq.head;
  tq.enabled = true;
  return true;
}

// RXDCTL/TXDCTL sit on untrapped pages (they share them with RDT/TDT, the hot path), so the model sees
// a driver write only as a difference between the register and what the model last published there
// (the technique LINKS uses). ENABLE then reads the queue's actual state, as on silicon (8.2.3.8.6:
// "upon read, gets the actual status of the queue"): 0 when the ring could not be latched, 1 until a
// disabled queue has really stopped. A request is acted on at the first pass that sees it (the ring is
// latched then, before that pass moves any frame). Remaining race: a driver that reads the register
// before the model's next pass reads back its own write.
static void Publish(RegFile& r, uint32_t off, uint32_t* published, uint32_t v) {
  r.Store(off, v);
  *published = v;
}

static bool ScanRxQueue(Port& p, uint32_t q) {
  RegFile& r = p.regs;
  RxQueue& rq = p.rxq[q];
  const uint32_t off = RdBase(q) + kRxdctl;
  const uint32_t v = r.Load(off);
  bool changed = false;
  if (v != rq.dctlPublished) {  // the driver wrote RXDCTL
    changed = true;
    if (v & kRxdctlEnable) {
      rq.disablePending = false;
      const bool up = rq.enabled || EnableRx(p, q);
      Publish(r, off, &rq.dctlPublished, up ? v : v & ~kRxdctlEnable);
    } else if (rq.enabled) {
      // 4.6.7.1.2: the queue stops taking frames at once; ENABLE reads 0 from the next pass on.
      rq.enabled = false;
      rq.disablePending = true;
      rq.disablePass = p.passes;
      Publish(r, off, &rq.dctlPublished, v | kRxdctlEnable);
    } else {
      Publish(r, off, &rq.dctlPublished, v);
    }
  }
  if (rq.disablePending && p.passes > rq.disablePass) {
    rq.disablePending = false;
    Publish(r, off, &rq.dctlPublished, r.Load(off) & ~kRxdctlEnable);
    changed = true;
  }
  if (rq.enabled) {
    const bool bad = r.Load(RdBase(q) + kRdt) >= rq.count;
    if (bad && !rq.tailBad) Violate(p, kTailOutsideRing);
    rq.tailBad = bad;
  }
  return changed;
}

static bool ScanTxQueue(Port& p, uint32_t q) {
  RegFile& r = p.regs;
  TxQueue& tq = p.txq[q];
  const uint32_t off = TdBase(q) + kTxdctl;
  const uint32_t v = r.Load(off);
  bool changed = false;
  if (v != tq.dctlPublished) {  // the driver wrote TXDCTL
    changed = true;
    if (v & kTxdctlEnable) {
      tq.disablePending = false;
      const bool up = tq.enabled || EnableTx(p, q);
      Publish(r, off, &tq.dctlPublished, up ? v : v & ~kTxdctlEnable);
    } else {
      // 4.6.8.2: the queue keeps sending what it was given; ENABLE reads 1 until it has stopped.
      if (tq.enabled) tq.disablePending = true;
      Publish(r, off, &tq.dctlPublished, tq.enabled ? v | kTxdctlEnable : v);
    }
  }
  if (tq.disablePending) {
    // The disable completes once every descriptor up to the tail was processed, and never while the
    // link is down: the transmit path cannot drain then (Linux ixgbe_disable_tx skips its wait when
    // LINKS.UP is clear for this reason).
    const uint32_t tail = r.Load(TdBase(q) + kTdt);
    if (p.linkUp && (tail == tq.head || tail >= tq.count)) {
      tq.disablePending = false;
      tq.enabled = false;
      Publish(r, off, &tq.dctlPublished, r.Load(off) & ~kTxdctlEnable);
      changed = true;
    }
  }
  return changed;
}

// A register that answers at two addresses: a write at either shows at both. `shadow*` hold what the
// model last saw at each address.
static void SyncAlias(RegFile& r, uint32_t a, uint32_t b, uint32_t* shadowA, uint32_t* shadowB) {
  const uint32_t va = r.Load(a), vb = r.Load(b);
  if (va != *shadowA) {
    r.Store(b, va);
    *shadowA = *shadowB = va;
  } else if (vb != *shadowB) {
    r.Store(a, vb);
    *shadowA = *shadowB = vb;
  }
}

static bool ScanQueues(Port& p) {
  RegFile& r = p.regs;
  // SRRCTL(0..15) (0x2100 + 4n and 0x1014 + 0x40n) and DCA_RXCTRL(0..15) (0x2200 + 4n and
  // 0x100C + 0x40n) answer at two addresses: keep them equal, before a queue enable reads them.
  for (uint32_t q = 0; q < 16; q++) {
    SyncAlias(r, Srrctl(q), 0x01014 + 0x40 * q, &p.srrctlShadow[q], &p.srrctlAliasShadow[q]);
    SyncAlias(r, DcaRxctrl(q), DcaRxctrlAlias(q), &p.dcaRxShadow[q], &p.dcaRxAliasShadow[q]);
  }
  bool changed = false;
  for (uint32_t q = 0; q < kQueues; q++) {
    if (ScanRxQueue(p, q)) changed = true;
    if (ScanTxQueue(p, q)) changed = true;
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

// PCIe master disable (datasheet 5.2.5.3.2, 4.6.3.2; Linux ixgbe_disable_pcie_master): CTRL.GIO_DIS
// blocks new master requests at once (the model stops all DMA from the pass that sees it), and
// STATUS.GIO_MASTER_ENABLE clears once none is pending: at a later pass, when every DMA the model
// started before the block has finished, and no sooner than kMasterDisableUs after the block (pending
// PCIe completions take that long on silicon; Linux polls every 100 us). Clearing GIO_DIS (or a
// reset) lets requests flow again.
static constexpr uint32_t kMasterDisableUs = 100;

static void UpdateMasterDisable(Port& p, uint32_t ctrl, uint64_t now) {
  if (ctrl & kCtrlGioDis) {
    if (!p.masterBlocked) {
      p.masterBlocked = true;
      p.masterBlockedPass = p.passes;
      p.masterBlockedAt = now;
      p.busMaster = false;
    } else if (p.passes > p.masterBlockedPass && now >= p.masterBlockedAt + Us(kMasterDisableUs)) {
      p.gioEnabled.store(false);
    }
  } else if (p.masterBlocked) {
    p.masterBlocked = false;
    p.busMaster = p.busMasterConfig;
    p.gioEnabled.store(true);
  }
}

// The 82599 Rx-enable handshake (Linux ixgbe_enable_rx_dma_82599 / ixgbe_disable_rx_buff_generic,
// DPDK ixgbe_enable_rx_dma_82599): SECRXCTRL.RX_DIS set, then SECRXSTAT.SECRX_RDY once the security
// block is empty. Between passes no frame is inside it, so RDY comes at a later pass than the one that
// saw RX_DIS, and no sooner than kSecRxDrainNs. It clears with RX_DIS. SECRXSTAT is read only.
constexpr uint64_t kSecRxDrainNs = 10000;

static void UpdateSecRx(Port& p, uint64_t now) {
  RegFile& r = p.regs;
  if (r.Load(kSecrxctrl) & kSecrxctrlRxDis) {
    if (!p.secRxDisSeen) {
      p.secRxDisSeen = true;
      p.secRxDisPass = p.passes;
      p.secRxReadyAt = now + kSecRxDrainNs;
    } else if (p.passes > p.secRxDisPass && now >= p.secRxReadyAt) {
      p.secRxReady.store(true);
    }
  } else {
    p.secRxDisSeen = false;
    p.secRxReady.store(false);
  }
  if (r.Load(kSecrxstat) != p.secrxstatPublished) Violate(p, kReadOnlyRegisterWritten);
  p.secrxstatPublished = p.secRxReady.load() ? kSecrxstatRdy : 0;
  r.Store(kSecrxstat, p.secrxstatPublished);
}

bool PortControl(Port& p, uint64_t now) {
  RegFile& r = p.regs;
  bool active = false;
  p.passes++;
  const uint32_t ctrl = r.Load(kCtrl);
  if ((ctrl & (kCtrlRst | kCtrlLrst)) && !p.resetPending) {
    // Datasheet 4.6.3.2: a software reset stops DMA at once and completes after a short delay. Register
    // writes while it is pending are lost: the reset loads every default when it completes.
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
  UpdateMasterDisable(p, ctrl, now);
  p.statusValue = (p.statusValue & ~kStatusGio) | (p.gioEnabled.load() ? kStatusGio : 0);
  r.Store(kStatus, p.statusValue);
  UpdateSecRx(p, now);
  if (ScanQueues(p)) active = true;
  return active;
}

}  // namespace sim
}  // namespace tsnic
