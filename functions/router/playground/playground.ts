/**
 * The playground's behaviour, bundled into `/playground.js` by build-playground.ts. It talks to the public API with
 * the key in the form, as any client would: an input image and mask through `POST /v1/uploads`, `POST /v1/jobs` with
 * `preview_every`, then the job's event stream.
 */
import { restoreKey, storeKey, takeKeyFromLink } from './api-key-store.ts';
import { generate } from './generate-job.ts';
import { setUpImageEditor } from './image-editor.ts';
import { copyCurl } from './job-form.ts';
import { loadKeyData, showSizes } from './key-data.ts';
import { element, errorMessage, showStatus } from './page-elements.ts';
import { loadJobs } from './recent-jobs.ts';

restoreKey();
takeKeyFromLink();
window.addEventListener('hashchange', () => takeKeyFromLink() && loadKeyData());
element('generate-form').addEventListener('submit', generate);
element('model').addEventListener('change', showSizes);
element('remember-key').addEventListener('change', storeKey);
element('copy-curl').addEventListener('click', copyCurl);
setUpImageEditor();
element('refresh-jobs').addEventListener('click', () =>
  loadJobs().catch((error) => showStatus(errorMessage(error), true)),
);
element('api-key').addEventListener('change', () => {
  storeKey();
  loadKeyData();
});
loadKeyData();
