import { describe, expect, it } from 'vitest';
import { TurnQueue } from '../../../src/drivers/transport/turn-queue.js';

describe('TurnQueue', () => {
  it('serves commands ahead of queued polls', async () => {
    const q = new TurnQueue();
    const order: string[] = [];
    const first = await q.acquire('command');
    const poll = q.acquire('poll').then((r) => (order.push('poll'), r));
    const command = q.acquire('command').then((r) => (order.push('command'), r));
    first();
    (await command)();
    (await poll)();
    expect(order).toEqual(['command', 'poll']);
  });

  it('keeps polls off the bus while held, but never commands', async () => {
    const q = new TurnQueue();
    q.holdPolls(performance.now() + 80);
    const t0 = performance.now();
    const order: string[] = [];
    const pollGranted = q.acquire('poll').then((release) => (order.push('poll'), { release, at: performance.now() - t0 }));
    const command = await q.acquire('command');
    order.push('command');
    command();
    const poll = await pollGranted;
    expect(order).toEqual(['command', 'poll']);
    expect(poll.at).toBeGreaterThanOrEqual(75);
    poll.release();
  });

  it('refuses a held poll once closed', async () => {
    const q = new TurnQueue();
    q.holdPolls(performance.now() + 30);
    const poll = q.acquire('poll');
    q.close();
    await expect(poll).rejects.toMatchObject({ code: 'bus-closed' });
  });
});
