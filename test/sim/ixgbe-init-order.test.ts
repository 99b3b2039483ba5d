// The ixgbe driver's register accesses in order, from the simulated card's register trace: init
// follows the datasheet's sequence, every step of 4.6.3 to 4.6.8 (interrupts off, PCIe master disable,
// global reset, EEPROM and DMA init, link, statistics cleared, rx set-up with RXEN last through the
// Rx-enable sequence, tx with the arbiter disabled around DTXMXSZRQ and DMATXCTL.TE before the queue
// enable, RDT given only after RXDCTL.ENABLE reads back set), and close stops receive and transmit,
// flushes the tx queues and disables PCIe mastering before the final reset. (Whether the model
// catches a driver that gets these wrong is test/sim/mutation.test.ts's question; this one pins the
// order the driver follows.)
import t from 'tap';
import { SimCard } from '../../lib/bus/sim';
import { IxgbeDevice } from '../../lib/drivers/ixgbe';
import {
  AUTOC, CTRL, CTRL_EXT_NS_DIS, DCA_RXCTRL_RESERVED_12, DMATXCTL_TE, DTXMXSZRQ_MAX, RDRXCTL, REG, RTTDCS_ARBDIS, RXCTRL_RXEN,
  SECRXCTRL_RX_DIS, SECRXSTAT_SECRX_RDY, SRRCTL, STATUS_GIO, TXDCTL_SWFLSH, TXDCTL_THRESH, dcaRxctrl, rdt, rxdctl, srrctl,
  txdctl,
} from '../../lib/drivers/ixgbe/registers';

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
  const masterOff = at('write', REG.CTRL, CTRL.GIO_DIS);
  const masterSeenOff = trace.indexOf((a) => a.op === 'read' && a.offset === REG.STATUS && (a.value & STATUS_GIO) === 0, masterOff + 1);
  const reset = at('write', REG.CTRL, CTRL.RST);
  const maskOffAgain = at('write', REG.EIMC, 0, reset + 1);
  const eeprom = at('write', REG.EERD);
  const dmaInit = at('read', REG.RDRXCTL, RDRXCTL.DMAIDONE);
  const anRestart = at('write', REG.AUTOC, AUTOC.AN_RESTART);
  const statsCleared = at('read', REG.GPRC, 0, reset + 1);
  const crcStrip = at('write', REG.RDRXCTL, RDRXCTL.CRCSTRIP);
  const srrctl0 = at('write', srrctl(0), SRRCTL.DESCTYPE_ADV_ONEBUF | SRRCTL.DROP_EN | 2);
  const noSnoop = at('write', REG.CTRL_EXT, CTRL_EXT_NS_DIS);
  const dca = trace.indexOf((a) => a.op === 'write' && a.offset === dcaRxctrl(0) && (a.value & DCA_RXCTRL_RESERVED_12) === 0);
  const gate = at('write', REG.SECRXCTRL, SECRXCTRL_RX_DIS);
  const gateIdle = at('read', REG.SECRXSTAT, SECRXSTAT_SECRX_RDY, gate + 1);
  const fctrl = at('write', REG.FCTRL);
  const rxen = at('write', REG.RXCTRL, RXCTRL_RXEN);
  const rxQueueOn = at('write', rxdctl(0), ENABLE);
  const rxQueueSeen = at('read', rxdctl(0), ENABLE, rxQueueOn + 1);
  const tail = at('write', rdt(0), 0, rxQueueOn + 1);
  const gateOpen = trace.indexOf((a) => a.op === 'write' && a.offset === REG.SECRXCTRL && (a.value & SECRXCTRL_RX_DIS) === 0, rxen + 1);
  const arbiterOff = at('write', REG.RTTDCS, RTTDCS_ARBDIS);
  const maxRequests = at('write', REG.DTXMXSZRQ, DTXMXSZRQ_MAX);
  const arbiterOn = trace.indexOf((a) => a.op === 'write' && a.offset === REG.RTTDCS && (a.value & RTTDCS_ARBDIS) === 0, arbiterOff + 1);
  const thresholds = at('write', txdctl(0), TXDCTL_THRESH);
  const te = at('write', REG.DMATXCTL, DMATXCTL_TE);
  const txQueueOn = at('write', txdctl(0), ENABLE);
  t.ok(firstMaskOff >= 0 && firstMaskOff < reset, '4.6.3.1: interrupts masked before the global reset');
  t.ok(masterOff >= 0 && masterOff < masterSeenOff && masterSeenOff < reset, '5.2.5.3.2: PCIe master disabled, and seen off, before the reset');
  t.ok(reset < dmaInit, '4.6.3: DMA init done (RDRXCTL.DMAIDONE) awaited after the reset');
  t.ok(dmaInit < anRestart, '4.6.4: link set-up (AUTOC.RESTART_AN) after the reset completed');
  t.ok(anRestart < statsCleared && statsCleared < rxQueueOn, '4.6.5: statistics read (cleared) before traffic');
  t.ok(crcStrip >= 0 && crcStrip < rxen, '4.6.7: RDRXCTL.CRCSTRIP with HLREG0.RXCRCSTRP before receive starts');
  t.ok(srrctl0 >= 0 && srrctl0 < rxen, '4.6.7.1: SRRCTL: advanced one-buffer descriptors, 2 KiB buffers, DROP_EN');
  t.ok(noSnoop >= 0 && noSnoop < rxen && dca >= 0 && dca < rxen, '4.6.7: CTRL_EXT.NS_DIS and DCA_RXCTRL bit 12 before RXEN');
  t.ok(gate >= 0 && gate < gateIdle && gateIdle < rxen && rxen < gateOpen, 'Rx-enable sequence: RX_DIS, SECRX_RDY, RXEN, then RX_DIS cleared');
  t.ok(arbiterOff >= 0 && arbiterOff < maxRequests && maxRequests < arbiterOn, '4.6.11.3.4: DTXMXSZRQ written with the arbiter disabled, then enabled');
  t.ok(thresholds >= 0 && thresholds < txQueueOn, '7.2.3.4.1: TXDCTL thresholds before the queue enable');
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
  const txFlush = trace.indexOf((a) => a.op === 'write' && a.offset === txdctl(0) && (a.value & TXDCTL_SWFLSH) !== 0);
  const txOff = trace.indexOf((a) => a.op === 'write' && a.offset === REG.DMATXCTL && (a.value & DMATXCTL_TE) === 0);
  const finalMasterOff = trace.indexOf((a) => a.op === 'write' && a.offset === REG.CTRL && (a.value & CTRL.GIO_DIS) !== 0);
  const finalReset = trace.indexOf((a) => a.op === 'write' && a.offset === REG.CTRL && (a.value & CTRL.RST) !== 0);
  t.ok(rxOff >= 0 && rxOff < finalReset, 'close: receive disabled before the reset');
  t.ok(rxQueueOff >= 0 && rxQueueOff < finalReset, 'close: rx queue disabled before the reset');
  t.ok(txQueueOff >= 0 && txQueueOff < finalReset, 'close: tx queue disabled before the reset');
  t.ok(txFlush >= 0 && txFlush <= txQueueOff, '4.6.8.2: the tx queue disabled with its write-backs flushed (SWFLSH)');
  t.ok(txOff > txQueueOff && txOff < finalReset, 'close: DMATXCTL.TE cleared after the queues');
  t.ok(finalMasterOff > txOff && finalMasterOff < finalReset, 'close: PCIe master disabled before the final reset');
  t.equal(trace.overflow, 0);
  const v = card.violations(0);
  t.equal(Object.values(v).reduce((a, b) => a + b, 0), 0, 'no violation');
});
