// A C++ stand-in driver that forwards frames through the model (see selftest.cc).
#pragma once
#include <cstdint>

namespace tsnic {
namespace sim {

struct SelfTestResult {
  uint64_t frames = 0;         // frames that went tester -> rx -> tx -> checker
  double seconds = 0;
  uint64_t lostOrCorrupt = 0;  // frames missing at the checker, sequence errors, bad checksums
  uint64_t dmaFaults = 0;
};

// Forwards `frames` 64-byte frames; false when the card cannot be created.
bool SimSelfTest(uint64_t frames, SelfTestResult* out);

}  // namespace sim
}  // namespace tsnic
