// The synthesized EEPROM image of the simulated 82599 (datasheet section 6: EEPROM map) and the Linux
// ixgbe checksum rule the driver validates it with.
#pragma once
#include <cstdint>

namespace tsnic {
namespace sim {

constexpr uint32_t kEepromWords = 2048;       // 4 KiB; EEC.SIZE = 5 (words = 1 << (5 + 6))
constexpr uint32_t kEepromSizeField = 5;
constexpr uint16_t kEepromChecksumWord = 0x3F;
constexpr uint16_t kEepromSum = 0xBABA;
constexpr uint16_t kEepromCore0Ptr = 0x09;    // LAN core 0 module pointer; MAC at section words 1..3
constexpr uint16_t kEepromCore1Ptr = 0x0A;

// Fills `words` with an 82599-style image: control words, module pointers (0x03..0x0F), a few
// pointed-to sections (LAN core 0/1 with each port's MAC address, PCIe and MAC modules) and the
// checksum word 0x3F chosen so that the checksum rule below sums to 0xBABA.
void BuildEeprom(const uint8_t mac0[6], const uint8_t mac1[6], uint16_t* words);

// The rule of Linux ixgbe_calc_eeprom_checksum_generic: words 0x00..0x3E, plus for each pointer word
// 0x03..0x0E (the firmware pointer 0x0F is excluded) that is neither 0 nor 0xFFFF, the `length` words
// after the section's length word (sections of length 0 or 0xFFFF are skipped). Returns 0xBABA - sum.
uint16_t EepromChecksum(const uint16_t* words);

}  // namespace sim
}  // namespace tsnic
