import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CollectionInfo, IdPage, IndexParams, Metric, Project, QueryRequest, QueryResult, StoredVector, VectorInput } from '../core/types';
import { TableNames } from './schema';

/** How a {@link WhiplashStore} reaches DynamoDB. */
export interface StoreOptions {
  readonly client: DynamoDBClient;
  readonly tables: TableNames;
}

/** Input of {@link WhiplashStore.createCollection}. */
export interface CreateCollectionInput {
  /** `^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$` */
  readonly name: string;
  /** 1 to 4096 */
  readonly dimension: number;
  /** @default 'cosine' */
  readonly metric?: Metric;
  /** Overrides of the index defaults. */
  readonly index?: Partial<IndexParams>;
  /** Hyperplane seed (uint32). @default random */
  readonly seed?: number;
}

/** An API key's binding to a project. Holds the key's id, never its value. */
export interface ApiKeyBinding {
  readonly apiKeyId: string;
  readonly projectId: string;
  /** ISO 8601 */
  readonly createdAt: string;
}

/**
 * The DynamoDB layout of Whiplash: the only code that calls DynamoDB (WORK IN PROGRESS: signatures
 * are final, bodies land next).
 */
export class WhiplashStore {
  constructor(readonly options: StoreOptions) {}

  createProject(_input: { projectId: string; name?: string }): Promise<Project> { throw new Error('todo'); }
  getProject(_projectId: string): Promise<Project> { throw new Error('todo'); }
  listProjects(): Promise<Project[]> { throw new Error('todo'); }
  deleteProject(_projectId: string): Promise<void> { throw new Error('todo'); }

  bindApiKey(_input: { apiKeyId: string; projectId: string }): Promise<ApiKeyBinding> { throw new Error('todo'); }
  findApiKey(_apiKeyId: string): Promise<ApiKeyBinding | undefined> { throw new Error('todo'); }
  listApiKeys(_projectId: string): Promise<ApiKeyBinding[]> { throw new Error('todo'); }
  unbindApiKey(_apiKeyId: string): Promise<void> { throw new Error('todo'); }

  createCollection(_projectId: string, _input: CreateCollectionInput): Promise<CollectionInfo> { throw new Error('todo'); }
  getCollection(_projectId: string, _name: string): Promise<CollectionInfo> { throw new Error('todo'); }
  listCollections(_projectId: string): Promise<CollectionInfo[]> { throw new Error('todo'); }
  deleteCollection(_projectId: string, _name: string): Promise<void> { throw new Error('todo'); }
  purgeDropped(_opts?: { maxItems?: number }): Promise<{ purged: number; remaining: boolean }> { throw new Error('todo'); }

  upsert(_projectId: string, _name: string, _vectors: readonly VectorInput[]): Promise<{ upserted: number }> { throw new Error('todo'); }
  getVectors(_projectId: string, _name: string, _ids: readonly string[]): Promise<StoredVector[]> { throw new Error('todo'); }
  deleteVectors(_projectId: string, _name: string, _ids: readonly string[]): Promise<{ deleted: number }> { throw new Error('todo'); }
  listIds(_projectId: string, _name: string, _opts?: { limit?: number; cursor?: string }): Promise<IdPage> { throw new Error('todo'); }
  query(_projectId: string, _name: string, _request: QueryRequest): Promise<QueryResult> { throw new Error('todo'); }
}
