// Legacy descriptor encoding of the 8254x (SDM 3.2.3, 3.3.3), checked byte by byte.
import t from 'tap';
import {
  armRxDescriptor, rxErrors, rxLength, rxStatus, RXD_STAT, txDone, writeTxDescriptor,
} from '../../lib/drivers/e1000/descriptors';

function bytesOf(ring: Uint32Array, i: number): number[] {
  return Array.from(new Uint8Array(ring.buffer, i * 16, 16));
}

t.test('rx descriptor: 64-bit address, write-back fields cleared', async (t) => {
  const ring = new Uint32Array(8).fill(0xffffffff);
  armRxDescriptor(ring, 1, 0x1_2345_6780);
  t.same(bytesOf(ring, 1), [0x80, 0x67, 0x45, 0x23, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  t.equal(rxStatus(ring, 1), 0, 'DD clear: owned by the NIC');
});

t.test('rx write-back: length, status, errors', async (t) => {
  const ring = new Uint32Array(4);
  const bytes = new Uint8Array(ring.buffer);
  bytes[8] = 0xea; // length 0x05ea = 1514, little-endian
  bytes[9] = 0x05;
  bytes[12] = RXD_STAT.DD | RXD_STAT.EOP;
  bytes[13] = 0x01; // CE
  t.equal(rxLength(ring, 0), 1514);
  t.equal(rxStatus(ring, 0), 3);
  t.equal(rxErrors(ring, 0), 1);
});

t.test('tx descriptor: address, length, CMD = EOP|IFCS|RS, status clear', async (t) => {
  const ring = new Uint32Array(8).fill(0xffffffff);
  writeTxDescriptor(ring, 0, 0x7fff_0000_1000, 60);
  t.same(bytesOf(ring, 0), [0x00, 0x10, 0x00, 0x00, 0xff, 0x7f, 0, 0, 60, 0, 0, 0x0b, 0, 0, 0, 0]);
  t.notOk(txDone(ring, 0));
  new Uint8Array(ring.buffer)[12] = 1; // the NIC writes DD back
  t.ok(txDone(ring, 0));
});
