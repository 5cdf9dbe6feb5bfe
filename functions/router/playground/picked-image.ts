import { type InputImageContentType, imageTypeOf, MAX_INPUT_IMAGE_BYTES, MAX_INPUT_IMAGE_SIDE } from '@stipple/jobs';
import { resetMask } from './mask-canvas.ts';
import { element, errorMessage, inputElement, showStatus } from './page-elements.ts';

/** The image a job starts from: the file as picked (uploaded as it is), its type by its bytes, its size upright. */
export interface PickedImage {
  file: File;
  contentType: InputImageContentType;
  width: number;
  height: number;
}

let picked: PickedImage | undefined;

/** The picked image, or undefined for text-to-image. */
export const pickedImage = () => picked;

const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The file's type by its bytes' signature (the router's rule, @stipple/jobs), after the size the router takes. */
async function checkedType(file: File): Promise<InputImageContentType> {
  if (file.size > MAX_INPUT_IMAGE_BYTES) {
    throw new Error(
      `${file.name} is ${mebibytes(file.size)}; use an image of at most ${mebibytes(MAX_INPUT_IMAGE_BYTES)}`,
    );
  }
  const type = imageTypeOf(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
  if (type === undefined) throw new Error(`${file.name} is not a PNG, JPEG or WebP image`);
  return type;
}

/**
 * Shows `file` under the mask canvas, sized to the image upright (browsers, like the engine, honour EXIF orientation),
 * after checking what the router and the engine would refuse; a refused file leaves the previous image in place.
 */
export async function pickImage(file: File): Promise<void> {
  try {
    const contentType = await checkedType(file);
    const preview = element('image-preview') as HTMLImageElement;
    const previousUrl = preview.src;
    preview.src = URL.createObjectURL(file);
    try {
      await preview.decode();
    } catch {
      preview.src = previousUrl;
      throw new Error(`${file.name} could not be read as an image`);
    }
    const { naturalWidth: width, naturalHeight: height } = preview;
    if (width > MAX_INPUT_IMAGE_SIDE || height > MAX_INPUT_IMAGE_SIDE) {
      preview.src = previousUrl;
      throw new Error(`${file.name} is ${width}×${height} pixels; use at most ${MAX_INPUT_IMAGE_SIDE} on each side`);
    }
    if (previousUrl.startsWith('blob:')) URL.revokeObjectURL(previousUrl);
    picked = { file, contentType, width, height };
    resetMask(width, height);
    element('image-editor').hidden = false;
    showStatus('');
  } catch (error) {
    showStatus(errorMessage(error), true);
  }
}

/** Back to text-to-image. */
export function removeImage(): void {
  const preview = element('image-preview') as HTMLImageElement;
  if (preview.src.startsWith('blob:')) URL.revokeObjectURL(preview.src);
  preview.removeAttribute('src');
  picked = undefined;
  inputElement('image-file').value = '';
  element('image-editor').hidden = true;
}
