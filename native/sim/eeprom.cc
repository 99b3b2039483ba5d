#include "sim/eeprom.h"

#include <cstring>

namespace tsnic {
namespace sim {

static void Section(uint16_t* words, uint16_t ptrWord, uint16_t at, uint16_t length, uint16_t seed) {
  words[ptrWord] = at;
  words[at] = length;
  for (uint16_t i = 1; i <= length; i++) words[at + i] = static_cast<uint16_t>(seed * 0x0101u + i * 0x1F3u);
}

static void PutMac(uint16_t* section, const uint8_t mac[6]) {
  // Ethernet individual address, little-endian byte pairs (datasheet 6.3.x LAN core module words 1..3).
  for (int i = 0; i < 3; i++) section[1 + i] = static_cast<uint16_t>(mac[2 * i] | (mac[2 * i + 1] << 8));
}

void BuildEeprom(const uint8_t mac0[6], const uint8_t mac1[6], uint16_t* words) {
  for (uint32_t i = 0; i < kEepromWords; i++) words[i] = 0xFFFF;  // erased flash reads all ones
  for (uint16_t i = 0; i < kEepromChecksumWord; i++) words[i] = 0;
  words[0x00] = 0x5F03;  // EEPROM control word 1: signature 01b in bits 7:6 area, valid
  words[0x01] = 0x0010;  // EEPROM control word 2
  words[0x02] = 0x0000;
  // Module pointers 0x03..0x0E are covered by the checksum; 0x04/0x05 (core analog) are left unset
  // (0xFFFF), which every variant of the Linux rule skips.
  words[0x04] = 0xFFFF;
  words[0x05] = 0xFFFF;
  Section(words, 0x03, 0x0080, 0x0008, 0x11);  // PCIe analog
  Section(words, 0x06, 0x0090, 0x000C, 0x22);  // PCIe general
  Section(words, 0x07, 0x00A0, 0x0010, 0x33);  // PCIe config space 0
  Section(words, 0x08, 0x00B8, 0x0010, 0x44);  // PCIe config space 1
  Section(words, kEepromCore0Ptr, 0x00D0, 0x0008, 0x55);
  Section(words, kEepromCore1Ptr, 0x00E0, 0x0008, 0x66);
  PutMac(words + 0x00D0, mac0);
  PutMac(words + 0x00E0, mac1);
  Section(words, 0x0B, 0x00F0, 0x0006, 0x77);  // MAC 0
  Section(words, 0x0C, 0x0100, 0x0006, 0x88);  // MAC 1
  words[0x0D] = 0x0000;                        // CSR auto-config 0: none (pointer 0 is skipped)
  words[0x0E] = 0x0000;
  Section(words, 0x0F, 0x0200, 0x0020, 0x99);  // firmware module: NOT covered by the checksum
  words[kEepromChecksumWord] = EepromChecksum(words);
}

uint16_t EepromChecksum(const uint16_t* words) {
  uint16_t sum = 0;
  for (uint16_t i = 0; i < kEepromChecksumWord; i++) sum = static_cast<uint16_t>(sum + words[i]);
  for (uint16_t i = 0x03; i < 0x0F; i++) {
    const uint16_t ptr = words[i];
    if (ptr == 0xFFFF || ptr == 0 || ptr >= kEepromWords) continue;
    const uint16_t length = words[ptr];
    if (length == 0xFFFF || length == 0 || ptr + length >= static_cast<int>(kEepromWords)) continue;
    for (uint32_t j = ptr + 1u; j <= static_cast<uint32_t>(ptr) + length; j++) sum = static_cast<uint16_t>(sum + words[j]);
  }
  return static_cast<uint16_t>(kEepromSum - sum);
}

}  // namespace sim
}  // namespace tsnic
