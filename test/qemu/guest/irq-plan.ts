/** Frame counts of the interrupt suite (issue 14), shared by the guest side and the host's checks. */
export const IRQ_PLAN = {
  /**
   * Linux on the kernel-bound NIC sends `count` raw test frames, one every `gapUs` (slow enough that
   * the receiver runs dry and sleeps between them), to the tsnic NIC in adaptive mode.
   */
  rx: { count: 200, size: 120, gapUs: 3000 },
  /** After the frames, a second of waits of this long: they end by their timeouts (at most one stale wake-up). */
  idleMs: 200,
} as const;
