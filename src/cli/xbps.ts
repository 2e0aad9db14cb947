/**
 * `repokit xbps ...` (work in progress: the owner of this area replaces this file).
 */
import { UsageError } from './args.js';
import type { Context } from './rpm.js';

/** The lines this area adds to the main help's command list. */
export const XBPS_SUMMARY = '';

export async function xbpsCommand(_argv: readonly string[], _ctx: Context): Promise<number> {
  throw new UsageError('not implemented yet', 'xbps');
}
