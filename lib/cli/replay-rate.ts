/**
 * `tsnic replay --rate`: a frame rate with an optional unit. FOR THE LEAD TO UNIFY: issue 16 asks for
 * one rate syntax everywhere, which the gen branch writes in lib/apps/traffic/rate.ts (Gbit/s and % of
 * line rate included); this small parser takes only frame rates and goes once that one is merged.
 */
import { TsnicError } from '../errors';

const RATE = /^(\d+(?:\.\d*)?|\.\d+)(e[+-]?\d+)?\s*(mpps|kpps|pps)?$/i;
const UNIT_MPPS: Record<string, number> = { mpps: 1, kpps: 1e-3, pps: 1e-6 };

/** `14.88Mpps`, `500kpps`, `1000pps`, or a bare number of Mpps; returns Mpps. Usage error otherwise. */
export function parseReplayRate(text: string): number {
  const m = RATE.exec(text.trim());
  const mpps = m === null ? NaN : Number(m[1] + (m[2] ?? '')) * UNIT_MPPS[(m[3] ?? 'mpps').toLowerCase()];
  if (!(mpps > 0 && mpps <= 1000)) {
    throw new TsnicError('ERR_INVALID_ARG', `--rate must be a frame rate above 0 and up to 1000 Mpps such as 14.88Mpps, 500kpps, 1000pps or a bare number of Mpps, got "${text}" (see: tsnic replay --help)`);
  }
  return mpps;
}
