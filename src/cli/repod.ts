/**
 * `repokit repod config`: the repod configuration as repod would load it, resolved, as JSON.
 * Everything here is presentation; loading and validation live in src/repod.
 */
import { checkRepodConfigFiles, formatViolation, repodConfigToJson, type RepodViolation } from '../repod/index.js';
import { UsageError, formatOptions, parseArgs, type OptionSpec } from './args.js';
import { errorLine, isRepokitError, oneLine, toJson, visible } from './output.js';
import type { Context } from './rpm.js';

/** The lines this area adds to the main help's command list. */
export const REPOD_SUMMARY = '  repod config          the resolved repod configuration as JSON (--config, --system)\n';

export const REPOD_HELP = `Usage: repokit repod <command> [options]

Arch Linux repod's configuration (repod.conf).

Commands:
  config    find, read, validate and resolve the configuration as repod does; print it as JSON

Run 'repokit repod <command> --help' for the options of a command.
`;

const CONFIG_OPTIONS: readonly OptionSpec[] = [
  { name: 'config', short: 'c', value: 'FILE', help: 'read only FILE (no repod.conf, no repod.conf.d)' },
  { name: 'system', short: 's', help: 'system mode: /etc/repod.conf, state in /var/lib/repod' },
  { name: 'json', help: 'report an invalid configuration as JSON on stdout' },
];

export const CONFIG_HELP = `Usage: repokit repod config [options]

Load repod's configuration the way repod does and print it resolved, as JSON: every repository
with every directory of every configured layer, the sync database settings and the package
verification. Files: FILE alone with --config; otherwise the mode's repod.conf followed by
repod.conf.d/*.conf in code-point order (user mode: $XDG_CONFIG_HOME/repod/, default
~/.config/repod/; system mode: /etc/). Later files replace earlier files' top-level keys.
Environment variables named after top-level settings fill keys no file sets, as in repod.
Nothing is created on disk.

Options:
${formatOptions(CONFIG_OPTIONS)}

Output: {"repositories": [...], "syncdb_settings": {...}, "package_verification": ...}.
Keys the configuration does not use but repod ignores are reported as warnings on stderr.
An invalid configuration lists every problem on stderr (file, key, repository, message), or
with --json prints {"error": {"code", "message", "errors": [{"loc", "msg", "file", "key",
"repository"}]}} on stdout.

Exit status: 0 valid, 1 invalid or unreadable configuration, 2 usage error.
`;

export async function repodCommand(argv: readonly string[], ctx: Context): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw new UsageError('missing command (config)', 'repod');
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    ctx.io.out(REPOD_HELP);
    return 0;
  }
  if (sub !== 'config') throw new UsageError(`unknown command '${sub}' (expected config)`, 'repod');
  return config(rest, ctx);
}

function violationJson(v: RepodViolation): Record<string, unknown> {
  const out: Record<string, unknown> = { loc: v.loc, msg: v.msg };
  if (v.file !== undefined) out['file'] = v.file;
  if (v.source !== undefined) out['source'] = v.source;
  if (v.key !== undefined) out['key'] = v.key;
  if (v.repository !== undefined) out['repository'] = v.repository;
  if (v.related !== undefined) out['related'] = v.related;
  return out;
}

async function config(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, CONFIG_OPTIONS, 'repod config');
  if (p.help) {
    ctx.io.out(CONFIG_HELP);
    return 0;
  }
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`, 'repod config');
  const json = p.options.has('json');
  const file = p.options.get('config');
  try {
    const result = await checkRepodConfigFiles({
      mode: p.options.has('system') ? 'system' : 'user',
      ...(typeof file === 'string' ? { configFile: file } : {}),
    });
    for (const w of result.warnings) ctx.io.err(`repokit: warning: ${visible(oneLine(formatViolation(w)))}\n`);
    if (result.config !== undefined) {
      ctx.io.out(toJson(repodConfigToJson(result.config)));
      return 0;
    }
    const n = result.violations.length;
    const message = `${n} problem${n === 1 ? '' : 's'} in the repod configuration`;
    if (json) {
      ctx.io.out(toJson({ error: { code: 'REPOD_INVALID_CONFIG', message, errors: result.violations.map(violationJson) } }));
    } else {
      ctx.io.err(`repokit: ${message}:\n`);
      for (const v of result.violations) ctx.io.err(`  ${visible(oneLine(formatViolation(v)))}\n`);
    }
    return 1;
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    if (json) {
      const entry: Record<string, unknown> = { loc: '', msg: e.detail };
      if (e.file !== undefined) entry['file'] = e.file;
      if (e.line !== undefined) entry['line'] = e.line;
      if (e.column !== undefined) entry['column'] = e.column;
      ctx.io.out(toJson({ error: { code: e.code, message: e.message, errors: [entry] } }));
    } else ctx.io.err(`${errorLine(e)}\n`);
    return 1;
  }
}
