// The e1000's EEPROM rules: the 0xBABA checksum over words 0x00..0x3F, the MAC in words 0..2, and the
// EERD read protocol (start bit 0, done bit 4, address 15:8, data 31:16) against a scripted register.
import t from 'tap';
import {
  eepromChecksumValid, eepromChecksumWord, eepromSum, formatMac, isUsableMac, macBytesFromEeprom, readEeprom,
} from '../../lib/drivers/e1000/eeprom';
import { REG } from '../../lib/drivers/e1000/registers';

// QEMU's default e1000 EEPROM image starts with the MAC 52:54:00:12:34:56 and ends with the checksum.
function sampleEeprom(): Uint16Array {
  const words = new Uint16Array(0x40);
  words.set([0x5452, 0x1200, 0x5634, 0x0000, 0xffff, 0x0000, 0x0000, 0x0000]);
  words[0x0a] = 0x640c;
  words[0x0b] = 0x8086;
  words[0x0d] = 0x100e;
  words[0x3f] = eepromChecksumWord(words);
  return words;
}

t.test('checksum: words 0x00..0x3F sum to 0xBABA', async (t) => {
  const words = sampleEeprom();
  t.equal(eepromSum(words), 0xbaba);
  t.ok(eepromChecksumValid(words));
  words[5] ^= 0x0100;
  t.notOk(eepromChecksumValid(words), 'one flipped bit breaks it');
  t.equal(eepromSum(words), (0xbaba + 0x0100) & 0xffff);
});

t.test('checksum word wraps modulo 2^16', async (t) => {
  const words = new Uint16Array(0x40).fill(0xffff);
  words[0x3f] = eepromChecksumWord(words);
  t.ok(eepromChecksumValid(words));
  t.equal(words[0x3f], (0xbaba + 63) & 0xffff);
});

t.test('MAC from words 0..2, low byte first', async (t) => {
  const mac = macBytesFromEeprom(sampleEeprom());
  t.equal(formatMac(mac), '52:54:00:12:34:56');
  t.ok(isUsableMac(mac));
  t.notOk(isUsableMac(new Uint8Array(6)), 'all zero');
  t.notOk(isUsableMac(Uint8Array.of(0x01, 0, 0x5e, 0, 0, 1)), 'multicast');
  t.notOk(isUsableMac(new Uint8Array(6).fill(0xff)), 'broadcast');
});

// A BAR0 whose EERD answers like the 8254x: the write starts a read, the next read returns done + data.
function eerdBar(words: Uint16Array, answer = true): { bar0: Uint32Array; writes: number[] } {
  const backing = new Uint32Array(0x20000 / 4);
  const writes: number[] = [];
  const index = REG.EERD >>> 2;
  const bar0 = new Proxy(backing, {
    set(target, key, value: number) {
      if (key === String(index)) {
        writes.push(value);
        const word = (value >>> 8) & 0xff;
        target[index] = answer && (value & 1) !== 0 ? (words[word] << 16) | (word << 8) | 0x10 : value;
        return true;
      }
      return Reflect.set(target, key, value);
    },
  });
  return { bar0, writes };
}

t.test('EERD read protocol', async (t) => {
  const words = sampleEeprom();
  const { bar0, writes } = eerdBar(words);
  const read = readEeprom(bar0, 'test:0');
  t.same(Array.from(read), Array.from(words));
  t.equal(writes.length, 0x40);
  t.equal(writes[0x0b], (0x0b << 8) | 1, 'address in bits 15:8, start in bit 0');
});

t.test('EERD that never completes: ERR_EEPROM_TIMEOUT naming the word', async (t) => {
  const { bar0 } = eerdBar(sampleEeprom(), false);
  t.throws(() => readEeprom(bar0, 'test:0'), { code: 'ERR_EEPROM_TIMEOUT', message: /test:0.*word 0x0/ });
});
