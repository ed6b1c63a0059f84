/**
 * Readable API docs rendered on the server from the generated OpenAPI document: no scripts, no CDN,
 * so they work offline and under a strict Content Security Policy.
 */
interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths?: object;
  components?: { schemas?: Record<string, unknown> };
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function renderDocsPage(doc: OpenApiDocument): string {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  const operations = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );
  const schemaName = (schema: unknown) => {
    const ref = (schema as { $ref?: string } | undefined)?.$ref;
    return ref ? ref.split('/').pop() : undefined;
  };
  const sections = operations
    .map(({ path, method, operation }) => {
      const body = schemaName(operation.requestBody?.content?.['application/json']?.schema);
      const responses = Object.entries(operation.responses ?? {})
        .map(
          ([status, response]) =>
            `<li><code>${escapeHtml(status)}</code> ${escapeHtml(response.description ?? '')}</li>`,
        )
        .join('');
      return `<section id="${escapeHtml(`${method}-${path}`)}"><h2><code>${method} ${escapeHtml(path)}</code></h2>
<p><strong>${escapeHtml(operation.summary ?? '')}</strong></p>${operation.description ? `<p>${escapeHtml(operation.description)}</p>` : ''}
${body ? `<p>Request body: <a href="#schema-${escapeHtml(body)}"><code>${escapeHtml(body)}</code></a></p>` : ''}<ul>${responses}</ul></section>`;
    })
    .join('\n');
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, schema]) =>
        `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}</title>
<link rel="stylesheet" href="/docs/style.css"></head>
<body><main><h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
${doc.info.description ? `<p>${escapeHtml(doc.info.description)}</p>` : ''}
<p>The machine-readable document: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).</p>
<nav aria-label="Operations"><ul>${operations
    .map(
      ({ path, method }) =>
        `<li><a href="#${escapeHtml(`${method}-${path}`)}"><code>${method} ${escapeHtml(path)}</code></a></li>`,
    )
    .join('')}</ul></nav>
${sections}
<h2>Schemas</h2>
${schemas}
</main></body></html>`;
}

export const DOCS_CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
main{max-width:960px;margin:0 auto;padding:2rem 1rem}section{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}
pre{overflow:auto;background:#f3f3f3;padding:.75rem;border-radius:6px;font-size:13px}code{font-size:.95em}a{color:#0b57d0}small{color:#555;font-size:.6em}`;
