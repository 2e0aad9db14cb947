/**
 * `repokit forge`: what Fedora's `%forgemeta` sets for a source on a forge. Presentation only;
 * the computation is computeForge from `repokit/forge`.
 */
import { computeForge, type ForgeInput, type ForgeResult } from '../forge/index.js';
import { UsageError, formatOptions, parseArgs, type OptionSpec } from './args.js';
import { errorToJson, isRepokitError, oneLine, toJson, visible } from './output.js';
import type { Context } from './rpm.js';

/** The lines this area adds to the main help's command list. */
export const FORGE_SUMMARY = '  forge --forgeurl URL  what %forgemeta sets: Source URL, %setup args, distprefix (--json)\n';

const COMMAND = 'forge';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'forgeurl', value: 'URL', help: "the project's URL, e.g. https://github.com/owner/repo (required)" },
  { name: 'version', value: 'V', help: 'the version (a release: the archive of v<V> on GitHub)' },
  { name: 'tag', value: 'T', help: 'a tag to fetch (wins over commit, branch and version)' },
  { name: 'commit', value: 'C', help: 'a commit to fetch (wins over branch and version)' },
  { name: 'branch', value: 'B', help: 'a branch to fetch (wins over version)' },
  { name: 'date', value: 'YYYYMMDD', help: 'the snapshot date, for distprefix of tags, commits and branches' },
  { name: 'archiveext', value: 'EXT', help: "the archive's extension instead of the forge's (e.g. tar.xz)" },
  { name: 'index', value: 'N', help: 'as %forgemeta -z N: the inputs are source N, the variables carry N' },
  { name: 'silent', help: 'as %forgemeta -s: a URL of the wrong shape is not an error' },
  { name: 'define', short: 'D', value: 'NAME=VALUE', help: 'define another macro, e.g. scm=hg (repeatable)' },
  { name: 'bug-compatible', help: "also reproduce forge-srpm-macros' bugs that repokit fixes" },
  { name: 'json', help: 'print a JSON object instead of %global lines' },
];

export const FORGE_HELP = `Usage: repokit forge --forgeurl URL [options]

Compute what Fedora's %forgemeta macro (forge-srpm-macros) sets for a source hosted on GitHub,
GitLab, Pagure, Gitea, Codeberg, Google Source, Bitbucket or Sourcehut: the Source URL
(forgesource), the archive's URL, name and extension, the %setup arguments (forgesetupargs)
and the snapshot suffix (distprefix). Nothing is downloaded.

Options:
${formatOptions(OPTIONS)}

Values are rpm macro text, as in a spec file: --tag 'v%{version}' refers to --version;
write %% for a literal %. At least one of --version, --tag, --commit, --branch is needed.
With --index N, --version is source N's; give the package's own version as -D version=V
(a source whose version differs from it gets '.s<version>' in its distprefix).

Output: one '%global NAME VALUE' line per variable that is set, in a fixed order ('%' is
written '%%', so the lines define exactly these values). With --json: an object with every
variable, named as the macros name them ("forgesource", or "forgesource1" with --index 1),
"" when unset.

Exit status: 0 after printing the variables, 1 when the macros would fail (the macros'
message is printed), 2 for a usage error.
`;

/** `--define`/`-D` may be repeated, which parseArgs does not allow: collect them first. */
function takeDefines(argv: readonly string[]): { rest: string[]; defines: Map<string, string> } {
  const rest: string[] = [];
  const defines = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    let spec: string | undefined;
    if (arg === '--define' || arg === '-D') {
      spec = argv[++i];
      if (spec === undefined) throw new UsageError("option '--define' needs a value (NAME=VALUE)", COMMAND);
    } else if (arg.startsWith('--define=')) {
      spec = arg.slice('--define='.length);
    } else {
      rest.push(arg);
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(spec);
    if (m === null) throw new UsageError(`--define wants NAME=VALUE with a macro name, not '${spec}'`, COMMAND);
    defines.set(m[1]!, m[2]!);
  }
  return { rest, defines };
}

/** `%global` lines of the variables that are set. */
function globals(result: ForgeResult): string {
  let out = '';
  for (const [name, value] of Object.entries(result.variables)) {
    if (value !== '') out += `%global ${name} ${visible(value.replaceAll('%', '%%'))}\n`;
  }
  return out;
}

export async function forgeCommand(argv: readonly string[], ctx: Context): Promise<number> {
  // --help wins over any other mistake, as in every command (only before '--').
  const dashdash = argv.indexOf('--');
  const head = dashdash === -1 ? argv : argv.slice(0, dashdash);
  if (head.includes('--help') || head.includes('-h')) {
    ctx.io.out(FORGE_HELP);
    return 0;
  }
  const { rest, defines } = takeDefines(argv);
  const p = parseArgs(rest, OPTIONS, COMMAND);
  if (p.help) {
    ctx.io.out(FORGE_HELP);
    return 0;
  }
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`, COMMAND);
  const opt = (name: string): string | undefined => {
    const v = p.options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const forgeurl = opt('forgeurl');
  if (forgeurl === undefined) throw new UsageError('--forgeurl URL is required', COMMAND);
  const input: ForgeInput = { forgeurl };
  for (const key of ['version', 'tag', 'commit', 'branch', 'archiveext'] as const) {
    const v = opt(key);
    if (v !== undefined) input[key] = v;
  }
  const date = opt('date');
  if (date !== undefined) {
    if (!/^[0-9]{8}$/.test(date)) throw new UsageError(`--date must be YYYYMMDD, not '${date}'`, COMMAND);
    input.date = date;
  }
  const index = opt('index');
  if (index !== undefined) {
    if (!/^[0-9]{1,9}$/.test(index)) throw new UsageError(`--index must be a non-negative integer, not '${index}'`, COMMAND);
    input.index = Number(index);
  }
  if (p.options.has('silent')) input.silent = true;
  if (p.options.has('bug-compatible')) input.bugCompatible = true;
  if (defines.size > 0) input.macros = Object.fromEntries(defines);

  let result: ForgeResult;
  try {
    result = computeForge(input);
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    ctx.io.err(`repokit: forge: ${visible(oneLine(e.message))}\n`);
    if (p.options.has('json')) ctx.io.out(toJson({ error: errorToJson(e) }));
    return 1;
  }
  ctx.io.out(p.options.has('json') ? toJson(result.variables) : globals(result));
  return 0;
}
