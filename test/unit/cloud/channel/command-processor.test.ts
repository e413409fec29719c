import { describe, expect, it } from 'vitest';
import { signCommand, type CommandResult, type UnsignedCommand } from '../../../../src/cloud/channel/command.js';
import { CHANNEL_SOURCE, CommandProcessor, interrupted } from '../../../../src/cloud/channel/command-processor.js';
import { KioskError } from '../../../../src/shared/errors.js';
import { silentLogger } from '../../../../src/shared/logger.js';
import { deferred, MemoryInbox, RecordingExecutor } from './fakes.js';

/** The processor's logic with in-memory fakes; the same paths over a real socket are in channel-client.test.ts. */

const SECRET = 'processor-test-secret-01';
const NOW = 1_750_000_000_000;

function setup(executor = new RecordingExecutor(), maxQueued = 100) {
  const inbox = new MemoryInbox();
  const processor = new CommandProcessor({ secret: SECRET, replayWindowMs: 300_000, maxQueued }, { inbox, executor, now: () => NOW, logger: silentLogger });
  return { inbox, executor, processor };
}

const text = (c: Partial<UnsignedCommand> = {}) => JSON.stringify(signCommand({ id: 'c1', type: 'open', args: { compartment: 'A01' }, issuedAt: NOW, ...c }, SECRET));

describe('CommandProcessor.handle', () => {
  it('a fresh command: recorded as interrupted first, run, result stored, answered', async () => {
    const { inbox, executor, processor } = setup();
    const result = await processor.handle(text());
    expect(result).toEqual({ id: 'c1', ok: true, data: { ran: 'open' } });
    expect(executor.executed).toEqual([{ id: 'c1', type: 'open', args: { compartment: 'A01' }, issuedAt: NOW }]);
    expect(inbox.calls).toEqual([
      { op: 'record', commandId: 'c1', source: CHANNEL_SOURCE, result: interrupted('c1') },
      { op: 'setResult', commandId: 'c1', source: CHANNEL_SOURCE, result },
    ]);
    expect(inbox.rows.get('channel:c1')?.command).toEqual({ commandId: 'c1', source: 'channel', type: 'open', receivedAt: NOW });
  });

  it('a duplicate: the stored result, not run again', async () => {
    const { executor, processor } = setup();
    const first = await processor.handle(text());
    const again = await processor.handle(text());
    expect(again).toEqual(first);
    expect(executor.executed).toHaveLength(1);
  });

  it('a duplicate of a command recorded before a crash: interrupted, not run', async () => {
    const { inbox, executor, processor } = setup();
    inbox.record({ commandId: 'c1', source: 'channel', type: 'open', receivedAt: NOW - 1000 }, interrupted('c1'));
    expect(await processor.handle(text())).toEqual(interrupted('c1'));
    // A row without any result (recorded by something else) reads the same.
    inbox.record({ commandId: 'c2', source: 'channel', type: 'open', receivedAt: NOW - 1000 });
    expect(await processor.handle(text({ id: 'c2' }))).toEqual(interrupted('c2'));
    expect(executor.executed).toHaveLength(0);
  });

  it('a refusal touches neither the inbox nor the executor', async () => {
    const { inbox, executor, processor } = setup();
    expect(await processor.handle('nope')).toMatchObject({ id: null, ok: false, code: 'malformed' });
    expect(await processor.handle(text({ issuedAt: NOW - 300_001 }))).toMatchObject({ id: 'c1', ok: false, code: 'stale' });
    expect(await processor.handle(text({ type: 'open', args: {} }))).toMatchObject({ id: 'c1', ok: false, code: 'bad-args' });
    expect(inbox.calls).toEqual([]);
    expect(executor.executed).toEqual([]);
  });

  it('an executor error becomes a failure with its code, and is stored', async () => {
    const { inbox, processor } = setup(
      new RecordingExecutor(() => {
        throw new KioskError('compartment-not-found', 'no compartment A01');
      }),
    );
    const result = await processor.handle(text());
    expect(result).toEqual({ id: 'c1', ok: false, code: 'compartment-not-found', message: 'no compartment A01' });
    expect(inbox.rows.get('channel:c1')?.result).toEqual(result);
  });

  it('an error without a usable code is internal; an invalid return is internal; the id is always the command id', async () => {
    const plain = setup(new RecordingExecutor(() => Promise.reject(new TypeError('boom'))));
    expect(await plain.processor.handle(text())).toEqual({ id: 'c1', ok: false, code: 'internal', message: 'boom' });
    const garbage = setup(new RecordingExecutor(() => ({ ok: 'yes' }) as unknown as CommandResult));
    expect(await garbage.processor.handle(text())).toMatchObject({ id: 'c1', ok: false, code: 'internal' });
    const otherId = setup(new RecordingExecutor(() => ({ id: 'zzz', ok: true, data: 1 })));
    expect(await otherId.processor.handle(text())).toEqual({ id: 'c1', ok: true, data: 1 });
  });

  it('when the inbox cannot record, the command is not run', async () => {
    const { inbox, executor, processor } = setup();
    inbox.failRecord = true;
    expect(await processor.handle(text())).toMatchObject({ id: 'c1', ok: false, code: 'internal' });
    expect(executor.executed).toEqual([]);
  });
});

describe('CommandProcessor queue', () => {
  it('runs one at a time in arrival order', async () => {
    const gate = deferred();
    const log: string[] = [];
    const executor = new RecordingExecutor(async (c) => {
      log.push(`start ${c.id}`);
      if (c.id === 'c1') await gate.promise;
      log.push(`end ${c.id}`);
      return { id: c.id, ok: true, data: null };
    });
    const { processor } = setup(executor);
    const answers: CommandResult[] = [];
    processor.submit(text({ id: 'c1' }), (r) => answers.push(r));
    processor.submit(text({ id: 'c2' }), (r) => answers.push(r));
    processor.submit('garbage', (r) => answers.push(r));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start c1']);
    gate.resolve();
    await processor.idle();
    expect(log).toEqual(['start c1', 'end c1', 'start c2', 'end c2']);
    expect(answers.map((a) => a.id)).toEqual(['c1', 'c2', null]);
  });

  it('beyond maxQueued: busy, not stored', async () => {
    const gate = deferred();
    const { inbox, processor } = setup(
      new RecordingExecutor(async (c) => {
        await gate.promise;
        return { id: c.id, ok: true, data: null };
      }),
      1,
    );
    const answers: CommandResult[] = [];
    processor.submit(text({ id: 'c1' }), (r) => answers.push(r));
    processor.submit(text({ id: 'c2' }), (r) => answers.push(r));
    expect(answers).toEqual([{ id: 'c2', ok: false, code: 'busy', message: expect.any(String) }]);
    gate.resolve();
    await processor.idle();
    expect(inbox.calls.map((c) => c.commandId)).toEqual(['c1', 'c1']);
  });

  it('close aborts the running command and drops the queued ones unrecorded', async () => {
    const started = deferred();
    const executor = new RecordingExecutor(
      (c, signal) =>
        new Promise<CommandResult>((resolve) => {
          started.resolve();
          signal.addEventListener('abort', () => resolve({ id: c.id, ok: false, code: 'aborted', message: 'stopped' }));
        }),
    );
    const { inbox, processor } = setup(executor);
    const answers: CommandResult[] = [];
    processor.submit(text({ id: 'c1' }), (r) => answers.push(r));
    processor.submit(text({ id: 'c2' }), (r) => answers.push(r));
    await started.promise;
    processor.close();
    processor.submit(text({ id: 'c3' }), (r) => answers.push(r));
    await processor.idle();
    expect(answers).toEqual([{ id: 'c1', ok: false, code: 'aborted', message: 'stopped' }]);
    expect([...inbox.rows.keys()]).toEqual(['channel:c1']);
    expect(inbox.rows.get('channel:c1')?.result).toEqual(answers[0]);
  });
});
