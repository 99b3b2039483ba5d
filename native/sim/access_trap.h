// Registers whose side effects happen on the access itself, over a register file the driver touches
// with plain loads and stores: clear-on-read statistics (datasheet 8.2.3.23) and write-1-to-clear EICR
// (8.2.3.5.1). See access_trap.cc for the mechanism.
#pragma once

namespace tsnic {
namespace sim {

struct Port;

// Makes the port's counters clear on read and EICR write-1-to-clear in the driver's view; with
// strictTails, also traps the tail pages (CardOptions::strictTails).
bool AccessTrapAttach(Port& p, bool strictTails);
void AccessTrapDetach(Port& p);
// Zeroes the counter registers and the reported baselines (device reset).
void AccessTrapReset(Port& p);

}  // namespace sim
}  // namespace tsnic
