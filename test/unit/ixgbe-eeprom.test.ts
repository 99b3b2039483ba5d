// The 82599 EEPROM checksum rule on synthetic images, and the EERD read protocol over plain memory.
import t from 'tap';
import { readEerdWord } from '../../lib/drivers/common/eerd';
import { computeChecksum, eepromWords } from '../../lib/drivers/ixgbe/eeprom';

const EERD_OFFSET = 0x10014; // 82599 EERD (8.2.3.2.2)
const readWord = (bar0: Uint32Array, address: string, word: number): number => readEerdWord(bar0, EERD_OFFSET, address, word);

/** A 2048-word image: erased (0xFFFF) except what `words` sets. */
function image(words: Record<number, number>): Uint16Array {
  const img = new Uint16Array(2048).fill(0xffff);
  for (let i = 0; i < 0x40; i++) img[i] = 0;
  for (const [k, v] of Object.entries(words)) img[Number(k)] = v;
  return img;
}

const checksumOf = (img: Uint16Array): number => computeChecksum((w) => img[w], img.length);

t.test('words 0x00..0x3E only: checksum = 0xBABA - sum, word 0x3F itself not summed', async (t) => {
  const img = image({ 0x00: 0x1234, 0x10: 0x0001, 0x3e: 0x0100, 0x3f: 0x7777 });
  t.equal(checksumOf(img), (0xbaba - 0x1234 - 0x0001 - 0x0100) & 0xffff);
  img[0x3f] = 0;
  t.equal(checksumOf(img), (0xbaba - 0x1335) & 0xffff, 'the stored value does not change the result');
});

t.test('16-bit wrap-around', async (t) => {
  const img = image({ 0x00: 0xffff, 0x01: 0xffff, 0x02: 0x0003 });
  t.equal(checksumOf(img), (0xbaba - ((0xffff + 0xffff + 3) & 0xffff)) & 0xffff);
});

t.test('sections of pointers 0x03..0x0E are added: the length word excluded, `length` words after it included', async (t) => {
  const base = image({ 0x03: 0x0080, 0x0e: 0x0100 });
  const baseSum = 0x0080 + 0x0100;
  const img = base.slice();
  img[0x80] = 3; // length
  img.set([1, 2, 3, 0x4000], 0x81); // three covered words and one outside the section
  img[0x100] = 1;
  img[0x101] = 0x0010;
  t.equal(checksumOf(img), (0xbaba - baseSum - 6 - 0x10) & 0xffff);
});

t.test('the firmware pointer 0x0F and pointers 0x00..0x02 do not bring their sections in', async (t) => {
  const img = image({ 0x0f: 0x0200, 0x02: 0x0300 });
  img[0x200] = 2;
  img[0x201] = 0x1111;
  img[0x202] = 0x2222;
  img[0x300] = 1;
  img[0x301] = 0x3333;
  t.equal(checksumOf(img), (0xbaba - 0x0200 - 0x0300) & 0xffff, 'only the pointer words themselves count');
});

t.test('pointers and lengths of 0x0000 / 0xFFFF, and sections past the end, add nothing', async (t) => {
  const img = image({ 0x03: 0x0000, 0x04: 0xffff, 0x05: 0x0090, 0x06: 0x00a0, 0x07: 0x07f0, 0x08: 0x0900 });
  img[0x90] = 0xffff; // length 0xFFFF: skipped
  img[0x91] = 0x1234;
  img[0xa0] = 0; // length 0: skipped
  img[0xa1] = 0x1234;
  img[0x7f0] = 0x20; // would run past word 2047
  img[0x7f1] = 0x1234;
  const pointers = 0xffff + 0x0090 + 0x00a0 + 0x07f0 + 0x0900;
  t.equal(checksumOf(img), (0xbaba - pointers) & 0xffff);
});

t.test('EEC.SIZE gives the word count', async (t) => {
  t.equal(eepromWords(5 << 11), 2048);
  t.equal(eepromWords(0), 64);
  t.equal(eepromWords((1 << 11) | (1 << 8) | (1 << 9)), 128, 'PRES and ARD bits ignored');
});

t.test('EERD: address in bits 15:2 with START, data from bits 31:16 once DONE is set', async (t) => {
  const writes: number[] = [];
  const regs = new Uint32Array(0x20000 / 4);
  const bar0 = new Proxy(regs, {
    set(target, key, value: number) {
      const i = Number(key);
      target[i] = value;
      if (i === 0x10014 >>> 2) {
        writes.push(value);
        target[i] = (0xbeef << 16) | (value & 0xfffc) | 0x2; // what the NIC answers
      }
      return true;
    },
  });
  t.equal(readWord(bar0, 'test', 0x3f), 0xbeef);
  t.same(writes, [(0x3f << 2) | 1]);
});

t.test('EERD that never completes: ERR_EEPROM_TIMEOUT naming the word', async (t) => {
  const bar0 = new Uint32Array(0x20000 / 4);
  t.throws(() => readWord(bar0, '0000:03:00.0', 0x12), { code: 'ERR_EEPROM_TIMEOUT', message: /0000:03:00.0: EEPROM word 0x12/ });
});
