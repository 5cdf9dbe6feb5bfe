import { type Operation, requestSchema } from './openapi-document.ts';

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

function fieldsTable(operation: Operation): string {
  if (!operation.body) return '';
  const schema = requestSchema(operation.body) as { properties?: Record<string, FieldSchema>; required?: string[] };
  const rows = Object.entries(schema.properties ?? {}).map(
    ([name, field]) =>
      `<tr><td><code>${name}</code>${schema.required?.includes(name) ? ' <b>required</b>' : ''}</td><td>${escapeHtml(
        String(field.type ?? (field.enum ? 'string' : '')),
      )}</td><td>${escapeHtml(constraints(field))}</td><td>${escapeHtml(field.description ?? '')}</td></tr>`,
  );
  // In a scroller of its own, so a phone scrolls the table sideways, not the page.
  return `<div class="table"><table><tr><th>field</th><th>type</th><th>allowed</th><th>description</th></tr>${rows.join('')}</table></div>`;
}

/** The readable API reference at `/docs`: rendered on the server from the same operations as `/openapi.json`. */
export function docsPage(baseUrl: string, operations: readonly Operation[]): string {
  const sections = operations.map(
    (
      operation,
    ) => `<section><h2><span class="m">${operation.method.toUpperCase()}</span> ${escapeHtml(operation.path)}</h2>
<p>${escapeHtml(operation.summary)}</p><p class="auth">${
      operation.auth === 'admin' ? 'Admin secret' : `API key with the <code>${operation.auth}</code> scope`
    }</p>${fieldsTable(operation)}<ul>${Object.entries(operation.responses)
      .map(([status, text]) => `<li><b>${status}</b> ${escapeHtml(text)}</li>`)
      .join('')}</ul></section>`,
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
