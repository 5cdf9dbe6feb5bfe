import { describe, expect, it } from 'vitest';
import { createWebhookSecret, signWebhook, verifyWebhook } from './webhook-signature.ts';

describe('signWebhook', () => {
  it('matches the Standard Webhooks reference example', async () => {
    // The example from the Standard Webhooks specification's reference libraries (secret, id, timestamp, payload).
    const headers = await signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
    });
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('verifies what it signs, and nothing altered or stale', async () => {
    const secret = createWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const message = { id: 'msg_1', timestamp: 1_800_000_000, body: '{"type":"job.completed"}' };
    const headers = new Headers(await signWebhook(secret, message));
    expect(await verifyWebhook(secret, headers, message.body, message.timestamp + 10)).toBe(true);
    expect(await verifyWebhook(secret, headers, `${message.body} `, message.timestamp)).toBe(false);
    expect(await verifyWebhook(createWebhookSecret(), headers, message.body, message.timestamp)).toBe(false);
    expect(await verifyWebhook(secret, headers, message.body, message.timestamp + 301)).toBe(false);
    // A rotated secret: the header may carry several signatures; any valid one passes.
    const other = await signWebhook(createWebhookSecret(), message);
    headers.set('webhook-signature', `${other['webhook-signature']} ${headers.get('webhook-signature')}`);
    expect(await verifyWebhook(secret, headers, message.body, message.timestamp)).toBe(true);
  });

  it('signs with each secret given, newest first, so a receiver holding either verifies', async () => {
    const [newest, previous, dropped] = [createWebhookSecret(), createWebhookSecret(), createWebhookSecret()];
    const message = { id: 'msg_2', timestamp: 1_800_000_000, body: '{}' };
    const headers = new Headers(await signWebhook([newest, previous], message));
    const entries = headers.get('webhook-signature')!.split(' ');
    expect(entries).toEqual([
      (await signWebhook(newest, message))['webhook-signature'],
      (await signWebhook(previous, message))['webhook-signature'],
    ]);
    expect(await verifyWebhook(newest, headers, message.body, message.timestamp)).toBe(true);
    expect(await verifyWebhook(previous, headers, message.body, message.timestamp)).toBe(true);
    expect(await verifyWebhook(dropped, headers, message.body, message.timestamp)).toBe(false);
    // A malformed or unknown-version entry beside a good one does not spoil it.
    headers.set('webhook-signature', `v2,abc v1,%%% ${entries[1]}`);
    expect(await verifyWebhook(previous, headers, message.body, message.timestamp)).toBe(true);
  });
});
