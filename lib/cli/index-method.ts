// The options that choose a new collection's index (`--index-method`, `--list-size`), for
// `collections create` and `import --create`, and the create request's fields they give.
import { Command, Option } from 'commander';
import { INDEX_METHODS, LIST_SIZE_BOUNDS } from '../../lambda/core/limits';
import type { IndexMethod } from '../../lambda/core/types';
import { int } from './parse';

/**
 * The options that choose a new collection's index: `--index-method` and `--list-size`, for
 * `collections create` and `import --create` (`made`: how the command names the collection it makes).
 * No default is sent: the API's applies, and an API without k-means lists still takes the request.
 */
export function addIndexMethodOptions(cmd: Command, made = ''): Command {
  return cmd
    .addOption(new Option('--index-method <method>', `index${made}: ivf, k-means lists (the default for cosine and euclidean); lsh, hash tables (the default for dot)`).choices(INDEX_METHODS))
    .option('--list-size <n>', `with --index-method ivf: vectors a list holds before it splits, ${LIST_SIZE_BOUNDS[0]} to ${LIST_SIZE_BOUNDS[1]}`, int(...LIST_SIZE_BOUNDS));
}

/** The create request's `indexMethod` and `listSize`, as given. */
export const indexMethodOf = (o: { indexMethod?: IndexMethod; listSize?: number }) => ({ ...(o.indexMethod ? { indexMethod: o.indexMethod } : {}), ...(o.listSize === undefined ? {} : { listSize: o.listSize }) });
