import { hasMask } from './mask-canvas.ts';
import { element, inputElement } from './page-elements.ts';

/** Whether the user has moved the slider; until then it shows the router's default for the mode (playground-page.ts). */
let chosen = false;

function showStrength(): void {
  element('strength-value').textContent = Number(inputElement('strength').value).toFixed(2);
}

/** The mode the mask makes (image-to-image or inpainting), and the strength it defaults to, as the router does. */
export function showEditMode(): void {
  const slider = inputElement('strength');
  if (!chosen) slider.value = (hasMask() ? slider.dataset.inpaintDefault : slider.dataset.imageDefault) ?? slider.value;
  showStrength();
  element('edit-mode').textContent = hasMask()
    ? 'Inpainting: only the painted part is repainted. Strength: how much of it changes.'
    : 'Image-to-image. Strength: how much of the image is redrawn, 0 keeps it, 1 redraws it. Paint over it to repaint only a part.';
}

/** The value the job sends with an image. */
export const strength = () => Number(inputElement('strength').value);

export function listenForStrength(): void {
  inputElement('strength').addEventListener('input', () => {
    chosen = true;
    showStrength();
  });
}
