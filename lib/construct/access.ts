// The DynamoDB actions each function calls per table, the KMS actions of grants, and the admin function's API Gateway key calls.
import type { FunctionRole } from '../../lambda/api/routes';
import type { TableRole } from '../../lambda/store/table-definitions';
import { API_KEY_TAG_KEYS, STORE_TAG_KEY } from '../../lambda/api/key-tags';

/**
 * The DynamoDB actions each function calls, per table: exactly the calls `lambda/store` makes for
 * that function's routes (checked by `test/construct/least-privilege.test.ts`, which runs every
 * route through its handler and records the calls). No wildcard actions.
 */
export const TABLE_ACCESS: Readonly<Record<FunctionRole, Readonly<Record<TableRole, readonly string[]>>>> = {
  // Reads: key bindings and collection state, bucket queries, finalists' vectors, id pages. Writes:
  // the calibration by a collection's own queries, on its counter (observed queries, the lists'
  // share: UpdateItem) and, in k-means lists, its calibration window (PutItem, in a transaction
  // with the counter; `list-calibration.ts`)
  query: {
    metadata: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    vectors: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    buckets: ['dynamodb:Query'],
  },
  // Upserts and deletes of vectors and their bucket entries; the collection's counter and centre.
  write: {
    // in k-means lists also the centroid set: put by the transactions that train the first lists
    // and split a list (`centroid-sets.ts`, `list-splits.ts`), read again (Query) after a split
    metadata: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    // vector items: conditional puts, tombstones and their removal, one item each (`item-versions.ts`);
    // Query pages of vector items for delete by filter
    vectors: ['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    // in k-means lists a split counts a list's entries and reads them (Query) before it moves some
    buckets: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
  },
  // Projects, collections and key bindings; the scheduled purge of dropped collections.
  admin: {
    // (collections are created and dropped by TransactWriteItems, which IAM authorizes as PutItem and DeleteItem)
    metadata: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
    // the purge, and the repair of a collection (settles and removes vector items)
    vectors: ['dynamodb:Query', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    buckets: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
  },
};

/** Per write action of a table (e.g. `dynamodb:PutItem`), the partition-key patterns it is confined to. */
export type ActionPartitions = Readonly<Record<string, readonly string[]>>;

/**
 * Partition-key patterns that each write action of a function is confined to, per table, with the
 * IAM condition `ForAllValues:StringLike` on `dynamodb:LeadingKeys`; reads are not confined. On
 * metadata, the write function (and `grantWrite`) updates only items of project partitions
 * (`P#<projectId>`: a collection's counter, its centre and plans) and puts only items of centroid
 * set partitions (`L#<uid>`: a collection's k-means lists); the query function (and `grantQuery`)
 * updates only counters and puts only calibration windows (`W#<uid>`). Neither can write an API
 * key binding (`K#<apiKeyId>`), the project registry, a uid claim or the purge queue (`DROPPED`,
 * whose records the purge deletes data by), nor put over a collection's counter or config. Every
 * write action of a table named here has its patterns. Patterns follow `lambda/store/key-format.ts`.
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
export const WRITE_PARTITIONS: Readonly<Partial<Record<FunctionRole, Readonly<Partial<Record<TableRole, ActionPartitions>>>>>> = {
  query: { metadata: { 'dynamodb:PutItem': ['W#*'], 'dynamodb:UpdateItem': ['P#*'] } },
  write: { metadata: { 'dynamodb:PutItem': ['L#*'], 'dynamodb:UpdateItem': ['P#*'] } },
};

/** Is this DynamoDB action a read (never changes an item)? */
export const isReadAction = (action: string): boolean => /:(Get|Query|BatchGet|Describe|Scan)/.test(action);

/** KMS actions on a customer managed table key: reads decrypt; writes also encrypt new data keys. */
export const KMS_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
export const KMS_WRITE_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'] as const;

/** Does this access set write anything? */
export function writes(access: Readonly<Record<TableRole, readonly string[]>>): boolean {
  return Object.values(access).some((actions) => actions.some((a) => !isReadAction(a)));
}

/** An IAM condition block whose `{restApiId}` placeholders the construct fills with the store's REST API id. */
export type ConditionTemplate = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** The request must tag the key with this store's REST API id, and with no tag keys but the store's. */
const TAGGED_FOR_THIS_STORE: ConditionTemplate = {
  StringEquals: { [`aws:RequestTag/${STORE_TAG_KEY}`]: '{restApiId}' },
  'ForAllValues:StringEquals': { 'aws:TagKeys': API_KEY_TAG_KEYS },
};

/**
 * API Gateway management calls of the admin function (`lambda/api/api-keys.ts`, project API keys), as
 * IAM action, resource path and condition: `apigateway:<HTTP verb>` on
 * `arn:<partition>:apigateway:<region>::<path>`. `{usagePlanId}` stands for each tier's plan (one
 * resource per tier; never the admin key's plan); `{region}`/`{partition}` are the stack's.
 *
 * Key ids are unknown until a key exists, so the key paths end in `*`; what confines them to this
 * store's keys is API Gateway's attribute-based access control: every key the admin function creates
 * is tagged `whiplash:restApiId=<this API's id>` (`lambda/api/key-tags.ts`). CreateApiKey is allowed
 * only with that tag in the request (`aws:RequestTag`, no other tag keys: `aws:TagKeys`); tagging
 * on create is authorized as TagResource (`PUT /tags/<url-encoded key ARN>`) under the same
 * request-tag conditions, and not on a key that already carries another store's id
 * (`aws:ResourceTag`, if present); DeleteApiKey only on a key that carries this API's id
 * (`aws:ResourceTag`). CreateUsagePlanKey and DeleteUsagePlanKey (a key joins a tier's plan, and
 * moves between tiers' plans) are confined by ARN to the tiers' usage plans.
 * What IAM cannot confine: TagResource cannot tell a key being created from an existing untagged
 * key, so the role could tag an untagged key of the account with this store's tag (and then delete
 * it); and CreateUsagePlanKey may attach any key id to this store's plan (such a key still answers
 * 403: the handlers accept only keys bound to a project in the metadata table).
 * Source: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-tagging-iam-policy.html
 */
export const API_KEY_MANAGEMENT: readonly { readonly call: string; readonly action: string; readonly path: string; readonly condition?: ConditionTemplate }[] = [
  { call: 'CreateApiKey', action: 'apigateway:POST', path: '/apikeys', condition: TAGGED_FOR_THIS_STORE },
  {
    call: 'CreateApiKey (tags)',
    action: 'apigateway:PUT',
    path: '/tags/arn%3A{partition}%3Aapigateway%3A{region}%3A%3A%2Fapikeys%2F*',
    condition: { ...TAGGED_FOR_THIS_STORE, StringEqualsIfExists: { [`aws:ResourceTag/${STORE_TAG_KEY}`]: '{restApiId}' } },
  },
  { call: 'CreateUsagePlanKey', action: 'apigateway:POST', path: '/usageplans/{usagePlanId}/keys' },
  { call: 'DeleteUsagePlanKey', action: 'apigateway:DELETE', path: '/usageplans/{usagePlanId}/keys/*' },
  { call: 'DeleteApiKey', action: 'apigateway:DELETE', path: '/apikeys/*', condition: { StringEquals: { [`aws:ResourceTag/${STORE_TAG_KEY}`]: '{restApiId}' } } },
];

/** `template` with every `{restApiId}` replaced by `restApiId`. */
export function fillCondition(template: ConditionTemplate, restApiId: string): Record<string, Record<string, string | string[]>> {
  const fill = (v: string | readonly string[]): string | string[] => (typeof v === 'string' ? v.replace('{restApiId}', restApiId) : v.map((x) => x.replace('{restApiId}', restApiId)));
  return Object.fromEntries(Object.entries(template).map(([op, kv]) => [op, Object.fromEntries(Object.entries(kv).map(([k, v]) => [k, fill(v)]))]));
}
