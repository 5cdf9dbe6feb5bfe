/**
 * Names people bring from other image APIs (diffusers' pipeline arguments, AUTOMATIC1111's /sdapi/v1/txt2img,
 * Replicate's Stable Diffusion models, Stability's API, OpenAI's images API), each with the Stipple field(s) it means.
 */
const FOREIGN_FIELDS: Record<string, readonly string[]> = {
  size: ['width', 'height'],
  image_size: ['width', 'height'],
  resolution: ['width', 'height'],
  aspect_ratio: ['width', 'height'],
  width: ['size'],
  height: ['size'],
  num_inference_steps: ['steps'],
  num_steps: ['steps'],
  sampling_steps: ['steps'],
  ddim_steps: ['steps'],
  inference_steps: ['steps'],
  guidance_scale: ['guidance'],
  cfg_scale: ['guidance'],
  cfg: ['guidance'],
  scale: ['guidance'],
  negative: ['negative_prompt'],
  negative_prompts: ['negative_prompt'],
  negativePrompt: ['negative_prompt'],
  neg_prompt: ['negative_prompt'],
  sampler: ['scheduler'],
  sampler_name: ['scheduler'],
  sampler_index: ['scheduler'],
  num_outputs: ['n'],
  num_images: ['n'],
  num_images_per_prompt: ['n'],
  batch_size: ['n'],
  n_iter: ['n'],
  samples: ['n'],
  output_type: ['output_format'],
  format: ['output_format'],
  image_format: ['output_format'],
  webhook_url: ['webhook'],
  callback_url: ['webhook'],
  webhook_events: ['webhook_events_filter'],
  timeout: ['timeout_seconds'],
  text_prompts: ['prompt'],
  input: ['prompt'],
};

/**
 * What to send instead of an unknown `field`, among the fields the endpoint takes (`known`): e.g. `; use width and
 * height` for `size` on POST /v1/jobs. Empty when there is nothing to suggest.
 */
export function unknownFieldHint(field: string, known: readonly string[]): string {
  const fields = (FOREIGN_FIELDS[field] ?? []).filter((name) => known.includes(name));
  if (fields.length === 0) return '';
  if (fields.includes('width')) return '; use width and height, in pixels';
  if (fields.includes('size')) return '; use size, "WIDTHxHEIGHT"';
  return `; Stipple calls it ${fields.join(' and ')}`;
}
