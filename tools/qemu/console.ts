/**
 * Reads the guest's serial console: the init script (tools/qemu/init.sh) frames the program's output
 * with marker lines `@@tsnic-guest@@ begin` and `@@tsnic-guest@@ exit N`, and reports its own failures
 * as `@@tsnic-guest@@ error: ...`.
 */

/** The prefix of every line the guest's init writes for the host. */
export const MARKER = '@@tsnic-guest@@';

/** What the console says about a run. */
export interface ConsoleReport {
  /** The program's output (between the markers), with `\r\n` turned into `\n`. Empty if it never began. */
  output: string;
  /** The program's exit status, or null when the console never reported one. */
  exitCode: number | null;
  /** True once the program was started. */
  began: boolean;
  /** Errors the init script reported (binding, mounting), in order. */
  guestErrors: string[];
}

/** Parses a whole console transcript. */
export function parseConsole(text: string): ConsoleReport {
  const lines = text.replace(/\r/g, '').split('\n');
  const report: ConsoleReport = { output: '', exitCode: null, began: false, guestErrors: [] };
  const out: string[] = [];
  for (const line of lines) {
    const at = line.indexOf(MARKER);
    if (at < 0) {
      if (report.began && report.exitCode === null) out.push(line);
      continue;
    }
    // A marker may follow program output that lacked a final newline.
    if (at > 0 && report.began && report.exitCode === null) out.push(line.slice(0, at));
    const message = line.slice(at + MARKER.length).trim();
    if (message === 'begin') report.began = true;
    else if (message.startsWith('exit ')) {
      const code = Number(message.slice(5));
      if (Number.isInteger(code)) report.exitCode = code;
    } else if (message.startsWith('error: ')) report.guestErrors.push(message.slice(7));
  }
  report.output = out.join('\n');
  if (report.output !== '' && !report.output.endsWith('\n')) report.output += '\n';
  return report;
}

/** The last `n` non-empty lines of a transcript, for error messages. */
export function tail(text: string, n: number): string {
  return text.replace(/\r/g, '').split('\n').filter((l) => l.trim() !== '').slice(-n).join('\n');
}
