/**
 * The 82599 EEPROM: word reads through EERD (datasheet 8.2.3.2.2) and the checksum rule. The rule, as
 * Linux's ixgbe_calc_eeprom_checksum_generic applies it to the 82599: add words 0x00..0x3E, then for
 * each module pointer in words 0x03..0x0E (the firmware pointer 0x0F is excluded) that is neither
 * 0x0000 nor 0xFFFF, the section it points to: the word at the pointer is the section length, and the
 * `length` words after it are added (lengths 0x0000 / 0xFFFF, and sections reaching past the end of
 * the EEPROM, add nothing). All sums are 16-bit. Word 0x3F stores `0xBABA - sum`.
 */
import { TsnicError } from '../../errors';
import { EEC, EERD, REG } from './registers';

/** The checksum word. */
export const CHECKSUM_WORD = 0x3f;
/** What words 0x00..0x3F plus the covered sections add up to. */
export const EEPROM_SUM = 0xbaba;
/** First module pointer covered by the checksum (PCIe analog). */
export const FIRST_POINTER = 0x03;
/** The firmware module pointer: the first one NOT covered. */
export const FIRMWARE_POINTER = 0x0f;

/** Reads EEPROM word `word`; returns 0..0xFFFF. */
export type WordReader = (word: number) => number;

/**
 * The checksum the EEPROM should store in word 0x3F (`0xBABA - sum`), computed from `read` over an
 * EEPROM of `wordCount` words.
 */
export function computeChecksum(read: WordReader, wordCount: number): number {
  let sum = 0;
  for (let i = 0; i < CHECKSUM_WORD; i++) sum = (sum + read(i)) & 0xffff;
  for (let p = FIRST_POINTER; p < FIRMWARE_POINTER; p++) {
    const pointer = read(p);
    if (pointer === 0 || pointer === 0xffff || pointer >= wordCount) continue;
    const length = read(pointer);
    if (length === 0 || length === 0xffff || pointer + length >= wordCount) continue;
    for (let j = pointer + 1; j <= pointer + length; j++) sum = (sum + read(j)) & 0xffff;
  }
  return (EEPROM_SUM - sum) & 0xffff;
}

/** EEPROM size in words from EEC.SIZE (8.2.3.2.1: `1 << (SIZE + 6)`). */
export function eepromWords(eec: number): number {
  return 1 << (((eec >>> EEC.SIZE_SHIFT) & EEC.SIZE_MASK) + 6);
}

/** How long one EERD read may take before the EEPROM is declared unresponsive. */
const EERD_TIMEOUT_MS = 100;

/** Reads one word through EERD: write START with the address, poll DONE, data in bits 31:16. */
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

/** Stored and computed checksums of the device's EEPROM. */
export interface EepromChecksum {
  /** Word 0x3F. */
  stored: number;
  /** `0xBABA - sum` over the covered words. */
  computed: number;
}

/** Reads the words the checksum covers through EERD (each once) and computes it. */
export function readChecksum(bar0: Uint32Array, address: string): EepromChecksum {
  const words = eepromWords(bar0[REG.EEC >>> 2]);
  const cache = new Map<number, number>();
  const read: WordReader = (w) => {
    let v = cache.get(w);
    if (v === undefined) {
      v = readWord(bar0, address, w);
      cache.set(w, v);
    }
    return v;
  };
  return { stored: read(CHECKSUM_WORD), computed: computeChecksum(read, words) };
}
