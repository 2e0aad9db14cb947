/**
 * The `repokit` command, independent of the process (see main.ts for the glue).
 *
 * Exit status: 0 success, 1 data error (a file that cannot be read or does not verify; one line
 * on stderr naming the file), 2 usage error, 70 internal error (a bug: the stack is printed).
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { oneLine } from './output.js';
import { rpmCommand, type Context } from './rpm.js';
import { alpmCommand, ALPM_SUMMARY } from './alpm.js';
import { xbpsCommand, XBPS_SUMMARY } from './xbps.js';
import { aptrpmCommand, APTRPM_SUMMARY } from './aptrpm.js';
import { repodCommand, REPOD_SUMMARY } from './repod.js';
import { forgeCommand, FORGE_SUMMARY } from './forge.js';
import { indexCommand, INDEX_SUMMARY } from './index-command.js';
import { validateCommand, VALIDATE_SUMMARY } from './validate.js';

export const EXIT_OK = 0;
export const EXIT_DATA = 1;
export const EXIT_USAGE = 2;
/** EX_SOFTWARE from sysexits.h: an exception that is not a RepokitError is a bug in repokit. */
export const EXIT_INTERNAL = 70;

const RPM_SUMMARY = `  rpm inspect FILE...   metadata of RPM packages (--json, --verify, --locale, ...)
  rpm tags FILE         every tag of both headers of an RPM package (--json)
  rpm vercmp A B        compare two RPM versions; prints -1, 0 or 1
`;

/**
 * The areas' command lines ("  command args   description"), re-aligned into one column so
 * each area can word its own lines without knowing the others' widths.
 */
function commandList(summaries: readonly string[]): string {
  const rows = summaries
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^\s*(.*?\S)\s{2,}(\S.*)$/.exec(l);
      return m ? [m[1]!, m[2]!] : [l.trim(), ''];
    });
  const width = Math.max(...rows.map(([c]) => c!.length)) + 2;
  return rows.map(([c, d]) => `  ${c!.padEnd(width)}${d}`.trimEnd() + '\n').join('');
}

export const MAIN_HELP = `Usage: repokit <command> [options]

Codecs for Linux package-repository formats.

Commands:
${commandList([INDEX_SUMMARY, VALIDATE_SUMMARY, RPM_SUMMARY, ALPM_SUMMARY, XBPS_SUMMARY, APTRPM_SUMMARY, REPOD_SUMMARY, FORGE_SUMMARY])}
Options:
  -h, --help       show help (also after any command: 'repokit rpm inspect --help')
  -V, --version    show the version

Exit status: 0 success, 1 data error (the file and the problem are named on stderr),
2 usage error, 70 internal error (please report it).
`;

function version(): string {
  // dist/cli.js -> the package root's package.json (also true in an installed copy).
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** Run the CLI with `argv` (without node and the script path); returns the exit status. */
export async function run(argv: readonly string[], ctx: Context): Promise<number> {
  const { io } = ctx;
  try {
    const [first, ...rest] = argv;
    switch (first) {
      case undefined:
        io.err(MAIN_HELP);
        return EXIT_USAGE;
      case '-h':
      case '--help':
        io.out(MAIN_HELP);
        return EXIT_OK;
      case 'help':
        if (rest.length === 0) {
          io.out(MAIN_HELP);
          return EXIT_OK;
        }
        return await run([...rest, '--help'], ctx);
      case '-V':
      case '--version':
        io.out(`repokit ${version()}\n`);
        return EXIT_OK;
      case 'rpm':
        return await rpmCommand(rest, ctx);
      case 'alpm':
        return await alpmCommand(rest, ctx);
      case 'xbps':
        return await xbpsCommand(rest, ctx);
      case 'aptrpm':
        return await aptrpmCommand(rest, ctx);
      case 'repod':
        return await repodCommand(rest, ctx);
      case 'forge':
        return await forgeCommand(rest, ctx);
      case 'index':
        return await indexCommand(rest, ctx);
      case 'validate':
        return await validateCommand(rest, ctx);
      default:
        throw new UsageError(
          first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}' (expected index, validate, rpm, alpm, xbps, aptrpm, repod or forge)`,
          '',
        );
    }
  } catch (e) {
    if (e instanceof UsageError) {
      const where = e.command === '' ? 'repokit' : `repokit ${e.command}`;
      io.err(`${where}: ${oneLine(e.message)}\nTry '${where} --help'.\n`);
      return EXIT_USAGE;
    }
    // RepokitErrors are handled by the commands; anything reaching here is a bug.
    io.err(`repokit: internal error (this is a bug; please report it)\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_INTERNAL;
  }
}

