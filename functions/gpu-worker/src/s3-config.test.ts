import { ValidationError } from '@stipple/core';
import { describe, expect, it } from 'vitest';
import { createS3Client, readS3Config } from './s3-config.ts';

describe('readS3Config', () => {
  it('defaults to AWS S3 in us-east-1 with conditional writes and the default credential chain', () => {
    expect(readS3Config({})).toEqual({
      endpoint: undefined,
      region: 'us-east-1',
      forcePathStyle: false,
      credentials: undefined,
      conditionalWrites: true,
    });
  });

  it('uses path-style addressing by default when an endpoint is set', () => {
    const config = readS3Config({ S3_ENDPOINT: 'http://127.0.0.1:9000', S3_REGION: 'auto' });
    expect(config).toMatchObject({ endpoint: 'http://127.0.0.1:9000', region: 'auto', forcePathStyle: true });
  });

  it('reads explicit booleans and credentials', () => {
    const config = readS3Config({
      S3_ENDPOINT: 'https://account.r2.cloudflarestorage.com',
      S3_FORCE_PATH_STYLE: 'false',
      S3_CONDITIONAL_WRITES: 'false',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    expect(config).toMatchObject({
      forcePathStyle: false,
      conditionalWrites: false,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret', sessionToken: 'token' },
    });
  });

  it('treats empty variables as unset', () => {
    expect(readS3Config({ S3_ENDPOINT: '', S3_REGION: ' ', S3_CONDITIONAL_WRITES: '' })).toEqual(readS3Config({}));
  });

  it('rejects a boolean other than true or false, naming the variable and the allowed values', () => {
    const error = (() => {
      try {
        readS3Config({ S3_CONDITIONAL_WRITES: 'yes' });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      code: 'invalid_s3_config',
      message: 'S3_CONDITIONAL_WRITES is "yes"; use true or false',
      details: { variable: 'S3_CONDITIONAL_WRITES', allowed: ['true', 'false'] },
    });
    expect(() => readS3Config({ S3_FORCE_PATH_STYLE: '1' })).toThrow(/S3_FORCE_PATH_STYLE is "1"; use true or false/);
  });

  it('rejects an endpoint that is not an http(s) URL', () => {
    expect(() => readS3Config({ S3_ENDPOINT: 'localhost:9000' })).toThrow(
      /S3_ENDPOINT is "localhost:9000"; use an http/,
    );
  });

  it('rejects an access key without its secret', () => {
    expect(() => readS3Config({ AWS_ACCESS_KEY_ID: 'id' })).toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });
});

describe('createS3Client', () => {
  it('points the client at the configured endpoint, region and addressing style', async () => {
    const client = createS3Client(readS3Config({ S3_ENDPOINT: 'http://127.0.0.1:9000', S3_REGION: 'eu-west-1' }));
    expect(await client.config.region()).toBe('eu-west-1');
    expect(client.config.forcePathStyle).toBe(true);
    const endpoint = await client.config.endpoint?.();
    expect(endpoint).toMatchObject({ hostname: '127.0.0.1', port: 9000, protocol: 'http:' });
    client.destroy();
  });
});
