// The admin function's operations (projects and their tiers, creating, deleting and repairing collections) and the scheduled purge.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ValidationError } from '../../core/errors';
import { PROJECT_ID_PATTERN } from '../../core/limits';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { IndexMethod, MetadataConfiguration, Project } from '../../core/types';
import { ApiDeps, depsFromEnv, lazy, required, REST_API_ID_ENV, tierPlansFromEnv } from '../deps';
import { ApiGatewayKeyIssuer, checkTier } from '../api-keys';
import { ApiHandler, ApiRequest, createApiHandler, Operations } from '../dispatch';
import { jsonResponse } from '../http-errors';
import { logger } from '../logger';
import { presentCollection } from '../present';

/**
 * The admin function: projects (create, list, describe, delete, move to another tier), creating
 * and deleting collections, and the scheduled purge of deleted collections' items.
 */

function issuerOf(req: ApiRequest) {
  if (!req.deps.keyIssuer) throw new Error('the admin function has no key issuer');
  return req.deps.keyIssuer;
}

/** The project with its tier: a project made before tiers is on the default tier. */
function withTier(req: ApiRequest, project: Project): Project {
  const defaultTier = req.deps.keyIssuer?.tiers.defaultTier;
  return project.tier !== undefined || defaultTier === undefined ? project : { ...project, tier: defaultTier };
}

/** The operations of the admin function, each named by the `operationId` of its route (`routes.ts`). */
const operations: Operations<'admin'> = {
  async createProject(req) {
    const { name, projectId: given, tier: asked } = req.body as { name: string; projectId?: string; tier?: string };
    const projectId = given ?? name;
    if (given === undefined && !new RegExp(PROJECT_ID_PATTERN).test(name)) {
      throw new ValidationError('projectId', `is required when name is not a valid project id (${PROJECT_ID_PATTERN})`);
    }
    const { tiers } = issuerOf(req);
    const tier = checkTier(tiers, asked ?? tiers.defaultTier);
    const project = await req.deps.store.createProject({ projectId, name, tier });
    let key;
    try {
      key = await issuerOf(req).issue(projectId, tier);
      await req.deps.store.bindApiKey({ apiKeyId: key.id, projectId });
    } catch (err) {
      // Leave nothing half-made: a project without a key could never be used.
      if (key) await issuerOf(req).revoke(key.id).catch(() => undefined);
      await req.deps.store.deleteProject(projectId).catch(() => undefined);
      throw err;
    }
    req.log.info('project created', { projectId, tier, apiKeyId: key.id });
    return { body: { ...project, apiKey: key.value, apiKeyId: key.id } };
  },

  async listProjects(req) {
    return { body: (await req.deps.store.listProjects()).map((p) => withTier(req, p)) };
  },

  async getProject(req) {
    return { body: withTier(req, await req.deps.store.getProject(req.params.projectId)) };
  },

  /**
   * Moves the project's keys from its tier's usage plan to that of `tier`, then records the tier.
   * A move that fails part way leaves the old tier recorded; sending it again finishes it (moving
   * a key that has moved already is not an error).
   */
  async setProjectTier(req) {
    const { projectId } = req.params;
    const issuer = issuerOf(req);
    const tier = checkTier(issuer.tiers, (req.body as { tier: string }).tier);
    const project = await req.deps.store.getProject(projectId); // 404 when unknown
    // a tier the store no longer has: its plan went with it, so there is nothing to leave but the default's
    const from = project.tier !== undefined && issuer.tiers.names.includes(project.tier) ? project.tier : issuer.tiers.defaultTier;
    for (const binding of await req.deps.store.listApiKeys(projectId)) await issuer.moveKey(binding.apiKeyId, from, tier);
    const moved = await req.deps.store.setProjectTier(projectId, tier);
    req.log.info('project tier set', { projectId, from, tier });
    return { body: moved };
  },

  async deleteProject(req) {
    const { projectId } = req.params;
    const { store } = req.deps;
    await store.getProject(projectId); // 404 when unknown
    for (const binding of await store.listApiKeys(projectId)) {
      await issuerOf(req).revoke(binding.apiKeyId);
      await store.unbindApiKey(binding.apiKeyId);
    }
    await store.deleteProject(projectId);
    return { body: { deleted: projectId } };
  },

  async createCollection(req) {
    const b = req.body as {
      name?: string;
      collection_name?: string;
      n_features?: number;
      dimension?: number;
      metric?: 'cosine' | 'euclidean' | 'dot';
      index?: Record<string, number>;
      indexMethod?: IndexMethod;
      listSize?: number;
      seed?: number;
      metadataConfiguration?: MetadataConfiguration;
    };
    const name = b.name ?? b.collection_name;
    if (name === undefined) throw new ValidationError('name', 'is required (or its alias collection_name)');
    if (b.name !== undefined && b.collection_name !== undefined && b.name !== b.collection_name) {
      throw new ValidationError('collection_name', 'must equal name when both are given');
    }
    const dimension = b.n_features ?? b.dimension;
    if (dimension === undefined) throw new ValidationError('n_features', 'is required (or its alias dimension)');
    if (b.n_features !== undefined && b.dimension !== undefined && b.n_features !== b.dimension) {
      throw new ValidationError('dimension', 'must equal n_features when both are given');
    }
    const info = await req.deps.store.createCollection(req.params.projectId, {
      name,
      dimension,
      metric: b.metric,
      index: b.index,
      indexMethod: b.indexMethod,
      listSize: b.listSize,
      seed: b.seed,
      metadataConfiguration: b.metadataConfiguration,
    });
    return { body: presentCollection(info) };
  },

  async deleteCollection(req) {
    await req.deps.store.deleteCollection(req.params.projectId, req.params.collectionId);
    return { body: { deleted: req.params.collectionId } };
  },

  async repairCollection(req) {
    const report = await req.deps.store.repairCollection(req.params.projectId, req.params.collectionId);
    req.log.info('collection repaired', { projectId: req.params.projectId, collection: req.params.collectionId, ...report });
    return { body: report };
  },
};

/** An EventBridge scheduled event (the purge schedule). */
interface ScheduledEvent {
  readonly source: 'aws.events';
  readonly id?: string;
}

/**
 * Builds the admin handler with the given dependencies (the local server does this; on AWS the
 * exported `handler` builds them from the environment).
 */
export function createAdminHandler(
  deps: ApiDeps | (() => ApiDeps),
): (event: APIGatewayProxyEvent | ScheduledEvent, context?: Context) => Promise<APIGatewayProxyResult> {
  const getDeps = typeof deps === 'function' ? deps : () => deps;
  const api: ApiHandler = createApiHandler('admin', operations, getDeps);
  return async (event, context) => {
    if ((event as ScheduledEvent).source === 'aws.events') {
      const result = await getDeps().store.purgeDropped();
      logger.info('purged dropped collections', { purged: result.purged, remaining: result.remaining });
      return jsonResponse(200, result);
    }
    return api(event as APIGatewayProxyEvent, context);
  };
}

/** Lambda entry point of the admin function. */
export const handler = createAdminHandler(
  lazy(() =>
    depsFromEnv(process.env, (env) => new ApiGatewayKeyIssuer(new APIGatewayClient({}), tierPlansFromEnv(env), required(env, REST_API_ID_ENV))),
  ),
) as (
  event: APIGatewayProxyEvent,
  context?: Context,
) => Promise<APIGatewayProxyResult>;
