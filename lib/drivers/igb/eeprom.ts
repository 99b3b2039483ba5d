/**
 * The 82576 EEPROM: word reads through EERD (datasheet 8.2.4) and the checksum rule of section 6.1
 * (and Linux's e1000_validate_nvm_checksum_generic): words 0x00..0x3F, the checksum word 0x3F
 * included, add up to 0xBABA (16-bit sum).
 */
import { TsnicError } from '../../errors';
import { EERD, REG } from './registers';

/** The checksum word. */
export const CHECKSUM_WORD = 0x3f;
/** What words 0x00..0x3F add up to. */
export const EEPROM_SUM = 0xbaba;

/** How long one EERD read may take before the EEPROM is declared unresponsive. */
const EERD_TIMEOUT_MS = 100;

/** Reads EEPROM word `word` through EERD: START with the address, poll DONE, data in bits 31:16. */
export function readWord(bar0: Uint32Array, address: string, word: number): number {
  const eerd = REG.EERD >>> 2;
  bar0[eerd] = ((word << EERD.ADDR_SHIFT) | EERD.START) >>> 0;
  const deadline = Date.now() + EERD_TIMEOUT_MS;
  let polls = 0;
  let v = bar0[eerd];
  while ((v & EERD.DONE) === 0) {
    if (++polls > 1000 && Date.now() > deadline) {
      throw new TsnicError(
        'ERR_EEPROM_TIMEOUT',
        `${address}: EEPROM word 0x${word.toString(16)} read through EERD did not complete in ${EERD_TIMEOUT_MS} ms: ` +
          'the EEPROM is absent or unresponsive; power-cycle the machine or check the board',
      );
    }
    v = bar0[eerd];
  }
  return v >>> EERD.DATA_SHIFT;
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
