// The 82599's interrupt unit as the model implements it (datasheet 7.3, registers 8.2.3.5): causes
// latched in EICR, gated by EIMS, signalled per MSI-X vector through an eventfd the host side gave the
// card (the simulated MSI-X message; sim.cc hands the same eventfds to Node's loop as VFIO does).
//   - Rx cause: a descriptor write-back on queue q sets the EICR bit of the vector IVAR maps q to
//     (IVAR(q / 2) byte 0 or 2: INT_ALLOC bits 5:0, valid bit 7; 7.3.2 / 8.2.3.5.14). Vectors 16..63
//     would use EICR_EX: not modelled, such a cause is latched nowhere.
//   - EICS (8.2.3.5.3) sets EICR bits from software.
//   - MSI-X mode (GPIE.MULTIPLE_MSIX, bit 4): vector v (< 16) fires when EICR bit v and EIMS bit v are
//     set and at least EITR(v)'s interval (bits 11:3, units of 2 us; 0 = no moderation) passed since it
//     last fired; once per cause: a message is an edge, sent again only after the cause or its mask
//     was cleared (auto-clear, auto-mask, EICR write or read, EIMC) and set again. Firing clears EICR bit v when EIAC bit v is set (auto-clear, 7.3.4.1) and EIMS bit v
//     when GPIE.EIAME (bit 30) and EIAM bit v are set (auto-mask). A masked cause stays latched and
//     fires once unmasked: no interrupt is lost across a driver's re-arm.
//   - Otherwise (MSI / INTx): one message on vector 0 when (EICR & EIMS) becomes non-zero; again only
//     after it was zero (read or write to clear).
//   - EICR reads clear what they return (7.3.4.3), except that with GPIE.OCD (bit 5) only the other
//     causes (bits 29:16) clear on read (access_trap.cc).
// Simplifications (docs/simulator.md): EICR_EX/EIMS_EX/EIMC_EX/EIAM_EX (vectors 16..63) and the
// tx, "other" (IVAR_MISC) and low-latency causes are not modelled; EIAM acts only on firing (the
// EICR-access and EICS forms of auto-mask are not modelled).
#pragma once
#include <atomic>
#include <cstdint>

namespace tsnic {
namespace sim {

struct Port;

constexpr uint32_t kMaxIrqVectors = 64;  // MSI-X table size of an 82599 port (9.3.8.2)

struct Interrupts {
  uint64_t rxCauses = 0;              // queues with a write-back since the last pass (model thread)
  int fds[kMaxIrqVectors];            // eventfd per vector, -1 none (under the card's DMA lock)
  uint32_t fdCount = 0;
  uint64_t lastFireNs[16] = {0};      // EITR spacing per vector
  uint32_t sent = 0;                  // MSI-X: vectors whose message went out for the cause still pending
  std::atomic<uint32_t> rearm{0};     // causes or masks the driver cleared (access trap) since the last pass
  bool msiAsserted = false;           // MSI / INTx: a message was sent and EICR & EIMS has not been 0 since
  uint64_t fired[kMaxIrqVectors] = {0};  // messages sent per vector (tests)
  uint64_t causeNs[16] = {0};         // when the pending rx cause of each vector was latched (pass time)
  uint64_t lastCauseNs[16] = {0};     // causeNs of the vector's last message (benchmark: arrival -> wake-up)
};

// Offsets and bits, 82599 datasheet 8.2.3.5 (cross-checked with Linux ixgbe_type.h).
constexpr uint32_t kEics = 0x00808;
constexpr uint32_t kEiac = 0x00810;
constexpr uint32_t kEiam = 0x00890;
constexpr uint32_t kGpie = 0x00898;
constexpr uint32_t kGpieMultipleMsix = 1u << 4;
constexpr uint32_t kGpieOcd = 1u << 5;
constexpr uint32_t kGpieEiame = 1u << 30;
inline uint32_t Eitr(uint32_t v) { return v < 24 ? 0x00820 + 4 * v : 0x12300 + 4 * (v - 24); }
inline uint32_t Ivar(uint32_t n) { return 0x00900 + 4 * n; }
constexpr uint32_t kIvarValid = 0x80;
// Queue q's entry in IVAR(q / 2), the register's value `ivar` (8.2.3.5.14): rx queue 2n in bits 7:0,
// tx queue 2n in 15:8, rx queue 2n + 1 in 23:16, tx queue 2n + 1 in 31:24; INT_ALLOC 5:0, valid bit 7.
inline uint32_t IvarEntry(uint32_t ivar, uint32_t q, bool tx) { return (ivar >> ((q & 1) * 16 + (tx ? 8 : 0))) & 0xFF; }
constexpr uint32_t kEitrIntervalMask = 0xFF8;  // bits 11:3
constexpr uint32_t kEicrOtherCauses = 0x3FFF0000;  // bits 29:16

// IrqRxCause(p, q) (card.h): a frame was written back on rx queue q; the cause is mapped at the next pass.
// Maps this pass's rx causes into EICR and sends the messages that are due. True when one was sent.
bool PortInterrupts(Port& p, uint64_t now);
// Device reset: interrupt state back to its defaults (the eventfds stay: they belong to the host).
void IrqReset(Port& p);
// Access trap hooks (driver thread): EICS written; EICR read (returns nothing, clears per the rules).
void IrqOnEicsWrite(Port& p);
void IrqOnEicrRead(Port& p, uint32_t value);
// IrqRearm(p, bits) (card.h): EICR written or read (causes cleared) or EIMC written (masks cleared):
// `bits` may signal again once set.

}  // namespace sim
}  // namespace tsnic
