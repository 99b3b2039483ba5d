/**
 * PCI addresses as Linux names them in sysfs: `domain:bus:device.function`, `0000:03:00.0`. The short
 * form `03:00.0` (as `lspci` prints it) means domain 0000.
 */
import { TsnicError } from '../errors';

const PCI_ADDRESS = /^(?:([0-9a-f]{4}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i;

/**
 * The full, lower-case form of a PCI address, or ERR_PCI_ADDRESS when `text` is not one.
 *
 * @example
 * parsePciAddress('03:00.0');      // '0000:03:00.0'
 * parsePciAddress('0000:AF:00.1'); // '0000:af:00.1'
 */
export function parsePciAddress(text: unknown): string {
  const m = typeof text === 'string' ? PCI_ADDRESS.exec(text) : null;
  // The device number has 5 bits (0x00..0x1f).
  if (m === null || parseInt(m[3] as string, 16) > 0x1f) {
    const shown = typeof text === 'string' ? `"${text}"` : String(text);
    throw new TsnicError(
      'ERR_PCI_ADDRESS',
      `${shown} is not a PCI address: expected domain:bus:device.function like 0000:03:00.0 (or 03:00.0), ` +
        'as tsnic list or lspci -D shows it',
    );
  }
  return `${m[1] ?? '0000'}:${m[2]}:${m[3]}.${m[4]}`.toLowerCase();
}
