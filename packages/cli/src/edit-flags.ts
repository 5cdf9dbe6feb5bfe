import { readFile } from 'node:fs/promises';
import { ValidationError } from '@stipple/core';
import { parseNumber } from './parse-number.ts';

/** Image-to-image and inpainting flags (as `parseArgs` options): files to start from, and how much to change. */
export const EDIT_OPTIONS = {
  image: { type: 'string' },
  mask: { type: 'string' },
  strength: { type: 'string' },
  'mask-blur': { type: 'string' },
  'keep-unmasked': { type: 'string' },
} as const;

/** The usage lines of `EDIT_OPTIONS`; `imageSize` says what size a job with `--image` draws. */
export const editUsage = (
  imageSize: string,
) => `  --image FILE        start from this picture (PNG, JPEG or WebP): image-to-image; ${imageSize}
  --mask FILE         with --image: inpaint where the mask is white (a file of the image's size)
  --strength X        0-1, how much of the schedule runs over the image (default 0.8; 1 with --mask)
  --mask-blur N       with --mask: soften the mask's edge, 0-64 pixels (default 0)
  --keep-unmasked B   with --mask: true pastes the unmasked pixels back exactly, false leaves them to the VAE (default true)`;

type EditFlagValues = Partial<Record<keyof typeof EDIT_OPTIONS, string>>;

async function readInputFile(flag: string, path: string | undefined): Promise<Uint8Array | undefined> {
  if (path === undefined) return undefined;
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new ValidationError(
      'input_file_unreadable',
      `--${flag} ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { flag, path },
    );
  }
}

function parseBoolean(flag: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ValidationError(`invalid_${flag.replaceAll('-', '_')}`, `--${flag} "${value}" is not true or false`, {
    flag,
    value,
  });
}

/** The edit fields of a `GenerationRequest`, with the files read; the engine checks the rest. */
export async function readEditFlags(values: EditFlagValues) {
  // Flags are checked before any file is read, so a typo is named even when a file is missing too.
  const settings = {
    strength: parseNumber('strength', values.strength),
    maskBlur: parseNumber('mask-blur', values['mask-blur']),
    preserveUnmasked: parseBoolean('keep-unmasked', values['keep-unmasked']),
  };
  return {
    image: await readInputFile('image', values.image),
    mask: await readInputFile('mask', values.mask),
    ...settings,
  };
}
