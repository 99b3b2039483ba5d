#include "sim/interrupts.h"

#include <unistd.h>

#include "sim/card.h"

namespace tsnic {
namespace sim {

namespace {

// The vector IVAR maps rx queue q to, or -1 when its entry is not valid (interrupts.h, IvarEntry).
int RxVector(Port& p, uint32_t q) {
  const uint32_t entry = IvarEntry(p.regs.Load(Ivar(q >> 1)), q, false);
  return (entry & kIvarValid) ? static_cast<int>(entry & 0x3F) : -1;
}

// Sends the message of vector v: one eventfd increment, as an MSI-X write reaches the host.
void Signal(Port& p, uint32_t v) {
  p.irq.fired[v]++;
  if (v >= p.irq.fdCount || p.irq.fds[v] < 0) return;  // no host handler: the message goes nowhere
  const uint64_t one = 1;
  (void)!write(p.irq.fds[v], &one, sizeof one);
}

uint32_t SetEicr(Port& p, uint32_t bits) { return p.eicrCauses.fetch_or(bits) | bits; }

}  // namespace

bool PortInterrupts(Port& p, uint64_t now) {
  Interrupts& irq = p.irq;
  if (irq.rxCauses != 0) {
    uint32_t bits = 0;
    for (uint64_t causes = irq.rxCauses; causes != 0; causes &= causes - 1) {
      const int v = RxVector(p, static_cast<uint32_t>(__builtin_ctzll(causes)));
      if (v >= 0 && v < 16) bits |= 1u << v;
    }
    irq.rxCauses = 0;
    if (bits != 0) {
      // The first frame behind a cause stamps it (a later one joins the same message).
      const uint32_t latched = p.eicrCauses.load();
      for (uint32_t b = bits & ~latched; b != 0; b &= b - 1) irq.causeNs[__builtin_ctz(b)] = now;
      SetEicr(p, bits);  // published into EICR when the driver reads it (access_trap.cc PrepareRead)
    }
  }
  const uint32_t pending = p.eicrCauses.load() & p.eimsBits.load();
  const uint32_t gpie = p.regs.Load(kGpie);
  // Read first: the exchange (a locked instruction) only when the driver cleared something.
  const uint32_t rearmed = irq.rearm.load(std::memory_order_relaxed) != 0 ? irq.rearm.exchange(0) : 0;
  if (!(gpie & kGpieMultipleMsix)) {
    // MSI / INTx: one message when a cause becomes pending; none while it stays so.
    if (pending == 0 || rearmed != 0) irq.msiAsserted = false;
    if (pending != 0 && !irq.msiAsserted) {
      irq.msiAsserted = true;
      Signal(p, 0);
      return true;
    }
    return false;
  }
  bool sent = false;
  // A vector whose cause or mask was cleared since its message may signal again.
  irq.sent &= pending & ~rearmed;
  for (uint32_t due = pending & 0xFFFF & ~irq.sent; due != 0; due &= due - 1) {
    const uint32_t v = static_cast<uint32_t>(__builtin_ctz(due));
    // EITR(v) bits 11:3: the interval in 2 us units (8.2.3.5.12), i.e. the field's value >> 2 in us.
    const uint64_t intervalNs = static_cast<uint64_t>((p.regs.Load(Eitr(v)) & kEitrIntervalMask) >> 2) * 1000;
    if (irq.lastFireNs[v] != 0 && now - irq.lastFireNs[v] < intervalNs) continue;
    irq.lastFireNs[v] = now;
    irq.lastCauseNs[v] = irq.causeNs[v];
    const uint32_t bit = 1u << v;
    irq.sent |= bit;
    // Auto-clear (EIAC) and auto-mask (GPIE.EIAME with EIAM) as the message is sent (7.3.4.1, 8.2.3.5.18):
    // either ends this cause, so the next one signals again. Only the model's atomics change here: the
    // EICR and EIMS words are the driver's to write (a store from this thread between the driver's
    // write and the trap handler reading what it wrote would lose the driver's bits) and are
    // published when the driver reads them (access_trap.cc PrepareRead).
    if (p.regs.Load(kEiac) & bit) {
      p.eicrCauses.fetch_and(~bit);
      irq.sent &= ~bit;
    }
    if ((gpie & kGpieEiame) && (p.regs.Load(kEiam) & bit)) {
      p.eimsBits.fetch_and(~bit);
      irq.sent &= ~bit;
    }
    Signal(p, v);
    sent = true;
  }
  return sent;
}

void IrqReset(Port& p) {
  Interrupts& irq = p.irq;
  irq.rxCauses = 0;
  irq.sent = 0;
  irq.rearm.store(0);
  irq.msiAsserted = false;
  for (uint64_t& t : irq.lastFireNs) t = 0;
}

void IrqOnEicsWrite(Port& p) {
  // EICS: writing 1 sets the EICR bit (bit 31 reserved); the register reads 0 (write only).
  const uint32_t written = p.regs.Load(kEics) & 0x7FFFFFFF;
  p.regs.Store(kEics, 0);
  if (written != 0) p.regs.Store(kEicr, SetEicr(p, written));
}

void IrqOnEicrRead(Port& p, uint32_t value) {
  // Clear on read (7.3.4.3): everything read, or with GPIE.OCD only the other causes (bits 29:16).
  const uint32_t clear = (p.regs.Load(kGpie) & kGpieOcd) ? value & kEicrOtherCauses : value;
  if (clear == 0) return;
  p.regs.Store(kEicr, p.eicrCauses.fetch_and(~clear) & ~clear);
  IrqRearm(p, clear);
}

}  // namespace sim
}  // namespace tsnic
