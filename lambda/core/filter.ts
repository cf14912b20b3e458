// Metadata filters: compiles a filter with Pinecone / S3 Vectors operators (`$eq`, `$in`, `$and`, ...) into a predicate.
import { ValidationError } from './errors';
import { MAX_FILTER_BRANCHES, MAX_FILTER_DEPTH, MAX_FILTER_VALUES } from './limits';
import { Metadata, MetadataValue } from './types';

/**
 * Metadata filters with the operators of Pinecone and S3 Vectors:
 * `$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or`.
 *
 * - `{"genre": "drama"}` is short for `{"genre": {"$eq": "drama"}}`; several keys in one object
 *   must all hold (an implicit `$and`).
 * - On a list-of-strings value, `$eq`/`$in` hold when the list contains the value (any of the
 *   values); `$ne`/`$nin` when it contains none.
 * - `$gt $gte $lt $lte` compare numbers only.
 * - A missing key fails every operator except `$ne`, `$nin` and `$exists: false`.
 */
export type Predicate = (m: Metadata) => boolean;

type Scalar = string | number | boolean;

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function contains(value: MetadataValue, x: Scalar): boolean {
  return Array.isArray(value) ? value.includes(x as string) : value === x;
}

function fieldPredicate(key: string, cond: unknown, path: string): Predicate {
  // own properties only: `constructor` or `__proto__` must not reach Object.prototype
  const value = (m: Metadata): MetadataValue | undefined => (Object.hasOwn(m, key) ? m[key] : undefined);
  if (isScalar(cond)) return (m) => { const v = value(m); return v !== undefined && contains(v, cond); };
  if (typeof cond !== 'object' || cond === null || Array.isArray(cond)) {
    throw new ValidationError(path, 'must be a string, number, boolean or an object of operators');
  }
  const parts: Predicate[] = [];
  const ops = Object.entries(cond);
  if (ops.length === 0) throw new ValidationError(path, 'must name at least one operator');
  for (const [op, arg] of ops) {
    const p = `${path}.${op}`;
    switch (op) {
      case '$eq':
      case '$ne': {
        if (!isScalar(arg)) throw new ValidationError(p, 'must be a string, number or boolean');
        const eq: Predicate = (m) => { const v = value(m); return v !== undefined && contains(v, arg); };
        parts.push(op === '$eq' ? eq : (m) => !eq(m));
        break;
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte': {
        if (typeof arg !== 'number' || !Number.isFinite(arg)) throw new ValidationError(p, 'must be a finite number');
        const cmp = { $gt: (a: number) => a > arg, $gte: (a: number) => a >= arg, $lt: (a: number) => a < arg, $lte: (a: number) => a <= arg }[op];
        parts.push((m) => { const v = value(m); return typeof v === 'number' && cmp(v); });
        break;
      }
      case '$in':
      case '$nin': {
        if (!Array.isArray(arg) || !arg.every(isScalar)) throw new ValidationError(p, 'must be a list of strings, numbers or booleans');
        if (arg.length > MAX_FILTER_VALUES) throw new ValidationError(p, `must have at most ${MAX_FILTER_VALUES} values`);
        const any: Predicate = (m) => { const v = value(m); return v !== undefined && arg.some((x) => contains(v, x)); };
        parts.push(op === '$in' ? any : (m) => !any(m));
        break;
      }
      case '$exists': {
        if (typeof arg !== 'boolean') throw new ValidationError(p, 'must be true or false');
        parts.push((m) => (value(m) !== undefined) === arg);
        break;
      }
      default:
        throw new ValidationError(p, 'is not a field operator ($eq $ne $gt $gte $lt $lte $in $nin $exists)');
    }
  }
  return (m) => parts.every((f) => f(m));
}

function compile(filter: unknown, path: string, depth: number, nonFilterable: ReadonlySet<string>): Predicate {
  if (depth > MAX_FILTER_DEPTH) throw new ValidationError(path, `must not nest deeper than ${MAX_FILTER_DEPTH} levels`);
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw new ValidationError(path, 'must be an object');
  const parts: Predicate[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    const p = `${path}.${key}`;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(cond) || cond.length === 0) throw new ValidationError(p, 'must be a non-empty list of filters');
      if (cond.length > MAX_FILTER_BRANCHES) throw new ValidationError(p, `must have at most ${MAX_FILTER_BRANCHES} filters`);
      const subs = cond.map((c, i) => compile(c, `${p}[${i}]`, depth + 1, nonFilterable));
      parts.push(key === '$and' ? (m) => subs.every((f) => f(m)) : (m) => subs.some((f) => f(m)));
    } else if (key.startsWith('$')) {
      throw new ValidationError(p, 'is not a logical operator ($and $or)');
    } else if (nonFilterable.has(key)) {
      throw new ValidationError(p, 'is a non-filterable metadata key of this collection (metadataConfiguration.nonFilterableMetadataKeys): filters apply to filterable keys only');
    } else {
      parts.push(fieldPredicate(key, cond, p));
    }
  }
  return (m) => parts.every((f) => f(m));
}

/**
 * Checks a filter and compiles it to a predicate over metadata.
 * @param nonFilterable the collection's non-filterable metadata keys, which no filter may name
 * @throws ValidationError naming the offending path, e.g. `filter.year.$gt must be a finite number`
 */
export function compileFilter(filter: unknown, field = 'filter', nonFilterable: ReadonlySet<string> = new Set()): Predicate {
  return compile(filter, field, 0, nonFilterable);
}
