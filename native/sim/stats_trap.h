// Clear-on-read statistics registers (datasheet 8.2.3.23) over a register file that the driver reads
// with plain loads. See stats_trap.cc for the mechanism.
#pragma once

namespace tsnic {
namespace sim {

struct Port;

// Makes the port's statistics registers clear on read in the driver's view. Idempotent per port.
bool StatsTrapAttach(Port& p);
void StatsTrapDetach(Port& p);
// Zeroes the registers and the reported baselines (device reset).
void StatsTrapReset(Port& p);

}  // namespace sim
}  // namespace tsnic
