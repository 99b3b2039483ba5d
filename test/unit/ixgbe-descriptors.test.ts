// Advanced rx/tx descriptor encoding of the 82599 (datasheet 7.1.6, 7.2.3.2.4), 64-bit addresses in halves.
import t from 'tap';
import { armRxDescriptor, RX_ERROR_FRAME, TX_CMD_ONE_BUFFER, writeTxDescriptor } from '../../lib/drivers/ixgbe/descriptors';

t.test('rx read format: packet address in two halves, header address 0 (which clears DD)', async (t) => {
  const ring = new Uint32Array(8).fill(0xffffffff);
  armRxDescriptor(ring, 1, 0x1_2345_6780);
  t.same([...ring.subarray(4, 8)], [0x2345_6780, 0x1, 0, 0]);
  t.same([...ring.subarray(0, 4)], [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], 'descriptor 0 untouched');
  armRxDescriptor(ring, 0, 2 ** 47 + 0xffff_ff80);
  t.same([...ring.subarray(0, 2)], [0xffff_ff80, 2 ** 15], 'high bits of a 48-bit IOVA');
});

t.test('tx advanced data descriptor: DTALEN, DTYP 0011b, DCMD EOP|IFCS|RS|DEXT, PAYLEN', async (t) => {
  const ring = new Uint32Array(4);
  writeTxDescriptor(ring, 0, 0x7_0000_0100, 1514);
  t.equal(ring[0], 0x100);
  t.equal(ring[1], 7);
  t.equal(ring[2] & 0xffff, 1514, 'DTALEN bits 15:0');
  t.equal((ring[2] >>> 20) & 0xf, 0x3, 'DTYP advanced data');
  t.equal(ring[2] >>> 24, 0b0010_1011, 'DCMD: DEXT (29), RS (27), IFCS (25), EOP (24)');
  t.equal(ring[3] >>> 14, 1514, 'PAYLEN bits 31:14');
  t.equal(ring[3] & 0x3fff, 0, 'status, IDX and POPTS clear (DD not set)');
  t.equal(TX_CMD_ONE_BUFFER & 0xffff, 0, 'the command word leaves room for the length');
});

t.test('rx error mask: RXE and the frame error bits, not the checksum bits', async (t) => {
  t.equal(RX_ERROR_FRAME & (1 << 29), 1 << 29, 'RXE');
  t.equal(RX_ERROR_FRAME & (1 << 30), 0, 'IPE ignored (no checksum offload)');
  t.equal(RX_ERROR_FRAME & (1 << 31), 0, 'TCPE ignored');
  t.equal(RX_ERROR_FRAME & 0xfffff, 0, 'no status bits');
});
