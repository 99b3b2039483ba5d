/** Frame counts and sizes of the qemu suite, shared by the guest side and the host's checks. */
export const PLAN = {
  /** Scenario 1: tsnic on A sends, Linux on B counts. */
  tx: { count: 1000, size: 142 },
  /** Scenario 2: Linux on B sends, tsnic on A receives. */
  rx: { count: 500, size: 200 },
  /** Scenario 3: Linux on B sends, tsnic forwards A -> C, Linux on D counts. */
  fwd: { count: 300, size: 300, gapUs: 1000 },
} as const;
