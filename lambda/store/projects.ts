// Projects and the API keys bound to them, in the metadata table.
import { AttributeValue, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
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

  /**
   * `tier` is recorded as given: the caller checks it names one of the store's tiers.
   * @throws ConflictError when the project exists; ValidationError for a bad id or name
   */
  async create(input: { projectId: string; name?: string; tier?: string }): Promise<Project> {
    const projectId = checkProjectId(input.projectId);
    checkProjectName(input.name);
    const project: Project = {
      projectId,
      name: input.name ?? projectId,
      createdAt: new Date().toISOString(),
      ...(input.tier !== undefined ? { tier: input.tier } : {}),
    };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tables.metadata,
          Item: { ...keyItem(projectKey(projectId)), name: S(project.name), createdAt: S(project.createdAt), ...(project.tier !== undefined ? { tier: S(project.tier) } : {}) },
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
    return toProject(projectId, out.Item);
  }

  /**
   * Records the project's usage plan tier (after its keys have moved to the tier's plan).
   * @throws NotFoundError for an unknown project (nothing is written)
   */
  async setTier(projectId: string, tier: string): Promise<Project> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.metadata,
          Key: keyItem(projectKey(projectId)),
          UpdateExpression: 'SET tier = :tier',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':tier': S(tier) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toProject(projectId, out.Attributes!);
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new NotFoundError(`project ${projectId} not found`);
      throw err;
    }
  }

  async list(): Promise<Project[]> {
    const ids = (await queryAll(this.client, this.tables.metadata, PROJECT_REGISTRY)).map((i) => i.sk.S!);
    const found = await batchGetAll(this.client, ids.map((id) => ({ table: this.tables.metadata, key: keyItem(projectKey(id)) })));
    return (found[this.tables.metadata] ?? [])
      .map((i) => toProject(projectIdOf(i.pk.S!), i))
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

/** A project item as a `Project`; `tier` only when one was recorded. */
function toProject(projectId: string, item: Record<string, AttributeValue>): Project {
  return { projectId, name: item.name.S!, createdAt: item.createdAt.S!, ...(item.tier?.S !== undefined ? { tier: item.tier.S } : {}) };
}
