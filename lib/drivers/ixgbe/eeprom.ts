/**
 * The 82599 EEPROM: the checksum rule over words read through EERD (datasheet 8.2.3.2.2,
 * common/eerd.ts). The rule, as
 * Linux's ixgbe_calc_eeprom_checksum_generic applies it to the 82599: add words 0x00..0x3E, then for
 * each module pointer in words 0x03..0x0E (the firmware pointer 0x0F is excluded) that is neither
 * 0x0000 nor 0xFFFF, the section it points to: the word at the pointer is the section length, and the
 * `length` words after it are added (lengths 0x0000 / 0xFFFF, and sections reaching past the end of
 * the EEPROM, add nothing). All sums are 16-bit. Word 0x3F stores `0xBABA - sum`.
 */
import { readEerdWord } from '../common/eerd';
import { EEC, REG } from './registers';

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
      v = readEerdWord(bar0, REG.EERD, address, w);
      cache.set(w, v);
    }
    return v;
  };
  return { stored: read(CHECKSUM_WORD), computed: computeChecksum(read, words) };
}
