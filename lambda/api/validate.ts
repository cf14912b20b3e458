// Request validation with ajv: bodies and query strings against the JSON schemas, as ValidationErrors that name
// the field and the rule.
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { oneOfRule, ValidationError } from '../core/errors';
import type { JsonSchema } from './json-schemas';

/** Bodies: no coercion, so `"3"` is not a number. */
const bodyAjv = new Ajv({ allErrors: false, strict: false });
/** Query strings arrive as strings: coerce `?limit=10` to an integer. */
const queryAjv = new Ajv({ allErrors: false, strict: false, coerceTypes: true });
addFormats(bodyAjv);
addFormats(queryAjv);

const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function compile(ajv: Ajv, schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** `/vectors/3/vector` -> `vectors[3].vector` */
function fieldPath(root: string, instancePath: string): string {
  let out = root;
  for (const part of instancePath.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out ? `.${key}` : key;
  }
  return out;
}

/** Turns ajv's first error into a ValidationError naming the field and the rule. */
export function toValidationError(err: ErrorObject, root: string): ValidationError {
  const at = fieldPath(root, err.instancePath);
  const join = (child: string): string => (at ? `${at}.${child}` : child);
  switch (err.keyword) {
    case 'required':
      return new ValidationError(join(String(err.params.missingProperty)), 'is required');
    case 'additionalProperties':
      return new ValidationError(join(String(err.params.additionalProperty)), 'is not an allowed field');
    case 'enum':
      return new ValidationError(at || root, oneOfRule(err.params.allowedValues as unknown[]));
    case 'anyOf':
      return new ValidationError(at || root, 'must be a string, a finite number, a boolean or a list of strings');
    default:
      return new ValidationError(at || root, err.message ?? 'is invalid');
  }
}

/**
 * Validates a parsed JSON body. @throws ValidationError (HTTP 400) naming the first bad field,
 * e.g. `vectors[3].vector[17] must be number`.
 */
export function validateBody(schema: JsonSchema, body: unknown): void {
  const fn = compile(bodyAjv, schema);
  if (!fn(body)) throw toValidationError(fn.errors![0], '');
}

/**
 * Validates and coerces a query string (values become numbers where the schema says so).
 * @returns the coerced parameters. @throws ValidationError naming the parameter.
 */
export function validateQuery(schema: JsonSchema, query: Record<string, string | undefined> | null): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(query ?? {}) };
  const fn = compile(queryAjv, schema);
  if (!fn(copy)) throw toValidationError(fn.errors![0], '');
  return copy;
}

/**
 * Runs `fn` and renames the field of a ValidationError it throws from the store's name to the
 * API's (e.g. the store's `vector` is the search body's `query`), so a 400 names what the client sent.
 */
export async function withApiFieldNames<T>(fn: () => Promise<T>, rename: (field: string) => string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ValidationError) {
      const field = rename(err.field);
      if (field !== err.field) throw new ValidationError(field, err.rule);
    }
    throw err;
  }
}
