import { extname } from 'node:path';
import { type ImageFormat, ValidationError } from '@stipple/core';

const EXTENSION_FORMATS: Record<string, ImageFormat> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
};

/** `--format` when given, else the format the `--out` extension names, else PNG. */
export function formatForOutput(out: string, format: string | undefined): ImageFormat {
  if (format !== undefined) {
    const known = Object.values(EXTENSION_FORMATS);
    if (known.includes(format as ImageFormat)) return format as ImageFormat;
    throw new ValidationError('invalid_format', `--format "${format}" is not supported; use png, jpeg or webp`, {
      value: format,
    });
  }
  return EXTENSION_FORMATS[extname(out).toLowerCase()] ?? 'png';
}

/** One path per image: the path itself for one image, `name-1.png`, `name-2.png`, … for several. */
export function numberedPaths(out: string, count: number): string[] {
  if (count === 1) return [out];
  const extension = extname(out);
  const stem = out.slice(0, out.length - extension.length);
  return Array.from({ length: count }, (_, i) => `${stem}-${i + 1}${extension}`);
}
