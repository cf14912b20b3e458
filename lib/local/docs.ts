// The interactive API docs at `/docs`: Swagger UI served from the `swagger-ui-dist` npm package (no CDN),
// reading `/openapi.json`.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const SWAGGER_DIR: string = (require('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Whiplash API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT_JS = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

/** A static response, or undefined when `pathname` is not a docs path. */
export async function docsAsset(pathname: string): Promise<{ contentType: string; body: Buffer | string } | undefined> {
  if (pathname === '/docs' || pathname === '/docs/') return { contentType: 'text/html; charset=utf-8', body: INDEX_HTML };
  if (pathname === '/docs/init.js') return { contentType: 'text/javascript; charset=utf-8', body: INIT_JS };
  const m = /^\/docs\/([\w.-]+)$/.exec(pathname);
  if (!m || !ASSETS[m[1]]) return undefined;
  return { contentType: ASSETS[m[1]], body: await readFile(path.join(SWAGGER_DIR, m[1])) };
}
