import { Hono } from 'hono';
import { requireKey } from '../auth/require-key.ts';
import type { AppContext } from '../http/app-context.ts';
import { idempotent } from '../http/idempotency.ts';
import { parseBody } from '../http/parse-body.ts';
import { waitForJob } from '../jobs/create-job.ts';
import { createStorage } from '../jobs/job-services.ts';
import { findModel } from '../jobs/model-catalogue.ts';
import { imageGenerationSchema } from '../openai/image-generation-schema.ts';
import { imageJobRequest } from '../openai/image-job-request.ts';
import { imagesResponse } from '../openai/images-response.ts';
import { modelObject } from '../openai/model-object.ts';
import { syncWaitSeconds } from '../openai/sync-wait-seconds.ts';
import { unfinishedGenerationError } from '../openai/unfinished-generation-error.ts';
import { readRouterConfig } from '../router-config.ts';
import { createJobOnce } from './create-job-once.ts';

/** OpenAI's image generation and model endpoints, under `/v1`, for OpenAI's SDKs pointed at Stipple's base URL. */
export const openaiRoutes = new Hono<AppContext>()
  .post('/images/generations', requireKey('generate'), idempotent(), async (c) => {
    const request = await parseBody(c, imageGenerationSchema);
    const created = await createJobOnce(c, imageJobRequest(request), 'size');
    const current = await waitForJob(c.env, created, syncWaitSeconds(c.env));
    if (current.status !== 'succeeded') throw unfinishedGenerationError(current);
    return c.json(await imagesResponse(current, createStorage(c.env), request.response_format));
  })
  .get('/models', requireKey('read'), (c) =>
    c.json({ object: 'list', data: readRouterConfig(c.env).models.map(modelObject) }),
  )
  // `{.+}`: model ids may hold slashes (`org/model`).
  .get('/models/:id{.+}', requireKey('read'), (c) =>
    c.json(modelObject(findModel(readRouterConfig(c.env).models, c.req.param('id')))),
  );
