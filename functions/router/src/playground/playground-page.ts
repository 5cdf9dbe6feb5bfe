import { GENERATION_LIMITS, INPUT_IMAGE_CONTENT_TYPES } from '@stipple/jobs';
import { DEFAULT_IMAGE_STRENGTH, DEFAULT_INPAINT_STRENGTH } from '../jobs/job-request-schema.ts';

const options = (values: readonly string[]) => values.map((value) => `<option>${value}</option>`).join('');

/**
 * The playground at `/`: a form over `POST /v1/jobs` (an image to start from, uploaded through `POST /v1/uploads`, and
 * a mask painted over it), live progress and previews from the job's event stream, the images with their seeds and
 * records, the key's recent jobs. Static HTML; the behaviour is `/playground.js`, the look
 * `/playground.css`, so the Content-Security-Policy can forbid inline scripts and styles.
 */
export function playgroundPage(schedulers: readonly string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stipple playground</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/playground.css">
<script type="module" src="/playground.js"></script>
</head>
<body>
<header>
  <h1>Stipple playground</h1>
  <span id="credits"></span>
  <nav><a href="/docs">API reference</a> · <a href="/openapi.json">OpenAPI</a></nav>
</header>
<main>
  <form id="generate-form">
    <label>API key
      <input id="api-key" type="password" autocomplete="off" spellcheck="false" placeholder="sk_test_…" required>
    </label>
    <label class="check"><input id="remember-key" type="checkbox"> Remember the key in this browser</label>
    <label>Prompt
      <textarea id="prompt" rows="3" maxlength="2000" required placeholder="a red circle on a blue background"></textarea>
    </label>
    <label>Negative prompt
      <textarea id="negative-prompt" rows="2" maxlength="2000" placeholder="optional"></textarea>
    </label>
    <label>Model <select id="model"></select></label>
    <div class="row">
      <label>Size <select id="size"></select></label>
      <label>Images <input id="n" type="number" min="1" max="8" value="1" required></label>
    </div>
    <div class="row">
      <label>Steps <input id="steps" type="number" min="1" max="150" placeholder="default"></label>
      <label>Guidance <input id="guidance" type="number" min="0" max="50" step="0.5" placeholder="default"></label>
      <label>Seed <input id="seed" type="number" min="0" placeholder="random"></label>
    </div>
    <label>Scheduler <select id="scheduler"><option value="">model's own</option>${options(schedulers)}</select></label>
    <fieldset id="edit">
      <legend>Start from an image <small>(optional)</small></legend>
      <div id="drop-zone">
        <label>Image: PNG, JPEG or WebP, up to 20 MiB; or drop one here
          <input id="image-file" type="file" accept="${INPUT_IMAGE_CONTENT_TYPES.join(',')}">
        </label>
      </div>
      <div id="image-editor" hidden>
        <div id="mask-stage">
          <img id="image-preview" alt="The image to start from">
          <canvas id="mask-canvas" width="1" height="1" aria-label="Mask over the image: paint where it is repainted" aria-describedby="edit-mode"></canvas>
        </div>
        <p id="edit-mode" class="hint"></p>
        <div class="row">
          <label>Brush <input id="brush-size" type="range" min="2" max="80" value="24"></label>
          <label>Strength <output id="strength-value" for="strength"></output>
            <input id="strength" type="range" min="${GENERATION_LIMITS.strength.min}" max="${GENERATION_LIMITS.strength.max}" step="0.05"
              value="${DEFAULT_IMAGE_STRENGTH}" data-image-default="${DEFAULT_IMAGE_STRENGTH}" data-inpaint-default="${DEFAULT_INPAINT_STRENGTH}">
          </label>
        </div>
        <div class="actions">
          <button id="clear-mask" type="button" class="secondary small">Clear mask</button>
          <button id="invert-mask" type="button" class="secondary small">Invert mask</button>
          <button id="remove-image" type="button" class="secondary small">Remove image</button>
        </div>
      </div>
    </fieldset>
    <div class="actions">
      <button id="generate" type="submit">Generate</button>
      <button id="copy-curl" type="button" class="secondary">Copy as curl</button>
    </div>
    <p id="status" role="status" aria-live="polite"></p>
  </form>
  <section id="result" aria-label="Result" hidden>
    <div id="progress-box" hidden>
      <progress id="progress" max="1" value="0"></progress>
      <span id="progress-text"></span>
    </div>
    <div id="previews"></div>
    <div id="images"></div>
  </section>
  <section id="jobs-section">
    <h2>Recent jobs <button id="refresh-jobs" type="button" class="secondary small">Refresh</button></h2>
    <ul id="jobs"></ul>
  </section>
</main>
</body>
</html>`;
}
