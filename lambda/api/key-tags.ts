// The tags every project API key carries on AWS: the store's REST API (which the admin function's IAM conditions check) and the project.

/**
 * Tag key naming the REST API whose store created the key; its value is the REST API id. The
 * admin function's role may create only keys that carry it with its own API's id and delete only
 * keys that do (`aws:RequestTag` / `aws:ResourceTag` conditions, `lib/construct/access.ts`).
 */
export const STORE_TAG_KEY = 'whiplash:restApiId';
/** Tag key naming the project a key belongs to. */
export const PROJECT_TAG_KEY = 'whiplash:project';
/** Every tag key a project key carries; the admin role may set no other. */
export const API_KEY_TAG_KEYS: readonly string[] = [STORE_TAG_KEY, PROJECT_TAG_KEY];

/** The tags of a new key of `projectId` in the store whose REST API is `restApiId`. */
export function apiKeyTags(restApiId: string, projectId: string): Record<string, string> {
  return { [STORE_TAG_KEY]: restApiId, [PROJECT_TAG_KEY]: projectId };
}
