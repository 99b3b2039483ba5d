/**
 * The 8254x EEPROM: 64 words read through EERD (SDM 5.3.1 and 13.4.4). Words 0x00..0x3F must sum to
 * 0xBABA (SDM 5.6.19, checksum word 0x3F); words 0..2 hold the station MAC, low byte first.
 */
import { TsnicError } from '../../errors';
import { EERD, REG } from './registers';

/** Words covered by the checksum. */
export const EEPROM_WORDS = 0x40;

/** What words 0x00..0x3F add up to on a valid EEPROM. */
export const EEPROM_CHECKSUM_TARGET = 0xbaba;

/** EERD polls before giving up (each poll is one register read, about a microsecond on real hardware). */
const EERD_POLLS = 100_000;

/** The 16-bit sum of `words[0 .. 0x3F]`. */
export function eepromSum(words: Uint16Array): number {
  let sum = 0;
  for (let i = 0; i < EEPROM_WORDS; i++) sum = (sum + words[i]) & 0xffff;
  return sum;
}

/** True when `words` carries a valid checksum. */
export function eepromChecksumValid(words: Uint16Array): boolean {
  return eepromSum(words) === EEPROM_CHECKSUM_TARGET;
}

/** The checksum word (0x3F) that makes words 0x00..0x3E valid. */
export function eepromChecksumWord(words: Uint16Array): number {
  let sum = 0;
  for (let i = 0; i < EEPROM_WORDS - 1; i++) sum = (sum + words[i]) & 0xffff;
  return (EEPROM_CHECKSUM_TARGET - sum) & 0xffff;
}

/** The MAC address stored in words 0..2 as six bytes. */
export function macBytesFromEeprom(words: Uint16Array): Uint8Array {
  const mac = new Uint8Array(6);
  for (let i = 0; i < 3; i++) {
    mac[2 * i] = words[i] & 0xff;
    mac[2 * i + 1] = words[i] >>> 8;
  }
  return mac;
}

/** `aa:bb:cc:dd:ee:ff`. */
export function formatMac(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** True for a usable station address: not all zero, not multicast/broadcast. */
export function isUsableMac(mac: Uint8Array): boolean {
  return (mac[0] & 1) === 0 && mac.some((b) => b !== 0);
}

/** Reads one EEPROM word through EERD. Throws ERR_EEPROM_TIMEOUT when the NIC never sets DONE. */
export function readEepromWord(bar0: Uint32Array, address: string, word: number): number {
  const eerd = REG.EERD >>> 2;
  bar0[eerd] = (word << EERD.ADDR_SHIFT) | EERD.START;
  for (let i = 0; i < EERD_POLLS; i++) {
    const value = bar0[eerd];
    if ((value & EERD.DONE) !== 0) return value >>> EERD.DATA_SHIFT;
  }
  throw new TsnicError(
    'ERR_EEPROM_TIMEOUT',
    `${address}: the EEPROM read of word 0x${word.toString(16)} through EERD never completed: the board may ` +
      'have no EEPROM or use a part without EERD; check the device id and that the function was reset',
  );
}

/** Reads words 0x00..0x3F. */
export function readEeprom(bar0: Uint32Array, address: string): Uint16Array {
  const words = new Uint16Array(EEPROM_WORDS);
  for (let i = 0; i < EEPROM_WORDS; i++) words[i] = readEepromWord(bar0, address, i);
  return words;
}
