import type { OpenApiDocument } from './openapi-document.ts';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`).replace(/`([^`]+)`/g, '<code>$1</code>');

interface FieldSchema {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  description?: string;
}

function constraints(field: FieldSchema): string {
  const parts: string[] = [];
  if (field.enum) parts.push(`one of ${field.enum.join(', ')}`);
  if (field.minimum !== undefined || field.maximum !== undefined)
    parts.push(`${field.minimum ?? ''}–${field.maximum ?? ''}`);
  if (field.multipleOf !== undefined) parts.push(`multiple of ${field.multipleOf}`);
  if (field.maxLength !== undefined) parts.push(`≤ ${field.maxLength} characters`);
  if (field.default !== undefined) parts.push(`default ${JSON.stringify(field.default)}`);
  return parts.join('; ');
}

/** What the page reads of one operation in the document. */
interface DocumentedOperation {
  summary?: string;
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema?: BodySchema }> };
  responses: Record<string, { description: string }>;
}

interface BodySchema {
  properties?: Record<string, FieldSchema>;
  required?: string[];
}

function fieldsTable(operation: DocumentedOperation): string {
  const content = operation.requestBody?.content;
  const schema = (content?.['application/json'] ?? content?.['multipart/form-data'])?.schema;
  if (!schema) return '';
  const rows = Object.entries(schema.properties ?? {}).map(
    ([name, field]) =>
      `<tr><td><code>${name}</code>${schema.required?.includes(name) ? ' <b>required</b>' : ''}</td><td>${escapeHtml(
        String(field.type ?? (field.enum ? 'string' : '')),
      )}</td><td>${escapeHtml(constraints(field))}</td><td>${escapeHtml(field.description ?? '')}</td></tr>`,
  );
  // In a scroller of its own, so a phone scrolls the table sideways, not the page.
  return `<div class="table"><table><tr><th>field</th><th>type</th><th>allowed</th><th>description</th></tr>${rows.join('')}</table></div>`;
}

/** Who may call an operation, from its security requirement: the admin secret, or an API key's scope. */
function authLine(operation: DocumentedOperation): string {
  const [requirement] = operation.security ?? [];
  if (requirement?.adminSecret) return 'Admin secret';
  const scopes = (requirement?.apiKey ?? []).map((scope) => `<code>${escapeHtml(scope)}</code>`).join(', ');
  return `API key with the ${scopes} scope`;
}

function section(method: string, path: string, operation: DocumentedOperation): string {
  const responses = Object.entries(operation.responses)
    .map(([status, response]) => `<li><b>${status}</b> ${escapeHtml(response.description)}</li>`)
    .join('');
  return `<section><h2><span class="m">${method.toUpperCase()}</span> ${escapeHtml(path)}</h2>
<p>${escapeHtml(operation.summary ?? '')}</p><p class="auth">${authLine(operation)}</p>${fieldsTable(operation)}<ul>${responses}</ul></section>`;
}

/** The readable API reference at `/docs`: rendered on the server from the `/openapi.json` document itself. */
export function docsPage(baseUrl: string, document: OpenApiDocument): string {
  const sections = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, DocumentedOperation>).map(([method, operation]) =>
      section(method, path, operation),
    ),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stipple API</title><link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;overflow-wrap:break-word}
code{background:#f3f3f3;padding:0 .2em}pre{overflow-x:auto;background:#f3f3f3;padding:.5em}pre code{padding:0}
.table{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:14px}td,th{border-bottom:1px solid #ddd;padding:.3em;text-align:left;vertical-align:top}
li code{overflow-wrap:anywhere}
.m{background:#222;color:#fff;padding:0 .4em;border-radius:3px;font-size:.8em}.auth{color:#555}</style></head><body>
<h1>Stipple API</h1><p>Authenticate with <code>Authorization: Bearer sk_live_…</code>. Errors use OpenAI's envelope
<code>{"error":{"message","type","param","code"}}</code>. Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
<pre><code>curl ${escapeHtml(baseUrl)}/v1/jobs -H "Authorization: Bearer $STIPPLE_KEY" -H "Content-Type: application/json" \\
  -H "Prefer: wait=30" -d '{"prompt":"a red circle on a blue background"}'</code></pre>
${sections.join('\n')}</body></html>`;
}
