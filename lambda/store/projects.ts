// Projects and the API keys bound to them, in the metadata table.
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../core/errors';
import { checkProjectId, checkProjectName } from '../core/params';
import { Project } from '../core/types';
import { batchGetAll, batchWriteAll, queryAll } from './batch';
import {
  apiKeyKey,
  PROJECT_API_KEY_PREFIX,
  PROJECT_REGISTRY,
  projectApiKeyKey,
  projectIdOf,
  projectKey,
  projectPartition,
  projectRegistryKey,
} from './key-format';
import { ApiKeyBinding, bindingAttributes, keyItem, S, toBinding } from './records';
import { TableNames } from './table-definitions';

export type { ApiKeyBinding };

/** The store's projects and their API key bindings. */
export class ProjectStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
  ) {}

  /** @throws ConflictError when the project exists; ValidationError for a bad id or name */
  async create(input: { projectId: string; name?: string }): Promise<Project> {
    const projectId = checkProjectId(input.projectId);
    checkProjectName(input.name);
    const project: Project = { projectId, name: input.name ?? projectId, createdAt: new Date().toISOString() };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tables.metadata,
          Item: { ...keyItem(projectKey(projectId)), name: S(project.name), createdAt: S(project.createdAt) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new ConflictError(`project ${projectId} exists already`);
      throw err;
    }
    await this.client.send(new PutItemCommand({ TableName: this.tables.metadata, Item: keyItem(projectRegistryKey(projectId)) }));
    return project;
  }

  /** @throws NotFoundError */
  async get(projectId: string): Promise<Project> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tables.metadata, Key: keyItem(projectKey(projectId)), ConsistentRead: true }));
    if (!out.Item) throw new NotFoundError(`project ${projectId} not found`);
    return { projectId, name: out.Item.name.S!, createdAt: out.Item.createdAt.S! };
  }

  async list(): Promise<Project[]> {
    const ids = (await queryAll(this.client, this.tables.metadata, PROJECT_REGISTRY)).map((i) => i.sk.S!);
    const found = await batchGetAll(this.client, ids.map((id) => ({ table: this.tables.metadata, key: keyItem(projectKey(id)) })));
    return (found[this.tables.metadata] ?? [])
      .map((i) => ({ projectId: projectIdOf(i.pk.S!), name: i.name.S!, createdAt: i.createdAt.S! }))
      .sort((a, b) => a.projectId.localeCompare(b.projectId));
  }

  /** Deletes the project's own items (its collections and keys are the caller's to remove first). */
  async deleteItems(projectId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tables.metadata, Key: keyItem(projectKey(projectId)) }));
    await this.client.send(new DeleteItemCommand({ TableName: this.tables.metadata, Key: keyItem(projectRegistryKey(projectId)) }));
  }

  /** Binds an API key (by id) to a project. @throws NotFoundError for an unknown project */
  async bindApiKey(input: { apiKeyId: string; projectId: string }): Promise<ApiKeyBinding> {
    await this.get(input.projectId);
    const binding: ApiKeyBinding = { ...input, createdAt: new Date().toISOString() };
    const attrs = bindingAttributes(binding);
    await batchWriteAll(this.client, [
      { table: this.tables.metadata, request: { PutRequest: { Item: { ...keyItem(apiKeyKey(input.apiKeyId)), ...attrs } } } },
      { table: this.tables.metadata, request: { PutRequest: { Item: { ...keyItem(projectApiKeyKey(input.projectId, input.apiKeyId)), ...attrs } } } },
    ]);
    return binding;
  }

  /** The project an API key is bound to, if any. */
  async findApiKey(apiKeyId: string): Promise<ApiKeyBinding | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tables.metadata, Key: keyItem(apiKeyKey(apiKeyId)) }));
    return out.Item ? toBinding(out.Item) : undefined;
  }

  async listApiKeys(projectId: string): Promise<ApiKeyBinding[]> {
    return (await queryAll(this.client, this.tables.metadata, projectPartition(projectId), PROJECT_API_KEY_PREFIX)).map(toBinding);
  }

  async unbindApiKey(apiKeyId: string): Promise<void> {
    const binding = await this.findApiKey(apiKeyId);
    if (!binding) return;
    await batchWriteAll(this.client, [
      { table: this.tables.metadata, request: { DeleteRequest: { Key: keyItem(apiKeyKey(apiKeyId)) } } },
      { table: this.tables.metadata, request: { DeleteRequest: { Key: keyItem(projectApiKeyKey(binding.projectId, apiKeyId)) } } },
    ]);
  }
}
