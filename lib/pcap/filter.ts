/**
 * Capture filters in tcpdump syntax (pcap-filter(7)): compiled by libpcap to classic BPF, with its
 * optimizer, through the production addon (libpcap is loaded at run time, so tsnic builds and runs
 * without it; only filters need Debian's libpcap0.8), then run by lib/pcap/bpf.ts on each frame.
 */
import { TsnicError } from '../errors';
import { native } from '../bus/native';
import { BpfProgram } from './bpf';
import { DEFAULT_SNAPLEN, LINKTYPE_ETHERNET } from './writer';

/** The libpcap shared object loaded for filters: Debian's libpcap0.8 package installs it. */
export const LIBPCAP = 'libpcap.so.0.8';

/** Options of {@link compileFilter}. */
export interface FilterOptions {
  /** Snapshot length the program's accepting return uses (bytes kept). Default 65535. */
  snaplen?: number;
  /** The libpcap shared object to load. Default {@link LIBPCAP}. */
  library?: string;
}

/**
 * Compiles the tcpdump filter `expression` for Ethernet frames. Throws ERR_INVALID_ARG naming the
 * expression and libpcap's complaint when it does not compile, ERR_LIBPCAP when libpcap is missing.
 *
 * @example
 * const udp53 = compileFilter('udp port 53');
 * if (udp53.run(frame, 0, frame.length, frame.length) > 0) keep(frame);
 */
export function compileFilter(expression: string, options: FilterOptions = {}): BpfProgram {
  if (typeof expression !== 'string') throw new TsnicError('ERR_INVALID_ARG', `filter must be a string in tcpdump syntax, got ${typeof expression}`);
  const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
  let words: Uint32Array;
  try {
    words = native.pcapCompile(options.library ?? LIBPCAP, expression, LINKTYPE_ETHERNET, snaplen);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_LIBPCAP') throw new TsnicError('ERR_LIBPCAP', e.message, { cause: err });
    throw new TsnicError(
      'ERR_INVALID_ARG',
      `filter "${expression}" does not compile: ${e.message}: write it in tcpdump syntax (see man pcap-filter), e.g. "udp port 53"`,
      { cause: err },
    );
  }
  return BpfProgram.from(words);
}
