/**
 * The command-line parser: each subcommand declares its positionals and options once
 * ({@link CommandSpec}); parsing validates them (unknown flag, missing value, bad number, missing
 * positional) with a one-line {@link TsnicError} and generates the `--help` text from the same spec.
 */
import { TsnicError } from '../errors';

/** How an option's value is read. */
export type OptionKind =
  /** A whole number within [min, max]. */
  | 'integer'
  /** A finite number within [min, max]. */
  | 'number'
  /** Any text. */
  | 'string'
  /** No value: present or not. */
  | 'flag';

/** One `--name` option. */
export interface OptionSpec {
  /** Long name without dashes, e.g. `count`. */
  name: string;
  /** How the value is read. */
  kind: OptionKind;
  /** One-line description for `--help`. */
  help: string;
  /** Placeholder shown in `--help`, e.g. `N`. */
  value?: string;
  /** Smallest accepted value (numbers). */
  min?: number;
  /** Largest accepted value (numbers). */
  max?: number;
  /** True when the command cannot run without it. */
  required?: boolean;
}

/** One positional argument. */
export interface PositionalSpec {
  /** Placeholder, e.g. `dev`. */
  name: string;
  /** One-line description for `--help`. */
  help: string;
  /** True when it may be left out. */
  optional?: boolean;
}

/** A subcommand's interface. */
export interface CommandSpec {
  /** Subcommand name, e.g. `pktgen`. */
  name: string;
  /** One-line summary for `tsnic --help`. */
  summary: string;
  /** Positionals, in order. */
  positionals: PositionalSpec[];
  /** Options (`--help` is implicit). */
  options: OptionSpec[];
  /** Longer notes printed after the options in `--help`. */
  notes?: string[];
  /** Example command lines. */
  examples?: string[];
}

/** Parsed arguments. */
export interface ParsedArgs {
  /** True when `--help` / `-h` was given (nothing else is validated then). */
  help: boolean;
  /** Positionals by name. */
  positionals: Record<string, string | undefined>;
  /** Option values by name: numbers for numeric kinds, strings, `true` for flags. */
  options: Record<string, string | number | boolean | undefined>;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

function usageError(spec: CommandSpec, message: string): TsnicError {
  return new TsnicError('ERR_INVALID_ARG', `${message} (see: tsnic ${spec.name} --help)`);
}

function parseValue(spec: CommandSpec, option: OptionSpec, text: string): string | number {
  if (option.kind === 'string') return text;
  const value = Number(text.replace(/_/g, ''));
  const what = option.kind === 'integer' ? 'a whole number' : 'a number';
  const range =
    option.min !== undefined && option.max !== undefined ? ` from ${option.min} to ${option.max}`
      : option.min !== undefined ? ` of at least ${option.min}` : '';
  if (!NUMBER.test(text.replace(/_/g, '')) || !Number.isFinite(value) || (option.kind === 'integer' && !Number.isInteger(value)) ||
    (option.min !== undefined && value < option.min) || (option.max !== undefined && value > option.max)) {
    throw usageError(spec, `--${option.name} must be ${what}${range}, got "${text}"`);
  }
  return value;
}

/** Parses `argv` (the words after the subcommand name) against `spec`. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const result: ParsedArgs = { help: false, positionals: {}, options: {} };
  if (argv.includes('--help') || argv.includes('-h')) {
    result.help = true;
    return result;
  }
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || NUMBER.test(arg)) {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : '';
    const option = spec.options.find((o) => o.name === name);
    if (option === undefined) throw usageError(spec, `unknown option ${eq < 0 ? arg : arg.slice(0, eq)}`);
    if (result.options[name] !== undefined) throw usageError(spec, `--${name} given twice`);
    if (option.kind === 'flag') {
      if (eq >= 0) throw usageError(spec, `--${name} takes no value`);
      result.options[name] = true;
      continue;
    }
    let text: string;
    if (eq >= 0) text = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw usageError(spec, `--${name} needs a value${option.value === undefined ? '' : ` (${option.value})`}`);
      }
      text = next;
      i++;
    }
    result.options[name] = parseValue(spec, option, text);
  }
  const required = spec.positionals.filter((p) => p.optional !== true).length;
  if (words.length < required) {
    throw usageError(spec, `missing <${spec.positionals[words.length].name}>`);
  }
  if (words.length > spec.positionals.length) {
    throw usageError(spec, `unexpected argument "${words[spec.positionals.length]}"`);
  }
  spec.positionals.forEach((p, k) => {
    result.positionals[p.name] = words[k];
  });
  for (const option of spec.options) {
    if (option.required === true && result.options[option.name] === undefined) {
      throw usageError(spec, `missing --${option.name}${option.value === undefined ? '' : ` ${option.value}`}`);
    }
  }
  return result;
}

/** The `--help` text of a subcommand. */
export function helpText(spec: CommandSpec): string {
  const positionals = spec.positionals.map((p) => (p.optional === true ? `[${p.name}]` : `<${p.name}>`)).join(' ');
  const lines = [`Usage: tsnic ${spec.name}${positionals === '' ? '' : ` ${positionals}`} [options]`, '', spec.summary, ''];
  if (spec.positionals.length > 0) {
    lines.push('Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(22)}${p.help}`);
    lines.push('');
  }
  lines.push('Options:');
  const flags = spec.options.map((o) => `--${o.name}${o.value === undefined ? '' : ` ${o.value}`}`);
  const width = Math.max(22, ...flags.map((f) => f.length + 2));
  spec.options.forEach((o, k) => lines.push(`  ${flags[k].padEnd(width)}${o.help}${o.required === true ? ' (required)' : ''}`));
  lines.push(`  ${'--help'.padEnd(width)}Show this help`);
  if (spec.notes !== undefined) lines.push('', ...spec.notes);
  if (spec.examples !== undefined) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

/** The option `name` as a number, or `fallback` when absent. */
export function numberOption(args: ParsedArgs, name: string, fallback: number): number;
/** The option `name` as a number, or undefined when absent. */
export function numberOption(args: ParsedArgs, name: string): number | undefined;
export function numberOption(args: ParsedArgs, name: string, fallback?: number): number | undefined {
  const v = args.options[name];
  return typeof v === 'number' ? v : fallback;
}

/** The option `name` as a string, or undefined when absent. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}

/** True when the flag `name` was given. */
export function flagOption(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}
