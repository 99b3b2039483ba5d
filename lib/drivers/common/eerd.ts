/**
 * EEPROM word reads through EERD, whose layout the 82599 (datasheet 8.2.3.2.2) and the 82576 (8.2.4)
 * share: write START (bit 0) with the word address from bit 2, poll DONE (bit 1), data in bits 31:16.
 * Only the register's offset differs.
 */
import { TsnicError } from '../../errors';

/** EERD fields. */
export const EERD = { START: 1 << 0, DONE: 1 << 1, ADDR_SHIFT: 2, DATA_SHIFT: 16 } as const;

/**
 * How long one EERD read may take before the EEPROM is declared unresponsive (Linux's ixgbe allows
 * 100000 polls 5 us apart).
 */
export const EERD_TIMEOUT_MS = 500;

/** Reads EEPROM word `word` through the EERD register at byte offset `eerdOffset`; returns 0..0xFFFF. */
export function readEerdWord(bar0: Uint32Array, eerdOffset: number, address: string, word: number): number {
  const eerd = eerdOffset >>> 2;
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
