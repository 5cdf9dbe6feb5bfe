import { parseS3Uri } from '../../aws/s3-location.ts';
import { SageMakerError } from './sagemaker-error.ts';

/** SageMaker's receipt for a queued asynchronous request. */
export interface AsyncInvocation {
  /** SageMaker's id for the inference, when it named one (or we chose it). */
  inferenceId?: string;
  /** `s3://…` where SageMaker writes the container's answer. */
  outputLocation: string;
  /** `s3://…` where SageMaker writes a failure, when the endpoint has an `S3FailurePath`. */
  failureLocation?: string;
}

/** The body's string fields, when the body is a JSON object; nothing otherwise (it is not needed when headers came). */
function bodyFields(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter((entry) => typeof entry[1] === 'string'));
}

function isS3Uri(value: string | undefined): value is string {
  if (value === undefined) return false;
  try {
    parseS3Uri(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads InvokeEndpointAsync's 202 (SageMaker Runtime API Reference, InvokeEndpointAsync, "Response Syntax"): the
 * locations come in the `X-Amzn-SageMaker-OutputLocation` and `X-Amzn-SageMaker-FailureLocation` headers and
 * `InferenceId` in the JSON body; a body field or header of the other kind is taken when the usual one is missing. By
 * now SageMaker has queued the job, so an answer without a usable output location is an error whose outcome is unknown,
 * never a parse failure that could be mistaken for a refusal.
 */
export async function readAsyncInvocation(
  response: Response,
  call: { providerId: string; what: string; sentInferenceId?: string },
): Promise<AsyncInvocation> {
  const text = await response.text();
  const body = bodyFields(text);
  const header = (name: string) => response.headers.get(`x-amzn-sagemaker-${name}`) ?? undefined;
  const outputLocation = header('outputlocation') ?? body.OutputLocation;
  if (!isS3Uri(outputLocation)) {
    const found =
      outputLocation === undefined ? 'no output location' : `output location ${JSON.stringify(outputLocation)}`;
    throw new SageMakerError({
      providerId: call.providerId,
      code: 'provider_failed',
      message:
        `${call.what} at provider ${call.providerId} answered ${response.status} (SageMaker queued the job) with ${found} ` +
        `in X-Amzn-SageMaker-OutputLocation or the body (${JSON.stringify(text.slice(0, 120))}); the job may run, but ` +
        'its answer cannot be located from here: look in the endpoint’s S3OutputPath before submitting it again',
      retryable: false,
      neverStarted: false,
      httpStatus: response.status,
      awsErrorType: 'MissingOutputLocation',
    });
  }
  const failureLocation = header('failurelocation') ?? body.FailureLocation;
  return {
    inferenceId: body.InferenceId ?? header('inferenceid') ?? call.sentInferenceId,
    outputLocation,
    failureLocation: isS3Uri(failureLocation) ? failureLocation : undefined,
  };
}
