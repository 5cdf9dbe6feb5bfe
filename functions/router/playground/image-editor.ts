import { clearMask, invertMask, listenForStrokes } from './mask-canvas.ts';
import { element, inputElement, showStatus } from './page-elements.ts';
import { pickImage, removeImage } from './picked-image.ts';
import { listenForStrength, showEditMode } from './strength-slider.ts';

/** A file dropped on the "Start from an image" box is picked; dropped anywhere else, it is ignored, not opened. */
function listenForDrops(): void {
  const zone = element('edit');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const files = event.dataTransfer?.files;
    if (files?.[0]) {
      // The file box names the dropped file too (setting `files` fires no change event, so it is picked once).
      inputElement('image-file').files = files;
      pickImage(files[0]);
    } else showStatus('Drop an image file (PNG, JPEG or WebP).', true);
  });
  for (const type of ['dragover', 'drop'] as const) window.addEventListener(type, (event) => event.preventDefault());
}

/** The image to start from: picked or dropped, a mask painted over it, a strength. */
export function setUpImageEditor(): void {
  inputElement('image-file').addEventListener('change', () => {
    const file = inputElement('image-file').files?.[0];
    if (file) pickImage(file);
  });
  listenForDrops();
  listenForStrokes();
  listenForStrength();
  element('mask-canvas').addEventListener('maskchange', showEditMode);
  element('clear-mask').addEventListener('click', clearMask);
  element('invert-mask').addEventListener('click', invertMask);
  element('remove-image').addEventListener('click', removeImage);
}
