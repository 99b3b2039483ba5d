// The line from a port's transmitter to its far end (itself with loopback wiring, the other port with
// cross wiring), with the "device under test" fault knobs of the sending port:
//  - maxRatePps > 0: a store-and-forward device with a FIFO of queueFrames frames that sends one frame
//    every 1/maxRatePps seconds at most. A frame that has fully arrived joins the queue, or is dropped
//    when queueFrames frames are already waiting or being sent (counted in wireDropped); so the device
//    forwards up to maxRatePps without loss and drops the excess above it, the RFC 2544 throughput a
//    search must find. Its queueing delay adds to the latency.
//  - delayNs: a fixed delay (cable, or the device's own forwarding latency), up to 1 ms.
// Every frame reaches the far end port's MAC with the time its start (SFD) arrives there: the time it
// left the sender (or the device under test) plus the delay. The receiver's IEEE 1588 timestamp is
// taken at that time (timesync.cc), so a measured latency is exact whatever the model thread's
// scheduling; only the delivery into descriptors waits for a model pass. Without knobs a frame goes
// straight to the far end when it has left the wire, as before.
#include "sim/dut_line.h"

#include <cstring>

#include "sim/card.h"

namespace tsnic {
namespace sim {

constexpr uint32_t kLineBytes = 16u << 20;  // storage for frames in flight: 1 ms at 10 Gbit/s and more
constexpr uint32_t kRecord = 24;

static uint32_t Align8(uint32_t n) { return (n + 7) & ~7u; }

static Port* FarEnd(Port& p) {
  if (p.wiring == kWiringLoopback) return &p;
  if (p.wiring == kWiringCross) return &p.card->ports[1 - p.index];
  return nullptr;
}

void LineClear(Port& p) {
  DutLine& l = p.line;
  l.readAt = l.writeAt = l.used = l.frames = 0;
  l.serverFreeNs = 0;
}

void LineSend(Port& p, const uint8_t* frame, uint32_t len, uint32_t errors, uint64_t startNs, uint64_t endNs) {
  const Faults& f = p.faults;
  DutLine& l = p.line;
  if (f.delayNs == 0 && f.maxRatePps <= 0 && l.frames == 0) {
    Port* to = FarEnd(p);
    if (to != nullptr) PortDeliver(*to, frame, len, errors, startNs);
    return;
  }
  double outNs = static_cast<double>(startNs);  // when the frame's start leaves the device under test
  if (f.maxRatePps > 0) {
    const double service = 1e9 / f.maxRatePps;
    const double arrived = static_cast<double>(endNs);
    const double ahead = l.serverFreeNs > arrived ? (l.serverFreeNs - arrived) / service : 0;
    if (ahead > static_cast<double>(f.queueFrames) - 1e-9) {
      p.counters.wireDropped++;  // the device's queue is full
      return;
    }
    outNs = l.serverFreeNs > arrived ? l.serverFreeNs : arrived;
    l.serverFreeNs = outNs + service;
  }
  const uint64_t sfd = static_cast<uint64_t>(outNs) + f.delayNs;
  const uint64_t due = sfd + (endNs - startNs);
  const uint32_t rec = kRecord + Align8(len);
  if (l.bytes.empty()) l.bytes.resize(kLineBytes);
  if (l.used + rec > kLineBytes || (l.writeAt + rec > kLineBytes && l.used + (kLineBytes - l.writeAt) + rec > kLineBytes)) {
    p.counters.wireDropped++;  // more in flight than the line stores
    return;
  }
  if (l.writeAt + rec > kLineBytes) {
    std::memset(&l.bytes[l.writeAt], 0, 4);  // zero length: skip to the start
    l.used += kLineBytes - l.writeAt;
    l.writeAt = 0;
  }
  const uint32_t hdr[6] = {len, errors, static_cast<uint32_t>(sfd), static_cast<uint32_t>(sfd >> 32),
                           static_cast<uint32_t>(due), static_cast<uint32_t>(due >> 32)};
  std::memcpy(&l.bytes[l.writeAt], hdr, kRecord);
  std::memcpy(&l.bytes[l.writeAt + kRecord], frame, len);
  l.writeAt += rec;
  if (l.writeAt == kLineBytes) l.writeAt = 0;
  l.used += rec;
  l.frames++;
}

bool LineDrain(Port& p, uint64_t now) {
  DutLine& l = p.line;
  while (l.frames > 0) {
    uint32_t hdr[6];
    std::memcpy(hdr, &l.bytes[l.readAt], kRecord);
    if (hdr[0] == 0) {
      l.used -= kLineBytes - l.readAt;
      l.readAt = 0;
      continue;
    }
    const uint64_t due = hdr[4] | static_cast<uint64_t>(hdr[5]) << 32;
    if (due > now) break;
    Port* to = FarEnd(p);
    if (to != nullptr) PortDeliver(*to, &l.bytes[l.readAt + kRecord], hdr[0], hdr[1], hdr[2] | static_cast<uint64_t>(hdr[3]) << 32);
    else p.counters.wireDropped++;  // rewired while in flight: the far end is gone
    const uint32_t rec = kRecord + Align8(hdr[0]);
    l.readAt += rec;
    if (l.readAt == kLineBytes) l.readAt = 0;
    l.used -= rec;
    l.frames--;
    if (l.frames == 0) l.readAt = l.writeAt = l.used = 0;
  }
  return l.frames > 0;
}

}  // namespace sim
}  // namespace tsnic
