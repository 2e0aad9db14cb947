/**
 * `repokit index DIR`: detect the package kinds in DIR by content and write the matching index in
 * place, through the Repository facade. (Being written.)
 */
import { UsageError } from './args.js';
import type { Context } from './rpm.js';

/** The lines this command adds to the main help's command list. */
export const INDEX_SUMMARY = '  index DIR             write the index of the packages in DIR (pacman, xbps or apt-rpm)\n';

/** `repokit index ...` */
export async function indexCommand(argv: readonly string[], ctx: Context): Promise<number> {
  void argv;
  void ctx;
  throw new UsageError('not implemented yet', 'index');
}
