// IEEE 1588 time sync of a simulated 82599 port (datasheet 7.9; registers 8.2.3.26; offsets and bits
// as Linux ixgbe_type.h names them, usage as ixgbe_ptp.c programs them).
//
// Clock (7.9.3): SYSTIM (SYSTIMH:SYSTIML, 64 bits) adds TIMINCA.INCVALUE (23:0) every INCPERIOD
// (31:24) periods of the 10 Gbit/s MAC clock, 6.4 ns (156.25 MHz); INCPERIOD 0, the reset value,
// leaves it standing. The model computes it from its own ns clock (NowNs), so a timestamp taken for an
// instant in the past (a frame's start on the wire, found at a later model pass) is exact. A TIMINCA
// write rebases the clock at the instant of the write; SYSTIML/SYSTIMH writes set the low/high half.
// Reading SYSTIML latches SYSTIMH (read low, then high).
//
// Transmit (7.9.2): with TSYNCTXCTL.EN, a frame whose advanced data descriptor has DCMD MAC.TSTAMP
// (dword 2 bit 19) is timestamped when it starts onto the wire: TXSTMPL/H hold the time and
// TSYNCTXCTL.VALID sets. Only one timestamp is held: until software reads TXSTMPH, which clears VALID,
// later frames are not timestamped.
//
// Receive (7.9.2): with TSYNCRXCTL.EN, a PTP frame of the kind TSYNCRXCTL.TYPE selects is timestamped
// as its start arrives: RXSTMPL/H hold the time, RXSATRL the source id's bytes 22..25 of the PTP
// header (little-endian, the byte order of RAL), RXSATRH bits 15:0 its bytes 26..27 and 31:16 the
// sequence id (header bytes 30..31, big-endian value), TSYNCRXCTL.VALID sets, and the frame's
// advanced write-back carries TS (status bit 16). Until software reads RXSTMPH, later PTP frames are
// not timestamped (counted in rxTimestampsLocked); a timestamped frame the port then misses or drops
// keeps the latch held, as on silicon (Linux's ixgbe watchdog clears such a stale latch by reading
// RXSTMPH). PTP frames: over Layer 2, EtherType equal to an ETQF(n) filter with FILTER_EN and its 1588
// bit (Linux: filter 3, 0x88F7); over UDP/IPv4, destination port RXMTRL bits 31:16 (Linux: 319).
// TYPE: 000b L2 V2 with messageType = RXMTRL 15:8; 001b L4 V1 with control = RXMTRL 7:0; 010b L2 and
// L4 V2 with messageType = RXMTRL 15:8; 101b every V2 event message (messageType 0..3), L2 and L4.
// Other TYPE values timestamp nothing here (not modelled).
#include "sim/timesync.h"

#include "sim/card.h"

namespace tsnic {
namespace sim {

namespace {

class ClockLock {
 public:
  explicit ClockLock(TimesyncState& t) : t_(t) {
    while (t_.lock.exchange(true, std::memory_order_acquire)) {
    }
  }
  ~ClockLock() { t_.lock.store(false, std::memory_order_release); }

 private:
  TimesyncState& t_;
};

// MAC clock periods of 6.4 ns (64 tenths of a ns) between t0 and ns, in whole INCPERIODs.
uint64_t At(const TimesyncState& t, uint64_t ns) {
  const uint32_t period = t.timinca >> 24;
  const uint64_t inc = t.timinca & 0xFFFFFF;
  if (period == 0) return t.base;
  const uint64_t unit = 64ull * period;  // tenths of a ns per increment
  if (ns >= t.t0) return t.base + (ns - t.t0) * 10 / unit * inc;
  return t.base - ((t.t0 - ns) * 10 + unit - 1) / unit * inc;
}

void SetValid(Port& p, uint32_t reg, bool on) {
  uint32_t* word = p.regs.ModelWord(reg);
  if (on) __atomic_fetch_or(word, kTsyncValid, __ATOMIC_ACQ_REL);
  else __atomic_fetch_and(word, ~kTsyncValid, __ATOMIC_ACQ_REL);
}

// Where the PTP header starts (0: not a PTP frame the port's filters recognise).
uint32_t PtpOffset(Port& p, const uint8_t* f, uint32_t len, bool* l2) {
  if (len < 14) return 0;
  const uint32_t type = static_cast<uint32_t>(f[12]) << 8 | f[13];
  for (uint32_t n = 0; n < 8; n++) {
    const uint32_t etqf = p.regs.Load(Etqf(n));
    if ((etqf & kEtqfFilterEn) && (etqf & kEtqf1588) && (etqf & 0xFFFF) == type) {
      *l2 = true;
      return 14;
    }
  }
  if (type != 0x0800 || len < 34 || (f[14] >> 4) != 4 || f[23] != 17) return 0;
  if (((f[20] & 0x1F) | f[21]) != 0) return 0;  // a fragment: no UDP header here
  const uint32_t udp = 14 + (f[14] & 0xF) * 4u;
  if (len < udp + 8) return 0;
  const uint32_t port = static_cast<uint32_t>(f[udp + 2]) << 8 | f[udp + 3];
  if (port != p.regs.Load(kRxmtrl) >> 16) return 0;
  *l2 = false;
  return udp + 8;
}

// Whether TSYNCRXCTL.TYPE selects the PTP message at f[at..].
bool Selected(Port& p, const uint8_t* f, uint32_t len, uint32_t at, bool l2) {
  if (len < at + 34) return false;
  const uint8_t* h = f + at;
  const bool v2 = (h[1] & 0xF) == 2;
  const bool v1 = h[0] == 0 && h[1] == 1;
  const uint32_t mtrl = p.regs.Load(kRxmtrl);
  const uint32_t messageType = h[0] & 0xF;
  switch (p.regs.Load(kTsyncrxctl) & kTsyncRxTypeMask) {
    case kTsyncRxTypeL2V2: return l2 && v2 && messageType == ((mtrl >> 8) & 0xFF);
    case kTsyncRxTypeL4V1: return !l2 && v1 && h[32] == (mtrl & 0xFF);
    case kTsyncRxTypeL2L4V2: return v2 && messageType == ((mtrl >> 8) & 0xFF);
    case kTsyncRxTypeEventV2: return v2 && messageType <= 3;
    default: return false;
  }
}

}  // namespace

void TimesyncReset(Port& p, uint64_t now) {
  TimesyncState& t = p.timesync;
  {
    ClockLock lock(t);
    t.base = 0;
    t.t0 = now;
    t.timinca = 0;
  }
  t.txLatched.store(false);
  t.rxLatched.store(false);
}

uint64_t TimesyncAt(Port& p, uint64_t ns) {
  ClockLock lock(p.timesync);
  return At(p.timesync, ns);
}

void TimesyncTx(Port& p, uint64_t ns) {
  if (!(p.regs.Load(kTsynctxctl) & kTsyncEnable)) return;
  if (p.timesync.txLatched.exchange(true)) return;  // one timestamp at a time: the latch is held
  const uint64_t v = TimesyncAt(p, ns);
  p.regs.Store(kTxstmpl, static_cast<uint32_t>(v));
  p.regs.Store(kTxstmph, static_cast<uint32_t>(v >> 32));
  SetValid(p, kTsynctxctl, true);
  p.counters.txTimestamps++;
}

uint32_t TimesyncRx(Port& p, const uint8_t* f, uint32_t len, uint64_t ns) {
  if (!(p.regs.Load(kTsyncrxctl) & kTsyncEnable)) return 0;
  bool l2 = false;
  const uint32_t at = PtpOffset(p, f, len, &l2);
  if (at == 0 || !Selected(p, f, len, at, l2)) return 0;
  if (p.timesync.rxLatched.exchange(true)) {
    p.counters.rxTimestampsLocked++;
    return 0;
  }
  const uint64_t v = TimesyncAt(p, ns);
  const uint8_t* h = f + at;
  p.regs.Store(kRxstmpl, static_cast<uint32_t>(v));
  p.regs.Store(kRxstmph, static_cast<uint32_t>(v >> 32));
  p.regs.Store(kRxsatrl, h[22] | h[23] << 8 | h[24] << 16 | static_cast<uint32_t>(h[25]) << 24);
  p.regs.Store(kRxsatrh, h[26] | h[27] << 8 | (static_cast<uint32_t>(h[30]) << 8 | h[31]) << 16);
  SetValid(p, kTsyncrxctl, true);
  p.counters.rxTimestamps++;
  return kRxStatTs;
}

bool TimesyncRegister(uint32_t reg) {
  return reg == kSystiml || reg == kSystimh || reg == kTiminca || reg == kTsynctxctl || reg == kTsyncrxctl ||
         reg == kTxstmph || reg == kRxstmph;
}

void TimesyncBeforeRead(Port& p, uint32_t reg) {
  if (reg != kSystiml) return;
  const uint64_t v = TimesyncAt(p, NowNs());
  p.regs.Store(kSystiml, static_cast<uint32_t>(v));
  p.regs.Store(kSystimh, static_cast<uint32_t>(v >> 32));  // latched until the next SYSTIML read
}

void TimesyncAfterAccess(Port& p, uint32_t reg, bool write) {
  TimesyncState& t = p.timesync;
  if (!write) {
    // Reading the high half releases the latch (VALID first, so a new timestamp never finds it set).
    if (reg == kTxstmph) {
      SetValid(p, kTsynctxctl, false);
      t.txLatched.store(false);
    } else if (reg == kRxstmph) {
      SetValid(p, kTsyncrxctl, false);
      t.rxLatched.store(false);
    }
    return;
  }
  const uint64_t now = NowNs();
  const uint32_t v = p.regs.Load(reg);
  if (reg == kTsynctxctl) {
    SetValid(p, reg, t.txLatched.load());  // VALID is read only
  } else if (reg == kTsyncrxctl) {
    SetValid(p, reg, t.rxLatched.load());
  } else if (reg == kTiminca) {
    ClockLock lock(t);
    t.base = At(t, now);
    t.t0 = now;
    t.timinca = v;
  } else if (reg == kSystiml || reg == kSystimh) {
    ClockLock lock(t);
    const uint64_t cur = At(t, now);
    t.base = reg == kSystiml ? (cur & ~0xFFFFFFFFull) | v : (cur & 0xFFFFFFFFull) | static_cast<uint64_t>(v) << 32;
    t.t0 = now;
  }
}

}  // namespace sim
}  // namespace tsnic
