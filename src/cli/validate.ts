/**
 * `repokit validate PATH...`: detect what each file is by content and validate it strictly.
 * (Being written.)
 */
import { UsageError } from './args.js';
import type { Context } from './rpm.js';

/** The lines this command adds to the main help's command list. */
export const VALIDATE_SUMMARY = '  validate PATH...      detect what each file is and check it strictly (--json)\n';

/** `repokit validate ...` */
export async function validateCommand(argv: readonly string[], ctx: Context): Promise<number> {
  void argv;
  void ctx;
  throw new UsageError('not implemented yet', 'validate');
}
