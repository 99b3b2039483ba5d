/** Frame counts and sizes of the qemu suite, shared by the guest side and the host's checks. */
export const PLAN = {
  /** Scenario 1: tsnic on A sends, Linux on B counts; at most `window` frames ahead of Linux's count. */
  tx: { count: 1000, size: 142, window: 64 },
  /** Scenario 2: Linux on B sends (one frame every `gapUs`), tsnic on A receives. */
  rx: { count: 500, size: 200, gapUs: 200 },
  /**
   * Scenario 3: Linux on B sends to `dstMac`, tsnic forwards A -> C, the host's capture of wire C
   * counts. The forwarder (like ixy's) increments byte 1 of every frame: `forwardedDstMac`.
   */
  fwd: { count: 300, size: 300, gapUs: 1000, dstMac: '02:00:00:00:0d:01', forwardedDstMac: '02:01:00:00:0d:01' },
} as const;
