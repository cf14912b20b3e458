// A Whiplash vector store deployed elsewhere, known by its attributes (`WhiplashVectorStore.fromStoreAttributes`).
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FunctionRole, TableRole } from './roles';
import { pascal } from './names';
import { WhiplashVectorStoreAttributes, WhiplashVectorStoreBase } from './store-base';

/** A store deployed elsewhere, known by its attributes: grants and metrics, nothing created. */
export class ImportedWhiplashVectorStore extends WhiplashVectorStoreBase {
  readonly apiUrl: string;
  readonly restApiId: string;
  readonly restApiName: string;
  readonly metadataTableName: string;
  readonly vectorsTableName: string;
  readonly bucketsTableName: string;
  private readonly tables: Record<TableRole, dynamodb.ITable>;
  private readonly functions: Record<FunctionRole, lambda.IFunction>;
  private readonly key?: kms.IKey;

  constructor(scope: Construct, id: string, attrs: WhiplashVectorStoreAttributes) {
    super(scope, id);
    const stageName = attrs.stageName ?? 'prod';
    this.restApiId = attrs.restApiId;
    this.restApiName = attrs.restApiName;
    this.apiUrl = `https://${attrs.restApiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${stageName}/`;
    this.metadataTableName = attrs.metadataTableName;
    this.vectorsTableName = attrs.vectorsTableName;
    this.bucketsTableName = attrs.bucketsTableName;
    this.key = attrs.encryptionKey;
    const table = (role: TableRole, tableName: string): dynamodb.ITable =>
      dynamodb.Table.fromTableAttributes(this, `${pascal(role)}Table`, { tableName, encryptionKey: attrs.encryptionKey });
    this.tables = {
      [TableRole.METADATA]: table(TableRole.METADATA, attrs.metadataTableName),
      [TableRole.VECTORS]: table(TableRole.VECTORS, attrs.vectorsTableName),
      [TableRole.BUCKETS]: table(TableRole.BUCKETS, attrs.bucketsTableName),
    };
    const fn = (role: FunctionRole, functionName: string): lambda.IFunction =>
      lambda.Function.fromFunctionAttributes(this, `${pascal(role)}Function`, {
        functionArn: Stack.of(this).formatArn({ service: 'lambda', resource: 'function', resourceName: functionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        sameEnvironment: true,
      });
    this.functions = {
      [FunctionRole.QUERY]: fn(FunctionRole.QUERY, attrs.queryFunctionName),
      [FunctionRole.WRITE]: fn(FunctionRole.WRITE, attrs.writeFunctionName),
      [FunctionRole.ADMIN]: fn(FunctionRole.ADMIN, attrs.adminFunctionName),
    };
  }

  /** @internal */
  protected _tableOf(role: TableRole): dynamodb.ITable {
    return this.tables[role];
  }

  /** @internal */
  protected _functionOf(role: FunctionRole): lambda.IFunction {
    return this.functions[role];
  }

  /** @internal */
  protected _tableEncryptionKey(): kms.IKey | undefined {
    return this.key;
  }
}
