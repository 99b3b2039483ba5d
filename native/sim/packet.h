// Test frames of the built-in tester: an Ethernet + IPv4 + UDP frame with a 32-bit sequence number,
// built once per configuration and patched per frame (sequence number and UDP checksum, incrementally).
//
// Layout (offsets in bytes from the start of the frame, FCS not included):
//   0 dst MAC, 6 src MAC, 12 ethertype 0x0800
//   14 IPv4 header (20 bytes, no options, TTL 64, protocol 17, header checksum valid, id 0, DF)
//      src 10.0.0.1, dst 10.0.0.2
//   34 UDP header: src port 1024 (+ flow, PatchFlow), dst port 1024, length, checksum (valid, never 0)
//   42 sequence number, 32-bit big-endian
//   46.. pattern: byte at offset i is (i & 0xFF)
#pragma once
#include <cstdint>

namespace tsnic {
namespace sim {

constexpr uint32_t kMinFrame = 60;     // without FCS
constexpr uint32_t kMaxFrame = 9018;   // jumbo, without FCS
constexpr uint32_t kSeqOffset = 42;
constexpr uint32_t kFcsBytes = 4;

struct FrameTemplate {
  uint8_t bytes[kMaxFrame + kFcsBytes];
  uint32_t size = 0;          // without FCS
  uint32_t baseUdpSum = 0;    // ones'-complement sum of the UDP checksum inputs with sequence 0
};

// Builds the template for frames of `size` bytes (kMinFrame..kMaxFrame) between the two MACs.
void BuildFrame(FrameTemplate* t, uint32_t size, const uint8_t dst[6], const uint8_t src[6]);

// Writes sequence number `seq` and the matching UDP checksum into t->bytes.
inline void PatchSequence(FrameTemplate* t, uint32_t seq) {
  uint8_t* b = t->bytes;
  b[kSeqOffset] = static_cast<uint8_t>(seq >> 24);
  b[kSeqOffset + 1] = static_cast<uint8_t>(seq >> 16);
  b[kSeqOffset + 2] = static_cast<uint8_t>(seq >> 8);
  b[kSeqOffset + 3] = static_cast<uint8_t>(seq);
  uint32_t sum = t->baseUdpSum + (seq >> 16) + (seq & 0xFFFF);
  sum = (sum & 0xFFFF) + (sum >> 16);
  sum = (sum & 0xFFFF) + (sum >> 16);
  uint16_t csum = static_cast<uint16_t>(~sum);
  if (csum == 0) csum = 0xFFFF;
  b[40] = static_cast<uint8_t>(csum >> 8);
  b[41] = static_cast<uint8_t>(csum);
}

// Writes UDP source port 1024 + flow, sequence number `seq` and the matching UDP checksum (the
// generator's flows option; the template carries port 1024, so the checksum grows by `flow`).
inline void PatchFlow(FrameTemplate* t, uint32_t seq, uint32_t flow) {
  uint8_t* b = t->bytes;
  const uint32_t port = 1024 + flow;
  b[34] = static_cast<uint8_t>(port >> 8);
  b[35] = static_cast<uint8_t>(port);
  const uint32_t base = t->baseUdpSum;
  t->baseUdpSum = base + flow;
  PatchSequence(t, seq);
  t->baseUdpSum = base;
}

// What the checker found in one frame.
enum class FrameKind { kGood, kBadChecksum, kNotUdp };

// Validates an IPv4/UDP frame (IPv4 header checksum, UDP checksum over the pseudo header when it is
// not 0). On kGood or kBadChecksum with a readable sequence number, stores it in *seq.
FrameKind CheckFrame(const uint8_t* frame, uint32_t len, uint32_t* seq, bool* hasSeq);

// Ethernet FCS (CRC-32, IEEE 802.3) of `len` bytes.
uint32_t EthernetCrc(const uint8_t* data, uint32_t len);

}  // namespace sim
}  // namespace tsnic
