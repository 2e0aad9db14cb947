/**
 * A tiny command-line parser: long options (`--name`, `--name value`, `--name=value`), short
 * aliases (`-h`), `--` to end options, `-` as an ordinary argument. No dependencies, no option
 * bundling, no negation; every mistake is a {@link UsageError}.
 */

/** A mistake on the command line: exit status 2, a short message, and where to get help. */
export class UsageError extends Error {
  /** The command the mistake was made in, e.g. "rpm inspect", for the "Try ... --help" hint. */
  readonly command: string;

  constructor(message: string, command: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

export interface OptionSpec {
  /** Long name without the dashes, e.g. "json". */
  name: string;
  /** A one-letter alias, e.g. "h". */
  short?: string;
  /** Takes a value (`--locale de_DE`); otherwise a flag. */
  value?: string;
  /** Accepted values, checked when given. */
  choices?: readonly string[];
  /** One line for the help text. */
  help: string;
}

export interface Parsed {
  /** Flags that were given (`true`) and values of value options. */
  options: Map<string, string | true>;
  positionals: string[];
  /** `--help` / `-h` was given (before any `--`). */
  help: boolean;
}

/** The --help option every command accepts. */
export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', help: 'show this help and exit' };

/**
 * Parse `argv` against `specs`. `--help` is always accepted, and when it is present nothing else
 * is checked (so `repokit rpm inspect --help --bogus` still shows the help).
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): Parsed {
  const all = [HELP_OPTION, ...specs];
  const byLong = new Map(all.map((s) => [s.name, s]));
  const byShort = new Map(all.filter((s) => s.short !== undefined).map((s) => [s.short!, s]));
  const dashdash = argv.indexOf('--');
  const optionPart = dashdash === -1 ? argv : argv.slice(0, dashdash);
  if (optionPart.includes('--help') || optionPart.includes('-h')) {
    return { options: new Map(), positionals: [], help: true };
  }

  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (eq !== -1) inline = arg.slice(eq + 1);
      spec = byLong.get(name);
    } else if (arg.length === 2) {
      spec = byShort.get(arg[1]!);
    }
    if (spec === undefined) {
      throw new UsageError(`unknown option '${arg}'${looksNumeric(arg) ? " (put '--' before arguments that start with '-')" : ''}`, command);
    }
    const shown = `--${spec.name}`;
    if (options.has(spec.name)) throw new UsageError(`option '${shown}' given more than once`, command);
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(`option '${shown}' does not take a value`, command);
      options.set(spec.name, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next === '--') throw new UsageError(`option '${shown}' needs a value (${spec.value})`, command);
      value = next;
      i++;
    }
    if (spec.choices !== undefined && !spec.choices.includes(value)) {
      throw new UsageError(`option '${shown}' must be one of ${spec.choices.join(', ')}, not '${value}'`, command);
    }
    options.set(spec.name, value);
  }
  return { options, positionals, help: false };
}

function looksNumeric(arg: string): boolean {
  return /^-[0-9.:]/.test(arg);
}

/** The "Options:" block of a help text. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const rows = [...specs, HELP_OPTION].map((s) => {
    const left = `${s.short !== undefined ? `-${s.short}, ` : '    '}--${s.name}${s.value !== undefined ? ` ${s.value}` : ''}`;
    return [left, s.help] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`).join('\n');
}
