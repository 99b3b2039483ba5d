/**
 * The 82576 EEPROM: word reads through EERD (datasheet 8.2.4) and the checksum rule of section 6.1
 * (and Linux's e1000_validate_nvm_checksum_generic): words 0x00..0x3F, the checksum word 0x3F
 * included, add up to 0xBABA (16-bit sum).
 */
import { readEerdWord } from '../common/eerd';
import { REG } from './registers';

/** The checksum word. */
export const CHECKSUM_WORD = 0x3f;
/** What words 0x00..0x3F add up to. */
export const EEPROM_SUM = 0xbaba;

/** Reads EEPROM word `word` through EERD (8.2.4). */
export function readWord(bar0: Uint32Array, address: string, word: number): number {
  return readEerdWord(bar0, REG.EERD, address, word);
}

/** Words 0x00..0x3F of the EEPROM. */
export function readChecksummedWords(bar0: Uint32Array, address: string): Uint16Array {
  const words = new Uint16Array(CHECKSUM_WORD + 1);
  for (let i = 0; i <= CHECKSUM_WORD; i++) words[i] = readWord(bar0, address, i);
  return words;
}

/** The 16-bit sum of `words` (0x00..0x3F): 0xBABA on a good EEPROM. */
export function eepromSum(words: Uint16Array): number {
  let sum = 0;
  for (const w of words) sum = (sum + w) & 0xffff;
  return sum;
}

/** The station address in words 0..2 (byte 0 in the low byte of word 0). */
export function macFromEeprom(words: Uint16Array): Uint8Array {
  return Uint8Array.of(words[0] & 0xff, words[0] >>> 8, words[1] & 0xff, words[1] >>> 8, words[2] & 0xff, words[2] >>> 8);
}
