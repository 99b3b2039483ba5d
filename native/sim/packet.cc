#include "sim/packet.h"

#include <cstring>

namespace tsnic {
namespace sim {

// Adds the big-endian 16-bit words of p[0..len) to `sum` (ones'-complement partial sum, folded by the
// caller). The ones'-complement sum does not depend on byte order (RFC 1071), so the words are summed
// eight bytes at a time in host order and the folded result is swapped once.
static uint32_t SumWords(const uint8_t* p, uint32_t len, uint32_t sum) {
  uint64_t acc = 0;
  for (; len >= 8; p += 8, len -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    acc += (w & 0xFFFFFFFFu) + (w >> 32);
  }
  if (len >= 4) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    acc += w;
    p += 4;
    len -= 4;
  }
  if (len >= 2) {
    uint16_t w;
    std::memcpy(&w, p, 2);
    acc += w;
    p += 2;
    len -= 2;
  }
  if (len > 0) acc += p[0];  // the odd last byte is the high byte of a big-endian word
  while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
  return sum + static_cast<uint32_t>(((acc & 0xFF) << 8) | (acc >> 8));
}

static uint32_t Fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

static void Put16(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void BuildFrame(FrameTemplate* t, uint32_t size, const uint8_t dst[6], const uint8_t src[6]) {
  if (size < kMinFrame) size = kMinFrame;
  if (size > kMaxFrame) size = kMaxFrame;
  uint8_t* b = t->bytes;
  for (uint32_t i = 0; i < size; i++) b[i] = static_cast<uint8_t>(i);
  std::memcpy(b, dst, 6);
  std::memcpy(b + 6, src, 6);
  Put16(b + 12, 0x0800);
  uint8_t* ip = b + 14;
  const uint32_t ipLen = size - 14;
  ip[0] = 0x45;
  ip[1] = 0;
  Put16(ip + 2, ipLen);
  Put16(ip + 4, 0);
  Put16(ip + 6, 0x4000);
  ip[8] = 64;
  ip[9] = 17;
  Put16(ip + 10, 0);
  const uint8_t srcIp[4] = {10, 0, 0, 1}, dstIp[4] = {10, 0, 0, 2};
  std::memcpy(ip + 12, srcIp, 4);
  std::memcpy(ip + 16, dstIp, 4);
  Put16(ip + 10, ~Fold(SumWords(ip, 20, 0)) & 0xFFFF);
  uint8_t* udp = b + 34;
  const uint32_t udpLen = size - 34;
  Put16(udp, 1024);
  Put16(udp + 2, 1024);
  Put16(udp + 4, udpLen);
  Put16(udp + 6, 0);
  std::memset(b + kSeqOffset, 0, 4);
  // Pseudo header (src, dst, protocol, UDP length) + UDP header and payload, checksum field 0.
  uint32_t sum = SumWords(ip + 12, 8, 0) + 17 + udpLen;
  sum = SumWords(udp, udpLen, sum);
  t->baseUdpSum = Fold(sum);
  t->size = size;
  PatchSequence(t, 0);
}

FrameKind CheckFrame(const uint8_t* f, uint32_t len, uint32_t* seq, bool* hasSeq) {
  *hasSeq = false;
  if (len < 42 || f[12] != 0x08 || f[13] != 0x00) return FrameKind::kNotUdp;
  const uint8_t* ip = f + 14;
  if (ip[0] != 0x45 || ip[9] != 17) return FrameKind::kNotUdp;
  const uint32_t ipLen = static_cast<uint32_t>(ip[2] << 8 | ip[3]);
  if (ipLen < 28 || 14 + ipLen > len) return FrameKind::kBadChecksum;
  const uint8_t* udp = ip + 20;
  const uint32_t udpLen = static_cast<uint32_t>(udp[4] << 8 | udp[5]);
  if (udpLen >= 12) {
    *seq = static_cast<uint32_t>(f[kSeqOffset]) << 24 | static_cast<uint32_t>(f[kSeqOffset + 1]) << 16 |
           static_cast<uint32_t>(f[kSeqOffset + 2]) << 8 | f[kSeqOffset + 3];
    *hasSeq = true;
  }
  if (Fold(SumWords(ip, 20, 0)) != 0xFFFF) return FrameKind::kBadChecksum;
  if (udpLen < 8 || 20 + udpLen > ipLen) return FrameKind::kBadChecksum;
  if ((udp[6] | udp[7]) != 0) {
    uint32_t sum = SumWords(ip + 12, 8, 0) + 17 + udpLen;
    if (Fold(SumWords(udp, udpLen, sum)) != 0xFFFF) return FrameKind::kBadChecksum;
  }
  return FrameKind::kGood;
}

static uint32_t g_crcTable[256];
static bool BuildCrcTable() {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    g_crcTable[i] = c;
  }
  return true;
}
static const bool g_crcReady = BuildCrcTable();

uint32_t EthernetCrc(const uint8_t* data, uint32_t len) {
  (void)g_crcReady;
  uint32_t c = 0xFFFFFFFFu;
  for (uint32_t i = 0; i < len; i++) c = g_crcTable[(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return ~c;
}

}  // namespace sim
}  // namespace tsnic
