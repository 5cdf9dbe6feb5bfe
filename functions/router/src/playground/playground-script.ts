/**
 * The playground's behaviour, plain browser JavaScript served as `/playground.js` (no build step). It talks to the
 * public API with the key in the form, as any client would: `POST /v1/jobs` with `preview_every`, then the job's
 * event stream (`GET /v1/jobs/:id/events`), read with fetch and a stream reader because EventSource cannot send the
 * Authorization header.
 */
export const PLAYGROUND_SCRIPT = String.raw`
const KEY_STORAGE = 'stipple.apiKey';
const TERMINAL_EVENTS = ['succeeded', 'failed', 'canceled', 'aborted', 'timed_out'];
const $ = (id) => document.getElementById(id);
/** The models /v1/models lists, by id: the size menu offers the sizes the chosen one draws. */
let models = new Map();

/**
 * The key in the form, kept for this tab only (sessionStorage), or in this browser (localStorage) when the user ticks
 * "Remember"; unticking forgets it there.
 */
function storeKey() {
  const key = $('api-key').value.trim();
  sessionStorage.setItem(KEY_STORAGE, key);
  if ($('remember-key').checked) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

function restoreKey() {
  $('remember-key').checked = localStorage.getItem(KEY_STORAGE) !== null;
  $('api-key').value = sessionStorage.getItem(KEY_STORAGE) || localStorage.getItem(KEY_STORAGE) || '';
}

/**
 * A key handed over as #key=… (npm start prints such a link) replaces the stored one, then leaves the address bar;
 * also when the link is opened in a tab already showing the playground (only the hash changes: no reload).
 */
function takeKeyFromLink() {
  const match = /[#&]key=([^&]+)/.exec(location.hash);
  if (!match) return false;
  $('api-key').value = decodeURIComponent(match[1]);
  storeKey();
  history.replaceState(null, '', location.pathname + location.search);
  return true;
}

function showStatus(text, isError) {
  $('status').textContent = text;
  $('status').classList.toggle('error', Boolean(isError));
}

/** A call to the API with the form's key; an error answer throws with the API's own message. */
async function api(path, init) {
  const headers = { authorization: 'Bearer ' + $('api-key').value.trim() };
  if (init && init.body) headers['content-type'] = 'application/json';
  const response = await fetch(path, Object.assign({}, init, { headers }));
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error((body.error && body.error.message) || 'the API answered ' + response.status);
  }
  return response;
}

/** The job request the form describes; empty fields are left out, so the model's defaults apply. */
function jobRequest() {
  const request = { prompt: $('prompt').value, n: Number($('n').value) || 1 };
  const negative = $('negative-prompt').value;
  if (negative) request.negative_prompt = negative;
  if ($('model').value) request.model = $('model').value;
  if ($('size').value) {
    const [width, height] = $('size').value.split('x').map(Number);
    request.width = width;
    request.height = height;
  }
  for (const [field, id] of [['steps', 'steps'], ['guidance', 'guidance'], ['seed', 'seed']]) {
    if ($(id).value !== '') request[field] = Number($(id).value);
  }
  if ($('scheduler').value) request.scheduler = $('scheduler').value;
  return request;
}

/** Server-Sent Events from a fetch response: calls onEvent({ event, data }) for each, until the stream ends. */
async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = text;
        if (field === 'data') event.data += (event.data ? '\n' : '') + text;
      }
      onEvent(event);
      end = buffer.indexOf('\n\n');
    }
  }
}

/** The sizes the chosen model draws (its own first, so selected), as /v1/models lists them. */
function showSizes() {
  const model = models.get($('model').value);
  $('size').replaceChildren(...(model ? model.sizes : []).map((size) => new Option(size)));
}

function showProgress(step, totalSteps, etaMs) {
  $('progress-box').hidden = false;
  $('progress').max = totalSteps;
  $('progress').value = step;
  $('progress').dataset.events = String(Number($('progress').dataset.events || 0) + 1);
  const eta = etaMs > 0 ? ' · about ' + (etaMs / 1000).toFixed(1) + ' s left' : '';
  $('progress-text').textContent = 'step ' + step + ' / ' + totalSteps + eta;
}

function showPreviews(preview) {
  $('previews').dataset.events = String(Number($('previews').dataset.events || 0) + 1);
  $('previews').replaceChildren(
    ...preview.images.map((source) => Object.assign(document.createElement('img'), { src: source, alt: 'preview' })),
  );
}

/** A finished job: its images with their seeds, its reproducibility records, or what went wrong. */
function showJob(job) {
  $('result').hidden = false;
  $('previews').replaceChildren();
  const figures = job.outputs.map((output, index) => {
    const figure = document.createElement('figure');
    const image = Object.assign(document.createElement('img'), { src: output.url, alt: 'image ' + (index + 1) });
    const caption = document.createElement('figcaption');
    const link = Object.assign(document.createElement('a'), { href: output.url, target: '_blank', rel: 'noopener' });
    link.textContent = 'open';
    caption.append(Object.assign(document.createElement('span'), { textContent: 'seed ' + output.seed }), link);
    figure.append(image, caption);
    return figure;
  });
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'Reproducibility record' + (job.records.length === 1 ? '' : 's') + ' · ' + job.id;
  const record = document.createElement('pre');
  record.textContent = JSON.stringify(job.records.length === 1 ? job.records[0] : job.records, null, 2);
  details.append(summary, record);
  $('images').replaceChildren(...figures, details);
  if (job.status === 'succeeded') {
    showStatus('Done: ' + job.outputs.length + ' image' + (job.outputs.length === 1 ? '' : 's') + ', ' +
      job.usage.credits + ' credit' + (job.usage.credits === 1 ? '' : 's') + '.');
  } else {
    showStatus('The job ended ' + job.status + (job.error ? ': ' + job.error.message : '') + '.', true);
  }
}

async function generate(submitEvent) {
  submitEvent.preventDefault();
  storeKey();
  $('result').hidden = false;
  $('generate').disabled = true;
  $('progress').dataset.events = '0';
  $('previews').dataset.events = '0';
  $('images').replaceChildren();
  showStatus('Queued…');
  try {
    const request = Object.assign(jobRequest(), { preview_every: 1 });
    const job = await (await api('/v1/jobs', { method: 'POST', body: JSON.stringify(request) })).json();
    let finished = null;
    await readEvents(await api('/v1/jobs/' + job.id + '/events'), ({ event, data }) => {
      const payload = JSON.parse(data || 'null');
      if (event === 'progress') {
        showStatus('Generating…');
        showProgress(payload.step, payload.total_steps, payload.eta_ms);
      }
      if (event === 'preview') showPreviews(payload);
      if (TERMINAL_EVENTS.includes(event)) finished = payload;
    });
    if (!finished) throw new Error('the event stream ended before the job did; see Recent jobs');
    if (finished.status === 'succeeded') {
      $('progress').value = $('progress').max;
      $('progress-text').textContent = 'done';
    }
    showJob(finished);
  } catch (error) {
    showStatus(error.message, true);
  } finally {
    $('generate').disabled = false;
    loadJobs().catch((error) => showStatus(error.message, true));
    loadCredits();
  }
}

/** The form as a curl command; the key stays out of it ($STIPPLE_API_KEY), so it can be pasted anywhere. */
function curlCommand() {
  const body = JSON.stringify(jobRequest()).replace(/'/g, "'\\''");
  return 'curl ' + location.origin + '/v1/jobs \\\n' +
    '  -H "Authorization: Bearer $STIPPLE_API_KEY" -H "Content-Type: application/json" -H "Prefer: wait=60" \\\n' +
    "  -d '" + body + "'";
}

async function copyCurl() {
  const command = curlCommand();
  try {
    await navigator.clipboard.writeText(command);
    showStatus('Copied; set STIPPLE_API_KEY before running it.');
  } catch {
    showStatus(command);
  }
}

async function loadModels() {
  const { data } = await (await api('/v1/models')).json();
  models = new Map(data.map((model) => [model.id, model]));
  $('model').replaceChildren(...data.map((model) => new Option(model.id)));
  showSizes();
}

/** The tenant's balance in the header; blank for a caller that may not read it (a client token). */
async function loadCredits() {
  const usage = await api('/v1/usage').then((response) => response.json(), () => null);
  $('credits').textContent = usage ? usage.credits_remaining + ' credits left' : '';
}

async function loadJobs() {
  if (!$('api-key').value.trim()) return;
  const { data } = await (await api('/v1/jobs?limit=12')).json();
  $('jobs').replaceChildren(...data.map((job) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    if (job.outputs.length > 0) {
      button.append(Object.assign(document.createElement('img'), { src: job.outputs[0].url, alt: '' }));
    }
    const label = document.createElement('span');
    const prompt = Object.assign(document.createElement('q'), { textContent: job.input.prompt });
    const when = Object.assign(document.createElement('small'), {
      textContent: job.status + ' · ' + new Date(job.created_at).toLocaleString(),
    });
    label.append(prompt, when);
    label.title = job.input.prompt;
    button.append(label);
    button.addEventListener('click', () => showJob(job));
    item.append(button);
    return item;
  }));
}

async function loadKeyData() {
  if (!$('api-key').value.trim()) {
    showStatus('Paste an API key (npm start prints one).');
    return;
  }
  try {
    await Promise.all([loadModels(), loadJobs(), loadCredits()]);
    showStatus('');
  } catch (error) {
    showStatus(error.message, true);
  }
}

restoreKey();
takeKeyFromLink();
window.addEventListener('hashchange', () => takeKeyFromLink() && loadKeyData());
$('generate-form').addEventListener('submit', generate);
$('model').addEventListener('change', showSizes);
$('remember-key').addEventListener('change', storeKey);
$('copy-curl').addEventListener('click', copyCurl);
$('refresh-jobs').addEventListener('click', () => loadJobs().catch((error) => showStatus(error.message, true)));
$('api-key').addEventListener('change', () => {
  storeKey();
  loadKeyData();
});
loadKeyData();
`;
