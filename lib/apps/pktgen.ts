/**
 * pktgen: transmits generated test frames (traffic/generator.ts: flows, sizes, an optional VLAN tag, a
 * payload with sequence number and send timestamp) as fast as the tx ring takes them, or at a rate
 * (traffic/rate.ts). As in ixy, every buffer of a dedicated tx pool is prepared once; per packet the
 * loop writes only the fields that change and updates the checksums incrementally. On a simulated
 * port the far-end tester's checker counts and validates every untagged frame, and the totals wait
 * until it has seen the last one. To receive the traffic back and count it per flow, see runTrial
 * (traffic/trial.ts).
 */
import type { NetDevice } from '../device';
import type { IntervalStats } from './interval-stats';
import { runTraffic, type TrafficRunOptions } from './traffic/trial';

/** Options of {@link runPktgen}. With neither `count` nor `durationS` it runs until `signal` aborts. */
export interface PktgenOptions extends TrafficRunOptions {
  /** Called once per second with the interval's counters. */
  onInterval?: (s: IntervalStats) => void;
}

/** What a pktgen run did: a `type: 'total'` {@link IntervalStats}. */
export type PktgenTotals = IntervalStats;

/**
 * Sends test frames on `dev` until `count` frames went out, `durationS` passed or `signal` aborted, and
 * resolves with the totals. On a simulated port the tester's counters are reset first, and the
 * totals include what its checker received (`peer_rx_packets`, `peer_seq_gaps`, `peer_bad_checksums`).
 *
 * @example
 * await runPktgen(dev, { count: 1e6, rate: '5Gbps', size: 'imix', flows: { dstIp: '10.0.1.1-10.0.1.100' }, vlan: { id: 7 } });
 */
export async function runPktgen(dev: NetDevice, opts: PktgenOptions = {}): Promise<PktgenTotals> {
  const onInterval = opts.onInterval;
  const run = await runTraffic(dev, undefined, opts, onInterval === undefined ? undefined : (records) => onInterval(records[0]));
  return run.tx;
}
