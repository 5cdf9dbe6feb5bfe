import { describe, expect, it } from 'vitest';
import { ModelError } from '../errors.ts';
import { preprocessClipImage, readClipImageProcessorConfig, resizeAndCrop } from './clip-image-processor.ts';

const FILE = 'feature_extractor/preprocessor_config.json';

describe('readClipImageProcessorConfig', () => {
  it('reads the old CLIPFeatureExtractor form (integer size and crop) as the CLIPImageProcessor form', () => {
    const legacy = { size: 224, crop_size: 224, resample: 3, feature_extractor_type: 'CLIPFeatureExtractor' };
    const current = { size: { shortest_edge: 224 }, crop_size: { height: 224, width: 224 }, rescale_factor: 1 / 255 };
    expect(readClipImageProcessorConfig(FILE, legacy)).toEqual(readClipImageProcessorConfig(FILE, current));
  });

  it("takes CLIPImageProcessor's defaults for the keys left out", () => {
    expect(readClipImageProcessorConfig(FILE, {})).toEqual({
      resize: { shortestEdge: 224 },
      crop: { height: 224, width: 224 },
      rescaleFactor: 1 / 255,
      normalize: { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
    });
  });

  it('leaves out the steps a config turns off', () => {
    const config = { do_resize: false, do_center_crop: false, do_rescale: false, do_normalize: false };
    expect(readClipImageProcessorConfig(FILE, config)).toEqual({
      resize: undefined,
      crop: undefined,
      rescaleFactor: undefined,
      normalize: undefined,
    });
  });

  it('names the key, the value and what it accepts', () => {
    const read = (json: Record<string, unknown>) => () => readClipImageProcessorConfig(FILE, json);
    expect(read({ size: { shortest_edge: 224, longest_edge: 448 } })).toThrow(
      `${FILE} has size {"shortest_edge":224,"longest_edge":448}; expected an integer, {"shortest_edge": n} or {"height": h, "width": w}`,
    );
    expect(read({ rescale_factor: 0 })).toThrow(ModelError);
    expect(read({ image_mean: [0.5, 0.5] })).toThrow(
      `${FILE} has image_mean [0.5,0.5]; expected a number or a list of 3 numbers (one per RGB channel)`,
    );
  });
});

describe('resizeAndCrop', () => {
  const config = readClipImageProcessorConfig(FILE, { size: 4, crop_size: { height: 4, width: 2 } });

  it('scales the shortest edge and truncates the long one, then crops the centre', () => {
    const image = { pixels: new Uint8Array(6 * 5 * 3).fill(77), width: 6, height: 5 };
    // shortest edge 5 -> 4, long edge int(4 * 6 / 5) = 4; crop 4 x 2 from columns (4 - 2) // 2 = 1
    expect(resizeAndCrop(image, config)).toEqual({ width: 2, height: 4, pixels: new Uint8Array(2 * 4 * 3).fill(77) });
  });

  it('pads a crop larger than the image with zeros, the image centred as transformers places it', () => {
    const noResize = readClipImageProcessorConfig(FILE, { do_resize: false, crop_size: 3 });
    const image = { pixels: new Uint8Array([10, 10, 10]), width: 1, height: 1 };
    const { pixels } = resizeAndCrop(image, noResize);
    expect(Array.from(pixels)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });
});

describe('preprocessClipImage', () => {
  it('lays the channels out first and normalizes each with its mean and deviation', () => {
    const config = readClipImageProcessorConfig(FILE, { do_resize: false, do_center_crop: false });
    const { data, dims } = preprocessClipImage(
      { pixels: new Uint8Array([255, 0, 51, 0, 255, 51]), width: 2, height: 1 },
      config,
    );
    expect(dims).toEqual([3, 1, 2]);
    const red = [(1 - 0.48145466) / 0.26862954, (0 - 0.48145466) / 0.26862954];
    const blue = [(0.2 - 0.40821073) / 0.27577711, (0.2 - 0.40821073) / 0.27577711];
    expect(Array.from(data.subarray(0, 2))).toEqual(red.map((value) => expect.closeTo(value, 6)));
    expect(Array.from(data.subarray(4, 6))).toEqual(blue.map((value) => expect.closeTo(value, 6)));
  });
});
