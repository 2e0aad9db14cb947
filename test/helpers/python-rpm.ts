/**
 * Run rpm's own Python bindings (python3-rpm) as an oracle for interop tests.
 *
 * The interpreter is `/usr/bin/python3` (the system Python, where distributions install the `rpm`
 * module; a `python3` earlier on PATH, e.g. from pyenv, usually lacks it). Set
 * `REPOKIT_PYTHON_RPM` to use another interpreter.
 *
 * Each call starts ONE Python process: the script reads its whole input as JSON from stdin and must
 * print one JSON document to stdout. Batch many cases into one call.
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

export const PYTHON_RPM_INTERPRETER = process.env['REPOKIT_PYTHON_RPM'] ?? '/usr/bin/python3';

let cached: { available: boolean; reason: string; version: string | null } | undefined;

function probe(): { available: boolean; reason: string; version: string | null } {
  if (cached !== undefined) return cached;
  const r = spawnSync(PYTHON_RPM_INTERPRETER, ['-c', 'import rpm, sys; sys.stdout.write(rpm.__version__)'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error !== undefined) {
    cached = { available: false, reason: `${PYTHON_RPM_INTERPRETER} cannot be run (${r.error.message})`, version: null };
  } else if (r.status !== 0) {
    const why = r.stderr.trim().split('\n').pop() ?? `exit status ${r.status}`;
    cached = { available: false, reason: `${PYTHON_RPM_INTERPRETER} has no rpm module (${why})`, version: null };
  } else {
    cached = { available: true, reason: '', version: r.stdout.trim() };
  }
  return cached;
}

/** True when `/usr/bin/python3` (or REPOKIT_PYTHON_RPM) can `import rpm`. Probed once. */
export function hasPythonRpm(): boolean {
  return probe().available;
}

/** The rpm version reported by the Python module (e.g. "4.18.0"), or null when it is missing. */
export function pythonRpmVersion(): string | null {
  return probe().version;
}

/** Why python3-rpm is unavailable ("" when it is available). */
export function pythonRpmMissingReason(): string {
  return probe().reason;
}

export interface RunPythonOptions {
  /** Milliseconds before the process is killed (default 10 minutes). */
  timeoutMs?: number;
}

/**
 * Run `script` with the python3-rpm interpreter, `input` as JSON on stdin, and return its stdout
 * parsed as JSON. Throws with the script's stderr when it fails or prints something that is not JSON.
 *
 * Keep strings free of lone UTF-16 surrogates: Python decodes them from JSON but rpm's bindings
 * cannot encode them to UTF-8.
 */
export function runPythonRpm<T = unknown>(script: string, input: unknown, options: RunPythonOptions = {}): T {
  const r = spawnSync(PYTHON_RPM_INTERPRETER, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: options.timeoutMs ?? 600_000,
    env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (r.error !== undefined) {
    throw new Error(`running ${PYTHON_RPM_INTERPRETER} failed: ${r.error.message}\n${r.stderr ?? ''}`);
  }
  if (r.status !== 0) {
    throw new Error(`${PYTHON_RPM_INTERPRETER} exited with status ${r.status} (signal ${r.signal}):\n${r.stderr}`);
  }
  try {
    return JSON.parse(r.stdout) as T;
  } catch (e) {
    throw new Error(
      `${PYTHON_RPM_INTERPRETER} printed something that is not JSON (${(e as Error).message}): ${r.stdout.slice(0, 500)}\n${r.stderr}`,
    );
  }
}

/**
 * Python for scripts passed to {@link runPythonRpm} (after `import os, rpm`): `header_lists(paths)`
 * yields each file's headers as apt reads a pkglist or srclist, through `rpm.readHeaderListFromFD`
 * (librpm's headerRead with the header magic).
 */
export const PY_HEADER_LISTS = String.raw`
def header_lists(paths):
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            yield rpm.readHeaderListFromFD(fd, False)
        finally:
            os.close(fd)
`;

/**
 * `describe` that runs `body` only when python3-rpm is available. Without it the suite is skipped
 * with the reason in the test name — except under CI (`process.env.CI` set), where a failing test
 * says python3-rpm must be installed.
 */
export function describeWithPythonRpm(title: string, body: () => void): void {
  if (hasPythonRpm()) {
    describe(title, body);
    return;
  }
  const reason = pythonRpmMissingReason();
  if (process.env['CI']) {
    describe(title, () => {
      it('requires python3-rpm in CI', () => {
        throw new Error(`python3-rpm is required when CI is set: ${reason}. Install it (e.g. apt-get install python3-rpm).`);
      });
    });
    return;
  }
  describe.skip(`${title} — skipped: python3-rpm unavailable (${reason})`, body);
}
