import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppContext } from '../http/app-context.ts';
import { parseBody } from '../http/parse-body.ts';
import { UPLOAD_URL_TTL_SECONDS } from '../inputs/input-image-limits.ts';
import { inputLocation } from '../inputs/input-location.ts';
import { newUploadId } from '../inputs/upload-id.ts';
import { uploadRequestSchema } from '../inputs/upload-request-schema.ts';
import { createStorage } from '../jobs/job-services.ts';
import { apiKeyAuth, jsonBody, responses } from '../openapi/operation-parts.ts';

const createUploadRoute = createRoute({
  method: 'post',
  path: '/',
  summary: `An upload URL for an input image (PNG, JPEG, WebP, ≤ 20 MiB): PUT the file to \`upload_url\` with \`headers\` within ${UPLOAD_URL_TTL_SECONDS / 60} minutes, then pass \`id\` as a job's \`image\` or \`mask\`.`,
  ...apiKeyAuth('generate'),
  request: { body: jsonBody(uploadRequestSchema) },
  responses: responses({ 201: '`{ id, object: "upload", upload_url, method: "PUT", headers, expires_at }`' }),
});

/**
 * `POST /v1/uploads`: a presigned S3 PUT straight to the bucket (a phone uploads without the image passing through the
 * router), under the caller's tenant (`inputs/{tenant}/{id}`), whose signature pins the type and the size. Nothing is
 * stored until the PUT; a job naming the id reads the object back and checks it (inputs/resolve-input-images.ts).
 */
export const uploadRoutes = new OpenAPIHono<AppContext>().openapi(createUploadRoute, async (c) => {
  const request = await parseBody(c, uploadRequestSchema);
  const id = newUploadId();
  const expiresAt = new Date(Date.now() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString();
  const uploadUrl = await createStorage(c.env).presignPut(inputLocation(c.env, c.get('caller').tenantId, id), {
    contentType: request.content_type,
    contentLength: request.size_bytes,
    expiresInSeconds: UPLOAD_URL_TTL_SECONDS,
  });
  return c.json(
    {
      id,
      object: 'upload',
      upload_url: uploadUrl,
      method: 'PUT',
      headers: { 'content-type': request.content_type, 'content-length': String(request.size_bytes) },
      expires_at: expiresAt,
    },
    201,
  );
});
