// Loads every fixture under test/fixtures/models with onnxruntime-node and runs it once.
//
//   node tools/forge/verify-fixtures.mjs [models-dir]
//
// For each variant: prints every component's input/output names, types and dims, runs
// text_encoder -> unet -> vae_decoder (and vae_encoder where present) at 64x64 (latents 8x8)
// with batch 2, and checks output shapes and that every value is finite. Also checks the
// tokenizer files against text_encoder/config.json and that the broken/ fixtures are broken
// the way they should be. SDXL variants (model_index.json lists text_encoder_2): runs both
// text encoders, checks their hidden_states.* outputs, concatenates each one's
// hidden_states[-2] into encoder_hidden_states, feeds the unet text_embeds and time_ids, and
// checks that time_ids and text_embeds change out_sample; an SDXL refiner (no text_encoder, 5 time ids with the
// aesthetic score) the same with text_encoder_2 alone. A tokenizer/ holding only tokenizer.json (tokenizer-json) is
// read from it (model.vocab, model.merges, the post-processor's tokens). A folder whose model_index.json lists a
// safety_checker: runs it on the decoded images (clip_input from the seeded noise) and checks its
// outputs' shapes, that flagged images come back black, and that feature_extractor/ is there.
// Exits non-zero on the first class of failure it finds.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(process.argv[2] ?? join(here, '..', '..', 'test', 'fixtures', 'models'));
const BATCH = 2;
const SEQ = 77;
const LATENT = 8;
const TIME_IDS = [64, 64, 0, 0, 64, 64]; // SDXL: original size, crop top-left, target size
const REFINER_TIME_IDS = [64, 64, 0, 0, 6]; // SDXL refiner: original size, crop top-left, aesthetic score

const timeIds = (row) => new ort.Tensor('float32', Float32Array.from([...row, ...row]), [BATCH, row.length]);

let failures = 0;
function check(cond, message) {
  if (!cond) {
    failures++;
    console.log(`  FAIL: ${message}`);
  }
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

// --- float16 helpers (Node 20 has no Float16Array: ORT uses Uint16Array bit patterns) ---
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toHalf(value) {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign; // flush tiny values to zero (fine for test inputs)
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | (mant >>> 13);
}
function fromHalf(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

// deterministic pseudo-random normals
let rngState = 12345;
function rand() {
  rngState = (rngState * 1103515245 + 12345) >>> 0;
  return (rngState + 0.5) / 4294967296;
}
function randn() {
  return Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
}

function floatTensor(type, values, dims) {
  if (type === 'float16') return new ort.Tensor('float16', Uint16Array.from(values, toHalf), dims);
  return new ort.Tensor('float32', Float32Array.from(values), dims);
}
function toFloats(tensor) {
  if (tensor.type === 'float16' && tensor.data instanceof Uint16Array) return Array.from(tensor.data, fromHalf);
  return Array.from(tensor.data, Number);
}
function stats(tensor) {
  const v = toFloats(tensor);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let sq = 0;
  let finite = true;
  for (const x of v) {
    if (!Number.isFinite(x)) finite = false;
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
    sq += x * x;
  }
  const mean = sum / v.length;
  return { finite, min, max, mean, std: Math.sqrt(Math.max(0, sq / v.length - mean * mean)) };
}
const fmt = (s) =>
  `finite=${s.finite} min=${s.min.toFixed(3)} max=${s.max.toFixed(3)} mean=${s.mean.toFixed(3)} std=${s.std.toFixed(3)}`;

function describe(meta) {
  return meta.map((m) => (m.isTensor ? `${m.name}: ${m.type}[${m.shape.join(', ')}]` : `${m.name}: (non-tensor)`));
}

async function open(folder, component) {
  const path = join(folder, component, 'model.onnx');
  const session = await ort.InferenceSession.create(path);
  console.log(`  ${component}`);
  for (const line of describe(session.inputMetadata)) console.log(`    in  ${line}`);
  for (const line of describe(session.outputMetadata)) console.log(`    out ${line}`);
  return session;
}

const metaOf = (session, name) => session.inputMetadata.find((m) => m.name === name);
const sameDims = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * vocab, merges (with merges.txt's "#version" line) and the special tokens, from vocab.json, merges.txt and
 * tokenizer_config.json, or from a fast tokenizer's tokenizer.json alone (its pad token is the end token, as
 * transformers' CLIPTokenizerFast has it without a tokenizer_config.json).
 */
function readTokenizer(dir) {
  if (existsSync(join(dir, 'vocab.json'))) {
    readJson(join(dir, 'special_tokens_map.json'));
    return {
      vocab: readJson(join(dir, 'vocab.json')),
      merges: readFileSync(join(dir, 'merges.txt'), 'utf8').split('\n').filter(Boolean),
      cfg: readJson(join(dir, 'tokenizer_config.json')),
    };
  }
  const json = readJson(join(dir, 'tokenizer.json'));
  const files = readdirSync(dir);
  check(files.length === 1, `${dir} holds ${files.join(', ')}, want tokenizer.json alone`);
  check(json.model.type === 'BPE' && json.model.end_of_word_suffix === '</w>', 'tokenizer.json is not CLIP BPE');
  const vocab = { ...json.model.vocab };
  for (const added of json.added_tokens) vocab[added.content] = added.id;
  const merges = json.model.merges.map((merge) => (Array.isArray(merge) ? merge.join(' ') : merge));
  const [bos, eos] = [json.post_processor.cls[0], json.post_processor.sep[0]];
  return { vocab, merges: ['#version: 0.2', ...merges], cfg: { bos_token: bos, eos_token: eos, pad_token: eos } };
}

function tokenize(tokenizerDir) {
  // Not a BPE implementation: single-word prompt tokens looked up whole ("cat</w>" etc.).
  const { vocab, cfg } = readTokenizer(tokenizerDir);
  const words = ['a</w>', 'photo</w>', 'of</w>', 'a</w>', 'red</w>', 'cat</w>'];
  const ids = [vocab[cfg.bos_token], ...words.map((w) => vocab[w]), vocab[cfg.eos_token]];
  check(
    ids.every((id) => Number.isInteger(id)),
    'prompt words / special tokens missing from vocab.json',
  );
  const pad = vocab[cfg.pad_token];
  const row = [...ids, ...new Array(SEQ - ids.length).fill(pad)];
  const empty = [vocab[cfg.bos_token], vocab[cfg.eos_token], ...new Array(SEQ - 2).fill(pad)];
  return { ids: [...row, ...empty], vocab, cfg, pad };
}

function checkTokenizer(folder, textConfig, tokenizerName = 'tokenizer') {
  const { vocab, merges, cfg } = readTokenizer(join(folder, tokenizerName));
  const size = Object.keys(vocab).length;
  check(merges[0] === '#version: 0.2', 'merges.txt must start with #version: 0.2');
  check(size === 512 + (merges.length - 1) + 2, `vocab size ${size} != 512 + merges + 2`);
  check(size === textConfig.vocab_size, `vocab.json has ${size} entries, config vocab_size ${textConfig.vocab_size}`);
  check(vocab['<|endoftext|>'] === size - 1 && vocab['<|startoftext|>'] === size - 2, 'special tokens not last');
  check(vocab['!'] === 0, '"!" is not id 0');
  check(vocab[cfg.pad_token] === textConfig.pad_token_id, 'pad_token_id does not match tokenizer pad_token');
  console.log(`  ${tokenizerName}: vocab ${size}, ${merges.length - 1} merges, pad ${JSON.stringify(cfg.pad_token)}`);
}

function inputIdsTensor(session, ids) {
  const type = metaOf(session, 'input_ids').type;
  const data = type === 'int64' ? BigInt64Array.from(ids, BigInt) : Int32Array.from(ids);
  return new ort.Tensor(type, data, [BATCH, SEQ]);
}

// CLIP pooling: pooled[b] == hidden[b, first position of the largest id (EOS)]
function checkEosPooling(ids, hidden, pooled, what) {
  const h = hidden.dims[2];
  const hv = toFloats(hidden);
  const pv = toFloats(pooled);
  for (let b = 0; b < BATCH; b++) {
    const row = ids.slice(b * SEQ, (b + 1) * SEQ);
    const eos = row.indexOf(Math.max(...row));
    const want = hv.slice((b * SEQ + eos) * h, (b * SEQ + eos + 1) * h);
    const got = pv.slice(b * h, (b + 1) * h);
    check(
      want.every((x, i) => Math.abs(x - got[i]) < 1e-3),
      `${what}[${b}] is not last_hidden_state at the EOS position ${eos}`,
    );
  }
}

const maxAbsDiff = (a, b) => {
  const x = toFloats(a);
  const y = toFloats(b);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
};

// [batch, seq, a] ++ [batch, seq, b] -> [batch, seq, a + b]
function concatLastAxis(x, y) {
  const [b, s, a] = x.dims;
  const c = y.dims[2];
  const xv = x.data;
  const yv = y.data;
  const out = new Float32Array(b * s * (a + c));
  for (let r = 0; r < b * s; r++) {
    out.set(xv.subarray(r * a, (r + 1) * a), r * (a + c));
    out.set(yv.subarray(r * c, (r + 1) * c), r * (a + c) + a);
  }
  return new ort.Tensor('float32', out, [b, s, a + c]);
}

// SDXL text encoder: checks output names/order, hidden_states.*, and returns the outputs.
async function runXlTextEncoder(folder, component, tokenizerName, withProjection) {
  const config = readJson(join(folder, component, 'config.json'));
  checkTokenizer(folder, config, tokenizerName);
  const { ids } = tokenize(join(folder, tokenizerName));
  const session = await open(folder, component);
  const layers = config.num_hidden_layers;
  const h = config.hidden_size;
  const hiddenNames = Array.from({ length: layers + 1 }, (_, i) => `hidden_states.${i}`);
  const head = withProjection ? ['text_embeds', 'last_hidden_state'] : ['last_hidden_state', 'pooler_output'];
  const names = [...head, ...hiddenNames];
  check(
    sameDims(session.outputNames, names),
    `${component} outputs ${session.outputNames.join(', ')}, want ${names.join(', ')}`,
  );
  const out = await session.run({ input_ids: inputIdsTensor(session, ids) });
  for (const name of ['last_hidden_state', ...hiddenNames]) {
    const t = out[name];
    check(t && sameDims(t.dims, [BATCH, SEQ, h]), `${component} ${name} dims ${t?.dims}`);
    check(t && stats(t).finite, `${component} ${name} not finite`);
  }
  const last = out[`hidden_states.${layers}`];
  const penultimate = out[`hidden_states.${layers - 1}`];
  const dLayer = maxAbsDiff(last, penultimate);
  const dNorm = maxAbsDiff(out.last_hidden_state, last);
  check(dLayer > 1e-3, `${component} hidden_states.${layers} == hidden_states.${layers - 1}`);
  check(dNorm > 1e-3, `${component} last_hidden_state == hidden_states.${layers} (no final layer norm?)`);
  if (withProjection) {
    const te = out.text_embeds;
    check(sameDims(te.dims, [BATCH, config.projection_dim]), `${component} text_embeds dims ${te.dims}`);
    check(stats(te).finite, `${component} text_embeds not finite`);
    console.log(`    -> text_embeds [${te.dims}] ${fmt(stats(te))}`);
  } else {
    check(sameDims(out.pooler_output.dims, [BATCH, h]), `${component} pooler_output dims ${out.pooler_output.dims}`);
    check(stats(out.pooler_output).finite, `${component} pooler_output not finite`);
    checkEosPooling(ids, out.last_hidden_state, out.pooler_output, `${component} pooler_output`);
  }
  console.log(`    -> hidden_states.${layers - 1} [${penultimate.dims}] ${fmt(stats(penultimate))}`);
  console.log(
    `       max|hidden_states.${layers} - hidden_states.${layers - 1}| = ${dLayer.toFixed(3)}, ` +
      `max|last_hidden_state - hidden_states.${layers}| = ${dNorm.toFixed(3)}`,
  );
  return { out, config, penultimate };
}

async function verifyVariant(name) {
  const folder = join(root, name);
  const index = readJson(join(folder, 'model_index.json'));
  const sched = readJson(join(folder, 'scheduler', 'scheduler_config.json'));
  const unetConfig = readJson(join(folder, 'unet', 'config.json'));
  const vaeConfig = readJson(join(folder, 'vae_decoder', 'config.json'));
  console.log(
    `\n== ${name}: ${index._class_name}, ${sched._class_name} (${sched.prediction_type}), ` +
      `scaling_factor ${vaeConfig.scaling_factor}`,
  );
  const xl = Boolean(index.text_encoder_2);
  // SDXL's refiner: text_encoder_2 alone, and the aesthetic score in place of the target size in time_ids
  const refiner = Boolean(index.requires_aesthetics_score);
  const xlTimeIds = refiner ? REFINER_TIME_IDS : TIME_IDS;
  let hidden;
  let xlFeeds = {};
  if (xl) {
    // SDXL: both encoders' hidden_states[-2], concatenated (the refiner's one); text_encoder_2's text_embeds
    for (const c of ['text_encoder_2', 'tokenizer_2']) check(existsSync(join(folder, c)), `no ${c}/ folder`);
    for (const c of ['text_encoder', 'tokenizer']) {
      check(existsSync(join(folder, c)) === !refiner, `${c}/ ${refiner ? 'in' : 'missing from'} ${name}`);
      check(Boolean(index[c]?.[0]) === !refiner, `model_index.json's ${c} entry vs requires_aesthetics_score`);
    }
    check(
      typeof index.force_zeros_for_empty_prompt === 'boolean',
      'model_index.json lacks force_zeros_for_empty_prompt',
    );
    const one = refiner ? null : await runXlTextEncoder(folder, 'text_encoder', 'tokenizer', false);
    const two = await runXlTextEncoder(folder, 'text_encoder_2', 'tokenizer_2', true);
    hidden = one ? concatLastAxis(one.penultimate, two.penultimate) : two.penultimate;
    check(hidden.dims[2] === unetConfig.cross_attention_dim, `encoder hidden ${hidden.dims[2]} != cross_attention_dim`);
    const te = two.out.text_embeds;
    check(
      unetConfig.projection_class_embeddings_input_dim ===
        te.dims[1] + xlTimeIds.length * unetConfig.addition_time_embed_dim,
      `projection_class_embeddings_input_dim != text_embeds + ${xlTimeIds.length} * addition_time_embed_dim`,
    );
    xlFeeds = { text_embeds: te, time_ids: timeIds(xlTimeIds) };
    console.log(`    -> encoder_hidden_states [${hidden.dims}] (hidden_states.1 of ${one ? 'both' : 'one'})`);
  } else {
    const textConfig = readJson(join(folder, 'text_encoder', 'config.json'));
    checkTokenizer(folder, textConfig);
    const { ids } = tokenize(join(folder, 'tokenizer'));

    // text encoder
    const te = await open(folder, 'text_encoder');
    const teOut = await te.run({ input_ids: inputIdsTensor(te, ids) });
    hidden = teOut.last_hidden_state;
    const pooled = teOut.pooler_output;
    const h = textConfig.hidden_size;
    check(sameDims(hidden.dims, [BATCH, SEQ, h]), `last_hidden_state dims ${hidden.dims}`);
    check(sameDims(pooled.dims, [BATCH, h]), `pooler_output dims ${pooled.dims}`);
    const hs = stats(hidden);
    check(hs.finite, 'last_hidden_state not finite');
    console.log(`    -> last_hidden_state [${hidden.dims}] ${fmt(hs)}`);
    check(stats(pooled).finite, 'pooler_output not finite');
    checkEosPooling(ids, hidden, pooled, 'pooler_output');
  }

  // unet
  const unet = await open(folder, 'unet');
  const sampleType = metaOf(unet, 'sample').type;
  const ts = metaOf(unet, 'timestep');
  const tsDims = ts.shape.length === 0 ? [] : [BATCH];
  const tsValues = tsDims.length === 0 ? [999] : [999, 999];
  const timestep =
    ts.type === 'int64'
      ? new ort.Tensor('int64', BigInt64Array.from(tsValues, BigInt), tsDims)
      : floatTensor(ts.type, tsValues, tsDims);
  // an inpainting UNet (sd15-inpainting) takes 9 channels: latents, mask, masked-image latents
  const inChannels = unetConfig.in_channels;
  const latentCount = BATCH * inChannels * LATENT * LATENT;
  const sampleValues = Array.from({ length: latentCount }, randn);
  const feeds = {
    sample: floatTensor(sampleType, sampleValues, [BATCH, inChannels, LATENT, LATENT]),
    timestep,
    encoder_hidden_states: hidden,
    ...xlFeeds,
  };
  check(metaOf(unet, 'encoder_hidden_states') !== undefined, 'unet has no encoder_hidden_states input');
  check(hidden.type === metaOf(unet, 'encoder_hidden_states')?.type, 'text encoder / unet float types differ');
  check(
    Boolean(metaOf(unet, 'text_embeds')) === xl && Boolean(metaOf(unet, 'time_ids')) === xl,
    'unet text_embeds/time_ids inputs vs text_encoder_2 in model_index.json mismatch',
  );
  check(
    (unetConfig.addition_embed_type === 'text_time') === xl,
    `unet addition_embed_type ${unetConfig.addition_embed_type} vs text_encoder_2 in model_index.json`,
  );
  const cond = metaOf(unet, 'timestep_cond');
  check(Boolean(cond) === Boolean(unetConfig.time_cond_proj_dim), 'timestep_cond vs time_cond_proj_dim mismatch');
  if (cond) {
    const dim = unetConfig.time_cond_proj_dim;
    feeds.timestep_cond = floatTensor(cond.type, Array.from({ length: BATCH * dim }, randn), [BATCH, dim]);
  }
  const { out_sample: noise } = await unet.run(feeds);
  check(sameDims(noise.dims, [BATCH, 4, LATENT, LATENT]), `out_sample dims ${noise.dims}`);
  const ns = stats(noise);
  check(ns.finite, 'out_sample not finite');
  check(ns.std > 0.3 && ns.std < 3, `out_sample std ${ns.std} not ~1`);
  console.log(`    -> out_sample [${noise.dims}] timestep ${ts.type}[${ts.shape}] ${fmt(ns)}`);

  if (xl) {
    // micro-conditioning must matter: another size, and zeroed text_embeds (force_zeros_for_empty_prompt)
    const zeros = new ort.Tensor('float32', new Float32Array(feeds.text_embeds.size), feeds.text_embeds.dims);
    const otherTimeIds = refiner
      ? [
          [128, 128, 0, 0, 6],
          [64, 64, 0, 0, 2.5],
        ]
      : [
          [128, 128, 0, 0, 64, 64],
          [64, 64, 0, 0, 96, 96],
        ];
    const changes = [
      ...otherTimeIds.map((row) => [`time_ids [${row.join(', ')}]`, { time_ids: timeIds(row) }]),
      ['zero text_embeds', { text_embeds: zeros }],
    ];
    for (const [what, change] of changes) {
      const { out_sample: other } = await unet.run({ ...feeds, ...change });
      const d = maxAbsDiff(noise, other);
      check(stats(other).finite, `out_sample with ${what} not finite`);
      check(d > 0.05 * ns.std, `${what}: out_sample barely changes (max diff ${d})`);
      console.log(`       ${what}: max|delta out_sample| = ${d.toFixed(3)}`);
    }
  }

  // dynamic spatial dims: a non-square, odd-sized latent must work too
  const odd = [BATCH, 4, 9, 6];
  const oddIn = [BATCH, inChannels, 9, 6];
  const oddFeeds = { ...feeds, sample: floatTensor(sampleType, sampleValues.slice(0, 2 * inChannels * 9 * 6), oddIn) };
  const { out_sample: oddOut } = await unet.run(oddFeeds);
  check(sameDims(oddOut.dims, odd) && stats(oddOut).finite, `unet at 9x6 latents gave dims ${oddOut.dims}`);

  // vae decoder: decode (noise / scaling_factor), as a pipeline would decode latents. A folder with
  // vae_decoder_fp32/ (fp16-vae-upcast) has an fp16 decoder that overflows to NaN; the fp32 one must not.
  const latents = toFloats(noise).map((x) => x / vaeConfig.scaling_factor);
  const upcast = existsSync(join(folder, 'vae_decoder_fp32'));
  if (upcast) {
    const fp16 = await open(folder, 'vae_decoder');
    const fp16Type = metaOf(fp16, 'latent_sample').type;
    const { sample } = await fp16.run({ latent_sample: floatTensor(fp16Type, latents, noise.dims) });
    const nan = toFloats(sample).filter((x) => Number.isNaN(x)).length / sample.size;
    check(vaeConfig.force_upcast === true, 'vae_decoder_fp32 beside a config without force_upcast: true');
    check(nan > 0.5, `fp16 vae_decoder gave only ${Math.round(nan * 100)}% NaN; it should overflow`);
    console.log(`    -> fp16 vae_decoder sample ${(nan * 100).toFixed(1)}% NaN (overflows, as intended)`);
  }
  const vae = await open(folder, upcast ? 'vae_decoder_fp32' : 'vae_decoder');
  const latentType = metaOf(vae, 'latent_sample').type;
  const { sample: image } = await vae.run({ latent_sample: floatTensor(latentType, latents, noise.dims) });
  check(sameDims(image.dims, [BATCH, 3, 8 * LATENT, 8 * LATENT]), `vae sample dims ${image.dims}`);
  const is = stats(image);
  check(is.finite && is.min >= -1 && is.max <= 1, 'vae sample not finite / outside [-1, 1]');
  const saturated = toFloats(image).filter((x) => Math.abs(x) > 0.99).length / image.size;
  check(saturated < 0.2, `vae output ${Math.round(saturated * 100)}% saturated`);
  console.log(`    -> sample [${image.dims}] ${fmt(is)} saturated=${(saturated * 100).toFixed(1)}%`);
  const { sample: oddImage } = await vae.run({ latent_sample: floatTensor(latentType, toFloats(oddOut), odd) });
  check(sameDims(oddImage.dims, [BATCH, 3, 72, 48]), `vae at 9x6 latents gave dims ${oddImage.dims}`);

  if (index.vae_encoder) {
    const enc = await open(folder, 'vae_encoder');
    // latent_sample [b, 4, …], or Optimum's latent_parameters [b, 8, …] (mean ⊕ log-variance)
    const outputs = await enc.run({ sample: image });
    const [outputName] = Object.keys(outputs);
    const z = outputs[outputName];
    const channels = outputName === 'latent_parameters' ? 8 : 4;
    check(sameDims(z.dims, [BATCH, channels, LATENT, LATENT]), `vae_encoder ${outputName} dims ${z.dims}`);
    const zs = stats(z);
    check(zs.finite, 'vae_encoder output not finite');
    console.log(`    -> ${outputName} [${z.dims}] ${fmt(zs)}`);
  } else {
    check(!existsSync(join(folder, 'vae_encoder')), 'vae_encoder folder not listed in model_index.json');
  }
  if (index.safety_checker?.[0]) await verifySafetyChecker(folder, image);
}

/**
 * diffusers' forward_onnx export: (clip_input, images NHWC) -> out_images, has_nsfw_concepts (+ scores), one image per
 * call: its `images[has_nsfw_concepts] = 0` exports as a Where that cannot broadcast a batch of 2 (ONNX Runtime: "2 by
 * 3"), which is why diffusers' OnnxStableDiffusionPipeline, and the engine, run it one image at a time.
 */
async function verifySafetyChecker(folder, image) {
  const config = join(folder, 'feature_extractor', 'preprocessor_config.json');
  check(existsSync(config), 'safety_checker without feature_extractor/preprocessor_config.json');
  const checker = await open(folder, 'safety_checker');
  const [batch, c, h, w] = image.dims;
  const values = toFloats(image);
  const verdicts = [];
  for (let n = 0; n < batch; n++) {
    const nhwc = new Float32Array(h * w * c);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) nhwc[(y * w + x) * c + k] = values[((n * c + k) * h + y) * w + x] / 2 + 0.5;
    const out = await checker.run({
      clip_input: new ort.Tensor('float32', Float32Array.from({ length: 3 * 224 * 224 }, randn), [1, 3, 224, 224]),
      images: new ort.Tensor('float32', nhwc, [1, h, w, c]),
    });
    const { has_nsfw_concepts: verdict, out_images: blacked } = out;
    check(verdict.type === 'bool' && sameDims(verdict.dims, [1]), 'has_nsfw_concepts not bool [batch]');
    check(sameDims(blacked.dims, [1, h, w, c]), `out_images dims ${blacked.dims}`);
    check(sameDims(out.special_scores.dims, [1, 3]) && sameDims(out.concept_scores.dims, [1, 17]), 'score dims');
    const flagged = Boolean(verdict.data[0]);
    check(flagged ? blacked.data.every((x) => x === 0) : blacked.data.some((x) => x !== 0), 'out_images wrong');
    verdicts.push(`${flagged} (concept_0 ${out.concept_scores.data[0].toFixed(3)})`);
  }
  console.log(`    -> safety_checker has_nsfw_concepts: ${verdicts.join(', ')}`);
}

async function verifyBroken() {
  const broken = join(root, 'broken');
  console.log('\n== broken/');
  check(!existsSync(join(broken, 'missing-unet', 'unet')), 'missing-unet has a unet folder');
  check(existsSync(join(broken, 'missing-unet', 'model_index.json')), 'missing-unet has no model_index.json');
  console.log('  missing-unet: no unet/ folder');

  let error = null;
  try {
    await ort.InferenceSession.create(join(broken, 'corrupt-unet', 'unet', 'model.onnx'));
  } catch (e) {
    error = e;
  }
  check(error !== null, 'corrupt-unet/unet/model.onnx loaded');
  const firstLine = String(error?.message ?? error).split('\n')[0];
  console.log(`  corrupt-unet: load fails: ${firstLine.slice(0, 100)}`);

  const s = await ort.InferenceSession.create(join(broken, 'wrong-unet-input', 'unet', 'model.onnx'));
  const names = s.inputNames;
  check(names.includes('text_states') && !names.includes('encoder_hidden_states'), `wrong-unet-input inputs ${names}`);
  console.log(`  wrong-unet-input: unet inputs ${names.join(', ')}`);
}

const variants = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'broken')
  .map((d) => d.name)
  .sort();
console.log(`onnxruntime-node ${ort.env.versions?.node ?? ''} fixtures in ${root}: ${variants.join(', ')}`);
for (const name of variants) {
  try {
    await verifyVariant(name);
  } catch (e) {
    failures++;
    console.log(`  FAIL: ${name}: ${e?.stack ?? e}`);
  }
}
if (existsSync(join(root, 'broken'))) await verifyBroken();

console.log(failures ? `\n${failures} check(s) failed` : `\nall ${variants.length} variants OK`);
process.exit(failures ? 1 : 0);
