// The line between a port's transmitter and its far end's receiver (loopback and cross wiring), with
// an optional device under test on it: a store-and-forward queue served at a set frame rate, and a
// fixed delay (fault knobs Faults.maxRatePps, queueFrames, delayNs). See dut_line.cc.
#pragma once
#include <cstdint>
#include <vector>

namespace tsnic {
namespace sim {

struct Port;

// Frames on the line, in delivery order: records {length, errors, SFD time (2 words), due time (2
// words)} + bytes padded to 8, never wrapping. Storage is allocated on first use.
struct DutLine {
  std::vector<uint8_t> bytes;
  uint32_t readAt = 0, writeAt = 0, used = 0, frames = 0;
  double serverFreeNs = 0;  // when the device under test can start sending its next frame
};

// A frame left port p's wire, its start at startNs and its end at endNs (model clock, ns): on to the
// far end, directly or through the device under test and the delay line.
void LineSend(Port& p, const uint8_t* frame, uint32_t len, uint32_t errors, uint64_t startNs, uint64_t endNs);
// Delivers the frames due by `now`; true while frames are on the line.
bool LineDrain(Port& p, uint64_t now);
// Drops every frame on the line (reset).
void LineClear(Port& p);

}  // namespace sim
}  // namespace tsnic
