/** Frame counts and sizes of the igb suite, shared by the guest side and the host's checks. */
export const IGB_PLAN = {
  /** tsnic on A (tx queue 0) sends, paced to Linux's count on B. */
  tx: { count: 1000, size: 142, window: 64 },
  /** The same over A's tx queue 1. */
  txQueue1: { count: 300, size: 100, window: 64 },
  /** Frames chained over `segments` buffers (one descriptor each), paced. */
  chained: { count: 200, size: 1000, segments: 3, window: 32 },
  /** Linux on B sends raw test frames, tsnic on A receives them. */
  rx: { count: 500, size: 200, gapUs: 200 },
  /** tsnic's capture app on A writes Linux's raw frames into a pcap file in the job folder. */
  capture: { count: 200, size: 128, gapUs: 200, file: 'capture-a.pcap' },
  /**
   * Linux on B sends to `dstMac`, tsnic forwards A -> C, the host's capture of wire C counts. The
   * forwarder (like ixy's) increments byte 1 of every frame: `forwardedDstMac`.
   */
  fwd: { count: 300, size: 300, gapUs: 1000, dstMac: '02:00:00:00:0d:01', forwardedDstMac: '02:01:00:00:0d:01' },
  /** Linux's UDP over `flows` source ports to A, spread by RSS over A's two rx queues. */
  rss: { count: 400, payload: 100, flows: 32, gapMs: 5, port: 9000 },
  /** After close and reopen, tsnic's pktgen on A sends again (fewer frames than Linux's rx ring holds). */
  reopen: { count: 100, size: 60 },
} as const;
