import { element, inputElement } from './page-elements.ts';

/**
 * The mask painted over the picked image: a canvas of the image's own size (the engine wants a mask of its image's
 * size), shown half transparent over it (playground.css). Painted pixels are opaque in the canvas and white in the
 * exported PNG (white = repaint); the rest is transparent, black in the PNG.
 */
const canvas = () => element('mask-canvas') as HTMLCanvasElement;
const context = () => {
  const found = canvas().getContext('2d');
  if (found === null) throw new Error('this browser cannot draw on a canvas');
  return found;
};
/** What painted pixels look like over the image; only their opacity counts in the exported mask. */
const PAINT = '#ff2d78';

/** Whether anything is painted: the job then inpaints, else it is image-to-image. */
let painted = false;
export const hasMask = () => painted;

/** The stroke being drawn: its pointer (one finger or button at a time) and where it last was, in canvas pixels. */
let stroke: { pointerId: number; x: number; y: number } | undefined;

/** Tells the page the mask changed (image-to-image ↔ inpainting), and counts strokes for the Chromium test. */
function changed(): void {
  canvas().dispatchEvent(new Event('maskchange'));
}

export function resetMask(width: number, height: number): void {
  canvas().width = width;
  canvas().height = height;
  painted = false;
  changed();
}

/** A pointer's position in canvas pixels: the canvas is shown scaled to the page's width. */
function canvasPoint(event: PointerEvent): { x: number; y: number } {
  const box = canvas().getBoundingClientRect();
  return {
    x: ((event.clientX - box.left) * canvas().width) / box.width,
    y: ((event.clientY - box.top) * canvas().height) / box.height,
  };
}

/** A line of the brush's width as seen on screen (so a finger paints the same at any image size), round-ended. */
function paintLine(from: { x: number; y: number }, to: { x: number; y: number }): void {
  const paint = context();
  paint.globalCompositeOperation = 'source-over';
  paint.strokeStyle = PAINT;
  paint.lineCap = 'round';
  paint.lineJoin = 'round';
  paint.lineWidth =
    (Number(inputElement('brush-size').value) * canvas().width) / canvas().getBoundingClientRect().width;
  paint.beginPath();
  paint.moveTo(from.x, from.y);
  paint.lineTo(to.x, to.y);
  paint.stroke();
}

function startStroke(event: PointerEvent): void {
  if (stroke || (event.pointerType === 'mouse' && event.button !== 0)) return;
  event.preventDefault();
  canvas().setPointerCapture(event.pointerId);
  const point = canvasPoint(event);
  stroke = { pointerId: event.pointerId, ...point };
  paintLine(point, point);
}

function continueStroke(event: PointerEvent): void {
  if (stroke?.pointerId !== event.pointerId) return;
  // Every position the pointer passed since the last event, not only the last: fast strokes stay smooth.
  for (const each of event.getCoalescedEvents?.() ?? [event]) {
    const point = canvasPoint(each);
    paintLine(stroke, point);
    stroke = { ...stroke, ...point };
  }
}

function endStroke(event: PointerEvent): void {
  if (stroke?.pointerId !== event.pointerId) return;
  stroke = undefined;
  painted = true;
  const strokes = canvas().dataset;
  strokes.strokes = String(Number(strokes.strokes || 0) + 1);
  changed();
}

export function clearMask(): void {
  context().clearRect(0, 0, canvas().width, canvas().height);
  painted = false;
  changed();
}

/** Painted becomes unpainted and back (XOR with an opaque fill turns each pixel's opacity α into 1 − α). */
export function invertMask(): void {
  const paint = context();
  paint.globalCompositeOperation = 'xor';
  paint.fillStyle = PAINT;
  paint.fillRect(0, 0, canvas().width, canvas().height);
  paint.globalCompositeOperation = 'source-over';
  painted = paint.getImageData(0, 0, canvas().width, canvas().height).data.some((value, i) => i % 4 === 3 && value > 0);
  changed();
}

/** The mask as the API takes it: a PNG of the image's size, white where painted (soft edges grey), black elsewhere. */
export function maskPng(): Promise<Blob> {
  const mask = document.createElement('canvas');
  mask.width = canvas().width;
  mask.height = canvas().height;
  const paint = mask.getContext('2d');
  if (paint === null) throw new Error('this browser cannot draw on a canvas');
  paint.drawImage(canvas(), 0, 0);
  paint.globalCompositeOperation = 'source-in';
  paint.fillStyle = '#fff';
  paint.fillRect(0, 0, mask.width, mask.height);
  paint.globalCompositeOperation = 'destination-over';
  paint.fillStyle = '#000';
  paint.fillRect(0, 0, mask.width, mask.height);
  return new Promise((done, fail) =>
    mask.toBlob((blob) => (blob ? done(blob) : fail(new Error('the mask could not be made into a PNG'))), 'image/png'),
  );
}

/** Pointer events, so a finger or a pen paints as a mouse does (`touch-action: none` keeps the page from scrolling). */
export function listenForStrokes(): void {
  canvas().addEventListener('pointerdown', startStroke);
  canvas().addEventListener('pointermove', continueStroke);
  for (const type of ['pointerup', 'pointercancel'] as const) canvas().addEventListener(type, endStroke);
}
