// The DynamoDB actions each function calls per table, the KMS actions of grants, and the admin function's API Gateway key calls.
import type { FunctionRole } from '../../lambda/api/routes';
import type { TableRole } from '../../lambda/store/table-definitions';

/**
 * The DynamoDB actions each function calls, per table: exactly the calls `lambda/store` makes for
 * that function's routes (checked by `test/construct/least-privilege.test.ts`, which runs every
 * route through its handler and records the calls). No wildcard actions.
 */
export const TABLE_ACCESS: Readonly<Record<FunctionRole, Readonly<Record<TableRole, readonly string[]>>>> = {
  // Reads only: key bindings and collection state, bucket queries, finalists' vectors, id pages.
  query: {
    metadata: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
    vectors: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    buckets: ['dynamodb:Query'],
  },
  // Upserts and deletes of vectors and their bucket entries; the collection's counter and centre.
  write: {
    metadata: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
    // vector items: conditional puts, tombstones and their removal, one item each (`item-versions.ts`)
    vectors: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    buckets: ['dynamodb:BatchWriteItem'],
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

/** KMS actions on a customer managed table key: reads decrypt; writes also encrypt new data keys. */
export const KMS_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
export const KMS_WRITE_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'] as const;

/** Does this access set write anything? */
export function writes(access: Readonly<Record<TableRole, readonly string[]>>): boolean {
  return Object.values(access).some((actions) => actions.some((a) => !/:(Get|Query|BatchGet|Describe)/.test(a)));
}

/**
 * API Gateway management calls of the admin function (`lambda/api/api-keys.ts`, project API keys), as
 * IAM action and resource path: `apigateway:<HTTP verb>` on `arn:<partition>:apigateway:<region>::<path>`.
 * `{usagePlanId}` is the plan project keys are attached to; `{region}`/`{partition}` are the stack's.
 * CreateApiKey passes tags, and tagging on create is authorized as TagResource (`PUT /tags/<url-encoded ARN>`).
 */
export const API_KEY_MANAGEMENT: readonly { readonly call: string; readonly action: string; readonly path: string }[] = [
  { call: 'CreateApiKey', action: 'apigateway:POST', path: '/apikeys' },
  { call: 'CreateApiKey (tags)', action: 'apigateway:PUT', path: '/tags/arn%3A{partition}%3Aapigateway%3A{region}%3A%3A%2Fapikeys%2F*' },
  { call: 'CreateUsagePlanKey', action: 'apigateway:POST', path: '/usageplans/{usagePlanId}/keys' },
  { call: 'DeleteApiKey', action: 'apigateway:DELETE', path: '/apikeys/*' },
];
