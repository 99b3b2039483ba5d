// The 82599's IEEE 1588 unit (datasheet 7.9) in the simulated port: SYSTIM advancing by TIMINCA, one
// latched transmit timestamp (TSYNCTXCTL, TXSTMPL/H) and one latched receive timestamp (TSYNCRXCTL,
// RXSTMPL/H with the source id and sequence id in RXSATRL/H), each held until its high register is
// read. See timesync.cc for the rules.
#pragma once
#include <atomic>
#include <cstdint>

namespace tsnic {
namespace sim {

struct Port;

// The port's clock and latches. The clock fields change from the driver's thread (register writes
// seen by access_trap) and are read from the model thread, under `lock`.
struct TimesyncState {
  std::atomic<bool> lock{false};
  uint64_t base = 0;     // SYSTIM at t0
  uint64_t t0 = 0;       // ns on the model's clock (NowNs) when SYSTIM was base
  uint32_t timinca = 0;  // INCPERIOD 31:24 (0: the clock stands still), INCVALUE 23:0
  std::atomic<bool> txLatched{false}, rxLatched{false};
};

// Reset values: SYSTIM 0, TIMINCA 0 (stopped), nothing latched.
void TimesyncReset(Port& p, uint64_t now);
// SYSTIM at `ns` on the model's clock.
uint64_t TimesyncAt(Port& p, uint64_t ns);
// A frame whose descriptor asked for a timestamp started onto the wire at `ns`.
void TimesyncTx(Port& p, uint64_t ns);
// A good frame passed the MAC filters with its start (SFD) received at `ns`: latches its timestamp when
// it is a PTP frame TSYNCRXCTL selects and the latch is free. Returns the write-back status bit (TS) or 0.
uint32_t TimesyncRx(Port& p, const uint8_t* frame, uint32_t len, uint64_t ns);
// access_trap hooks: registers with side effects on access.
bool TimesyncRegister(uint32_t reg);
void TimesyncBeforeRead(Port& p, uint32_t reg);
void TimesyncAfterAccess(Port& p, uint32_t reg, bool write);

}  // namespace sim
}  // namespace tsnic
