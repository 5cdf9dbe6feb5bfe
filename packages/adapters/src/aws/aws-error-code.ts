/** An AWS error answer as read from the wire: its code, its message and the parsed JSON body. */
export interface AwsJsonError {
  /** The error's shape name without namespace or URI (`UnrecognizedClientException`); `HTTP<status>` when none. */
  code: string;
  /** The service's message (`message` or `Message`); empty when none. */
  message: string;
  /** The parsed body; `{}` when empty or not a JSON object. */
  body: Record<string, unknown>;
}

/** Where an AWS JSON protocol names the error, in the order the SDK looks. */
export type AwsJsonProtocol = 'rest-json' | 'json-1.1';

/**
 * The error code without its decorations, as the SDK cleans it (`@smithy/core` protocols, `sanitizeErrorCode`): the part
 * before `,` and `:` (`ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/`), after `#`
 * (`com.amazon.coral.service#ExpiredTokenException`).
 */
export function sanitizeErrorCode(raw: string): string {
  const bare = raw.split(',')[0].split(':')[0];
  return bare.includes('#') ? (bare.split('#')[1] ?? bare) : bare;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    // Not JSON: an answer from something in front of AWS (a proxy's page); the code falls back to the status.
    return {};
  }
}

function bodyField(body: Record<string, unknown>, name: string): string | undefined {
  const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : body[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads an AWS JSON error answer. REST-JSON (SageMaker Runtime) names the error in the `X-Amzn-ErrorType` header, then
 * the body's `code`, then `__type`; JSON 1.1 (the SageMaker control plane) in `__type` first (`@smithy/core` protocols,
 * `loadRestJsonErrorCode` and `loadJsonRpcErrorCode`; Smithy "AWS restJson1 protocol", "Operation error serialization").
 */
export async function readAwsJsonError(response: Response, protocol: AwsJsonProtocol): Promise<AwsJsonError> {
  const text = await response.text();
  const body = parseObject(text);
  const header = response.headers.get('x-amzn-errortype') ?? undefined;
  const code = bodyField(body, 'code');
  const type = typeof body.__type === 'string' ? body.__type : undefined;
  const raw = protocol === 'rest-json' ? (header ?? code ?? type) : (type ?? code ?? header);
  const message = bodyField(body, 'message') ?? (Object.keys(body).length === 0 ? text.slice(0, 200) : '');
  return { code: raw ? sanitizeErrorCode(raw) : `HTTP${response.status}`, message, body };
}
