import type { JobRequestBody } from '../src/jobs/job-request-schema.ts';
import { inputElement, selectElement, showStatus, textAreaElement } from './page-elements.ts';
import { pickedImage } from './picked-image.ts';

type NumberField = 'steps' | 'guidance' | 'seed';
const NUMBER_FIELDS: readonly NumberField[] = ['steps', 'guidance', 'seed'];

/** The job request the form describes; empty fields are left out, so the model's defaults apply. */
export function jobRequest(): JobRequestBody {
  const request: JobRequestBody = { prompt: textAreaElement('prompt').value, n: Number(inputElement('n').value) || 1 };
  const negative = textAreaElement('negative-prompt').value;
  if (negative) request.negative_prompt = negative;
  if (selectElement('model').value) request.model = selectElement('model').value;
  if (selectElement('size').value) {
    const [width, height] = selectElement('size').value.split('x').map(Number);
    request.width = width;
    request.height = height;
  }
  for (const field of NUMBER_FIELDS) {
    if (inputElement(field).value !== '') request[field] = Number(inputElement(field).value);
  }
  // The menu offers only the schedulers the router accepts (playground-page.ts).
  if (selectElement('scheduler').value)
    request.scheduler = selectElement('scheduler').value as JobRequestBody['scheduler'];
  return request;
}

/** The form as a curl command; the key stays out of it ($STIPPLE_API_KEY), so it can be pasted anywhere. */
function curlCommand(): string {
  const body = JSON.stringify(jobRequest()).replace(/'/g, "'\\''");
  return (
    `curl ${location.origin}/v1/jobs \\\n` +
    '  -H "Authorization: Bearer $STIPPLE_API_KEY" -H "Content-Type: application/json" -H "Prefer: wait=60" \\\n' +
    `  -d '${body}'`
  );
}

export async function copyCurl(): Promise<void> {
  const command = curlCommand();
  try {
    await navigator.clipboard.writeText(command);
    // The picked image is a file here, not yet an upload id the command could name.
    const image = pickedImage() ? ', and add "image" (an upload id: docs/router.md, "Uploads")' : '';
    showStatus(`Copied; set STIPPLE_API_KEY${image} before running it.`);
  } catch {
    showStatus(command);
  }
}
