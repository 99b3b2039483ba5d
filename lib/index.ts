/**
 * tsnic: userspace poll-mode NIC drivers for Node.js over Linux VFIO, and a simulated Intel 82599.
 *
 * Open a device by spec ({@link openDevice}: `0000:03:00.0` or `sim:0`), move packets in batches
 * ({@link NetDevice.rxBatch}, {@link NetDevice.txBatch}) over buffers of a {@link Mempool}, or run the
 * ready-made apps as async functions: {@link runPktgen}, {@link runForwarder}, {@link runCapture},
 * {@link runStatsMonitor}; {@link receive} is the async-iterator flavour for scripts.
 *
 * @example
 * import { openDevice, runPktgen } from 'tsnic';
 * const dev = await openDevice('sim:0');
 * const totals = await runPktgen(dev, { count: 1_000_000 });
 * console.log(totals.tx_packets, totals.peer_rx_packets, totals.mpps);
 * dev.close();
 *
 * @packageDocumentation
 */

// Devices.
export { openDevice, normalizePciAddress, type OpenOptions } from './open';
export { afterTeardown, openAddresses, type TeardownReason } from './lifecycle';
export {
  emptyStats, type DeviceOptions, type DeviceStats, type Driver, type HardwareClock, type LinkStatus, type NetDevice, type RxMode, type RxTimestamp,
  type WaitForRxOptions,
} from './device';
export { drivers, findDriver } from './drivers';
export type {
  BackendKind, DmaOptions, DmaRegion, HugepagePolicy, InterruptHost, InterruptKind, InterruptOffer, PciFunction,
} from './bus/types';
export { TsnicError, type TsnicErrorCode } from './errors';

// Packet memory.
export { Mempool, type MempoolOptions } from './memory/mempool';
export { PacketBatch } from './memory/batch';

// The simulated 82599.
export {
  SimCard, SimPort, SimTester, defaultSimCard, lineRatePps, openSimPort, parseSimSpec,
  type SimCardOptions, type SimFaults, type SimGeneratorOptions, type SimPortCounters, type SimSpec, type SimTesterStats,
  type SimViolations, type SimWiring,
} from './bus/sim';
export type { ModelLoadMark, ModelThreadLoad } from './bus/sim-load';
export { RegisterTrace, type RegisterAccess } from './bus/register-trace';

// Apps.
export { runPktgen, type PktgenOptions, type PktgenTotals } from './apps/pktgen';
export {
  runTrial, type TrialOptions, type TrialResult, type TrafficRunOptions, type FlowResultWithTuple,
} from './apps/traffic/trial';
export type { FlowResult } from './apps/traffic/analyzer';
export type { TrafficSpec } from './apps/traffic/generator';
export { buildFlows, type FlowSpec, type Flows } from './apps/traffic/flows';
export { parseFrameSizes, type FrameSizes } from './apps/traffic/sizes';
export { parseRate, ratePps, formatRate, WIRE_OVERHEAD_BYTES, type Rate } from './apps/traffic/rate';
export { runForwarder, type ForwarderOptions, type ForwarderTotals } from './apps/forwarder';
export { runCapture, type CaptureOptions, type CaptureTotals } from './apps/capture';
export { runReplay, type ReplayOptions, type ReplayTotals } from './apps/replay';
export { runStatsMonitor, type StatsMonitorOptions } from './apps/stats-monitor';
export { measureLatency, renderLatencyPlot, type LatencyOptions, type LatencyResult, type LatencySummary } from './apps/latency';
export {
  RFC2544_FRAME_SIZES, formatRfc2544Table, renderRfc2544Plot, runRfc2544, runTrial as runRfc2544Trial, type Rfc2544Options, type Rfc2544Result,
  type Rfc2544SizeResult, type TrialOptions as Rfc2544TrialOptions, type TrialResult as Rfc2544TrialResult,
} from './apps/rfc2544';
export { receive, packetBytes, type ReceiveOptions } from './apps/receive';
export type { IntervalStats } from './apps/interval-stats';
export { Reporter, formatInterval, formatTotal, type ReportMode, type ReportSink } from './apps/report';
export { peerOf, simPeer, type PeerStats, type PeerTester, type TrafficSource } from './apps/peer';
export {
  buildFrame, checksumsValid, parseMac, readSequence, writeSequence, SEQ_OFFSET, type FrameTemplate,
  readTestFrame, testFrameLayout, FrameVerdict, TestFrameFields, TestFrameWriter, TEST_MAGIC, type VlanTag, type FlowFields,
} from './apps/frame-builder';

// pcap.
export { PcapWriter, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, LINKTYPE_ETHERNET, type PcapWriterOptions } from './pcap/writer';
export { PcapngWriter, type PcapngWriterOptions } from './pcap/pcapng-writer';
export type { CaptureWriter, CaptureWriterOptions } from './pcap/capture-writer';
export { RotatingWriter, type RotationLimits } from './pcap/rotating-writer';
export { openCaptureWriter, captureFormat, type CaptureFormat, type OpenCaptureOptions } from './pcap/open-writer';
export { readCaptureFile, parseCapture, type CaptureFile } from './pcap/reader';
export { compileFilter, LIBPCAP, type FilterOptions } from './pcap/filter';
export { BpfProgram, BPF, type BpfInstruction } from './pcap/bpf';
