/** What the bridge suite's guest runs (test/qemu/guest/bridge.ts), shared with the host-side judge. */
export const BRIDGE_PLAN = {
  /** A rate the emulated bridge forwards without loss. */
  lowRate: { ratePps: 200, durationS: 1, drainMs: 500 },
  /** Latency probes every 20 ms over a light load. */
  latency: { ratePps: 200, durationS: 1, intervalMs: 20 },
  /** RFC 2544 at emulation scale: two sizes, short trials; a fine resolution (0.05% of line rate: 744 pps at 64 bytes), since the emulated bridge forwards only a few thousand frames per second. */
  rfc2544: { frameSizes: [64, 1518], trialS: 0.5, resolutionPct: 0.05, lossSteps: [10, 50, 100], drainMs: 300 },
} as const;
