// The ixgbe driver's register accesses in order, from the simulated card's register trace: init
// follows the datasheet's sequence (4.6.3: interrupts off, global reset, EEPROM and DMA init, rx setup
// with RXEN last, tx with DMATXCTL.TE before the queue enable, RDT given only after RXDCTL.ENABLE
// reads back set), and close stops receive and transmit before the final reset.
import t from 'tap';
import { SimCard } from '../../lib/bus/sim';
import { IxgbeDevice } from '../../lib/drivers/ixgbe';
import { CTRL, DMATXCTL_TE, RXCTRL_RXEN, REG, rdt, rxdctl, txdctl } from '../../lib/drivers/ixgbe/registers';

const ENABLE = 1 << 25; // RXDCTL/TXDCTL.ENABLE (8.2.3.8.6, 8.2.3.9.10)

t.test('init and close in the datasheet order, seen in the register trace', async (t) => {
  const card = SimCard.create({ traceRegisters: true, linkUpDelayMs: 2, resetDelayMs: 1 });
  t.teardown(() => card.close());
  const trace = card.trace(0);
  if (trace === undefined) throw new Error('no trace');
  const dev = await IxgbeDevice.open(card.port(0), {});
  const at = (op: 'read' | 'write', offset: number, bits = 0, from = 0): number =>
    trace.indexOf((a) => a.op === op && a.offset === offset && (a.value & bits) === bits, from);

  const firstMaskOff = at('write', REG.EIMC);
  const reset = at('write', REG.CTRL, CTRL.RST);
  const maskOffAgain = at('write', REG.EIMC, 0, reset + 1);
  const eeprom = at('write', REG.EERD);
  const fctrl = at('write', REG.FCTRL);
  const rxen = at('write', REG.RXCTRL, RXCTRL_RXEN);
  const rxQueueOn = at('write', rxdctl(0), ENABLE);
  const rxQueueSeen = at('read', rxdctl(0), ENABLE, rxQueueOn + 1);
  const tail = at('write', rdt(0), 0, rxQueueOn + 1);
  const te = at('write', REG.DMATXCTL, DMATXCTL_TE);
  const txQueueOn = at('write', txdctl(0), ENABLE);
  t.ok(firstMaskOff >= 0 && firstMaskOff < reset, '4.6.3.1: interrupts masked before the global reset');
  t.ok(reset < maskOffAgain, '4.6.3.1: and masked again after it');
  t.ok(reset < eeprom, 'EEPROM read through EERD after the reset');
  t.ok(eeprom < rxQueueOn, 'EEPROM checked before any queue is set up');
  t.ok(fctrl >= 0 && fctrl < rxen, '8.2.3.7.1: FCTRL written while RXCTRL.RXEN is still clear');
  t.ok(rxQueueOn < rxQueueSeen && rxQueueSeen < tail, '4.6.7.1: RDT given after RXDCTL.ENABLE reads back set');
  t.ok(te >= 0 && te < txQueueOn, '4.6.8: DMATXCTL.TE before TXDCTL.ENABLE');
  t.equal(card.violations(0).fctrlChangedWhileRxEnabled, 0);

  trace.clear();
  dev.close();
  const rxOff = trace.indexOf((a) => a.op === 'write' && a.offset === REG.RXCTRL && (a.value & RXCTRL_RXEN) === 0);
  const rxQueueOff = trace.indexOf((a) => a.op === 'write' && a.offset === rxdctl(0) && (a.value & ENABLE) === 0);
  const txQueueOff = trace.indexOf((a) => a.op === 'write' && a.offset === txdctl(0) && (a.value & ENABLE) === 0);
  const finalReset = trace.indexOf((a) => a.op === 'write' && a.offset === REG.CTRL && (a.value & CTRL.RST) !== 0);
  t.ok(rxOff >= 0 && rxOff < finalReset, 'close: receive disabled before the reset');
  t.ok(rxQueueOff >= 0 && rxQueueOff < finalReset, 'close: rx queue disabled before the reset');
  t.ok(txQueueOff >= 0 && txQueueOff < finalReset, 'close: tx queue disabled before the reset');
  t.equal(trace.overflow, 0);
  const v = card.violations(0);
  t.equal(Object.values(v).reduce((a, b) => a + b, 0), 0, 'no violation');
});
