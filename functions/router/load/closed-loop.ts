import { Agent, fetch, type RequestInit } from 'undici';

/**
 * The load's connections to the router. Idle ones are dropped after a second: workerd closes a connection idle for
 * 5 s, and this process (clients, stand-in and store on two busy cores) runs its timers late, so with undici's
 * default 4 s it reused connections workerd had just closed, and a few requests a run got `ECONNRESET` without
 * reaching the router (its log showed none of them). A client problem, not the router's, so the client is fixed.
 */
const connections = new Agent({ keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000 });

/** One answered request of a load run: its HTTP status, the error code of a refusal, and how long it took. */
export interface Sample {
  status: number;
  /** `error.code` of an error answer. */
  code?: string;
  /** `error.message` of an error answer. */
  message?: string;
  /** The created job's id and price in credits, for a 2xx `POST /v1/jobs`. */
  jobId?: string;
  credits?: number;
  ms: number;
}

/** Whether a sample is a created job's answer (2xx). */
export const isCreated = (sample: Sample): boolean => sample.status >= 200 && sample.status < 300;

/** A run's samples, `samples[i]` request `i`'s, and its wall time, ms. */
export interface Run {
  samples: Sample[];
  wallMs: number;
}

/** Sends one request and reads its answer whole: a `Sample`. */
export async function send(url: string, init: RequestInit): Promise<Sample> {
  const start = performance.now();
  const response = await fetch(url, { ...init, dispatcher: connections });
  const text = await response.text();
  const ms = performance.now() - start;
  let body: { id?: string; usage?: { credits?: number }; error?: { code?: string; message?: string } } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's or runtime's error page): the status says what there is to say.
  }
  return {
    status: response.status,
    ms,
    ...(body.error && { code: body.error.code, message: body.error.message }),
    ...(response.ok && typeof body.id === 'string' && { jobId: body.id, credits: body.usage?.credits }),
  };
}

/**
 * `count` requests from `concurrency` closed-loop clients (each sends its next once the last is answered): request
 * `i` is `request(i)`. A request that fails to get any answer (a reset connection) counts as status 0.
 */
export async function closedLoop(
  count: number,
  concurrency: number,
  request: (index: number) => Promise<Sample>,
): Promise<Run> {
  const samples: Sample[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        const sent = performance.now();
        samples[index] = await request(index).catch((error: Error) => ({
          status: 0,
          code: 'no_answer',
          message: error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message,
          ms: performance.now() - sent,
        }));
      }
    }),
  );
  return { samples, wallMs: performance.now() - start };
}
