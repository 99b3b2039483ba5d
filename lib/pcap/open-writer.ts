/** Opening a capture file writer by format (pcap or pcapng, by option or by file extension), with rotation. */
import { TsnicError } from '../errors';
import type { CaptureWriter, CaptureWriterOptions } from './capture-writer';
import { PcapngWriter } from './pcapng-writer';
import { RotatingWriter, type RotationLimits } from './rotating-writer';
import { PcapWriter } from './writer';

/** The capture file formats tsnic writes. */
export type CaptureFormat = 'pcap' | 'pcapng';

/** Options of {@link openCaptureWriter}. */
export interface OpenCaptureOptions extends CaptureWriterOptions {
  /** File format. Default: pcapng when the path ends in `.pcapng`, else pcap. */
  format?: CaptureFormat;
  /** pcapng only: the interface's name (if_name), e.g. the device spec. */
  interfaceName?: string;
  /** Start a new file (tcpdump -C naming, lib/pcap/rotating-writer.ts) at these limits. */
  rotate?: RotationLimits;
}

/** The format `format` names, or the one `path`'s extension implies. */
export function captureFormat(path: string, format?: string): CaptureFormat {
  if (format === undefined) return path.toLowerCase().endsWith('.pcapng') ? 'pcapng' : 'pcap';
  if (format !== 'pcap' && format !== 'pcapng') throw new TsnicError('ERR_INVALID_ARG', `format must be pcap or pcapng, got "${String(format)}"`);
  return format;
}

/** Creates the capture file `path` (and, with `rotate`, the ones after it). */
export function openCaptureWriter(path: string, options: OpenCaptureOptions = {}): CaptureWriter {
  const format = captureFormat(path, options.format);
  const writerOptions: CaptureWriterOptions = {
    ...(options.snaplen === undefined ? {} : { snaplen: options.snaplen }),
    ...(options.bufferBytes === undefined ? {} : { bufferBytes: options.bufferBytes }),
    nanosecond: options.nanosecond === true,
  };
  const open = (file: string): CaptureWriter =>
    format === 'pcapng'
      ? PcapngWriter.open(file, { ...writerOptions, ...(options.interfaceName === undefined ? {} : { interfaceName: options.interfaceName }) })
      : PcapWriter.open(file, writerOptions);
  return options.rotate === undefined ? open(path) : new RotatingWriter(path, options.rotate, open);
}
