import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../http/app-context.ts';
import { idempotent } from '../http/idempotency.ts';
import { parseBody } from '../http/parse-body.ts';
import { parseForm } from '../http/parse-form.ts';
import { waitForJob } from '../jobs/create-job.ts';
import type { JobRecord } from '../jobs/job-record.ts';
import { createStorage } from '../jobs/job-services.ts';
import { findModel } from '../jobs/model-catalogue.ts';
import { imageEditSchema, imageVariationSchema } from '../openai/image-form-schemas.ts';
import { imageGenerationSchema } from '../openai/image-generation-schema.ts';
import {
  imageEditJobRequest,
  imageJobRequest,
  imageVariationJobRequest,
  VARIATION_STRENGTH,
} from '../openai/image-job-request.ts';
import { imagesResponse } from '../openai/images-response.ts';
import { modelObject } from '../openai/model-object.ts';
import { openAiMaskToWhiteRepaint } from '../openai/openai-mask.ts';
import { syncWaitSeconds } from '../openai/sync-wait-seconds.ts';
import { unfinishedGenerationError } from '../openai/unfinished-generation-error.ts';
import { apiKeyAuth, formBody, jsonBody, responses } from '../openapi/operation-parts.ts';
import { readRouterConfig } from '../router-config.ts';
import { createJobOnce } from './create-job-once.ts';

const imageGenerationRoute = createRoute({
  method: 'post',
  path: '/images/generations',
  summary:
    "OpenAI's image generation (OpenAI's SDKs work unchanged) plus `negative_prompt`, `steps`, `guidance`, `scheduler`, `seed`. A generation still running at the sync limit answers 504 `generation_pending` with `job_id`.",
  ...apiKeyAuth('generate', idempotent()),
  request: { body: jsonBody(imageGenerationSchema) },
  responses: responses({ 200: '`{ created, data: [{ url } | { b64_json }] }`', 402: 'Not enough credits' }),
});

const imageEditRoute = createRoute({
  method: 'post',
  path: '/images/edits',
  summary:
    "OpenAI's image edit (multipart): the mask's transparent pixels are repainted (inpainting); without a mask the image is redrawn (image-to-image, `strength`). Stipple's extensions as for generations, plus `strength`, `mask_blur`, `preserve_unmasked`.",
  ...apiKeyAuth('generate', idempotent()),
  request: { body: formBody(imageEditSchema) },
  responses: responses({ 200: '`{ created, data: [{ url } | { b64_json }] }`', 402: 'Not enough credits' }),
});

const imageVariationRoute = createRoute({
  method: 'post',
  path: '/images/variations',
  summary: `OpenAI's image variation (multipart): image-to-image at strength ${VARIATION_STRENGTH} with an empty prompt unless \`strength\` or \`prompt\` say otherwise.`,
  ...apiKeyAuth('generate', idempotent()),
  request: { body: formBody(imageVariationSchema) },
  responses: responses({ 200: '`{ created, data: [{ url } | { b64_json }] }`', 402: 'Not enough credits' }),
});

const listModelsRoute = createRoute({
  method: 'get',
  path: '/models',
  summary: "The models offered, in OpenAI's list shape, each with the sizes it draws (`WIDTHxHEIGHT`, its own first).",
  ...apiKeyAuth('read'),
  responses: responses({ 200: '`{ object: "list", data: [{ id, object: "model", created, owned_by, sizes }] }`' }),
});

const getModelRoute = createRoute({
  method: 'get',
  // `{.+}`: model ids may hold slashes (`org/model`); the document writes the path `/models/{id}`.
  path: '/models/{id{.+}}',
  summary: 'One model offered (ids may hold slashes, `org/model`).',
  ...apiKeyAuth('read'),
  request: { params: z.object({ id: z.string().meta({ description: 'A model id from GET /v1/models.' }) }) },
  responses: responses({
    200: '`{ id, object: "model", created, owned_by, sizes }`',
    404: 'The model is not offered; the message lists those that are',
  }),
});

/**
 * The images of a job just created, as OpenAI answers: waited for up to the sync limit, then a URL or base64 each; a
 * job still running or ended badly answers `unfinishedGenerationError`'s 504 or 502.
 */
async function imagesAnswer(c: Context<AppContext>, created: JobRecord, format: 'url' | 'b64_json') {
  const current = await waitForJob(c.env, created, syncWaitSeconds(c.env));
  if (current.status !== 'succeeded') throw unfinishedGenerationError(current);
  return c.json(await imagesResponse(current, createStorage(c.env), format));
}

/** A form file's bytes (zod types its files with a minimal `File` of its own; the value is the platform's). */
const bytesOf = async (file: unknown) => new Uint8Array(await (file as Blob).arrayBuffer());

/** OpenAI's image generation and model endpoints, under `/v1`, for OpenAI's SDKs pointed at Stipple's base URL. */
export const openaiRoutes = new OpenAPIHono<AppContext>()
  .openapi(imageGenerationRoute, async (c) => {
    const request = await parseBody(c, imageGenerationSchema);
    const created = await createJobOnce(c, imageJobRequest(request), 'size');
    return imagesAnswer(c, created, request.response_format);
  })
  .openapi(imageEditRoute, async (c) => {
    const request = await parseForm(c, imageEditSchema);
    // OpenAI's mask (transparent = repaint) becomes the engine's (white = repaint) before it is stored.
    const mask = request.mask === undefined ? undefined : openAiMaskToWhiteRepaint(await bytesOf(request.mask));
    const job = imageEditJobRequest(request, await bytesOf(request.image), mask);
    return imagesAnswer(c, await createJobOnce(c, job, 'size'), request.response_format);
  })
  .openapi(imageVariationRoute, async (c) => {
    const request = await parseForm(c, imageVariationSchema);
    const job = imageVariationJobRequest(request, await bytesOf(request.image));
    return imagesAnswer(c, await createJobOnce(c, job, 'size'), request.response_format);
  })
  .openapi(listModelsRoute, (c) => c.json({ object: 'list', data: readRouterConfig(c.env).models.map(modelObject) }))
  .openapi(getModelRoute, (c) => c.json(modelObject(findModel(readRouterConfig(c.env).models, c.req.param('id')))));
