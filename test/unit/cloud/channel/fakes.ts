import type { ChannelCommand, CommandResult } from '../../../../src/cloud/channel/command.js';
import type { ChannelCommandExecutor } from '../../../../src/cloud/channel/command-processor.js';
import type { InboundCommand, InboxPort } from '../../../../src/cloud/sync/ports.js';

/**
 * An in-memory InboxPort with the store's semantics (key = source + command
 * id; a known key answers its stored result) that records every call. The
 * real adapter over SQLite is src/main's StoreInbox.
 */
export class MemoryInbox implements InboxPort {
  readonly rows = new Map<string, { command: InboundCommand; result: unknown }>();
  readonly calls: Array<{ op: 'record' | 'setResult'; commandId: string; source: string; result: unknown }> = [];
  failRecord = false;

  record(command: InboundCommand, result?: unknown): { fresh: true } | { fresh: false; result: unknown } {
    this.calls.push({ op: 'record', commandId: command.commandId, source: command.source, result });
    if (this.failRecord) throw new Error('database is locked');
    const key = `${command.source}:${command.commandId}`;
    const row = this.rows.get(key);
    if (row !== undefined) return { fresh: false, result: row.result };
    this.rows.set(key, { command, result });
    return { fresh: true };
  }

  setResult(command: Pick<InboundCommand, 'source' | 'commandId'>, result: unknown): void {
    this.calls.push({ op: 'setResult', commandId: command.commandId, source: command.source, result });
    const row = this.rows.get(`${command.source}:${command.commandId}`);
    if (row === undefined) throw new Error('not-found');
    // Through JSON, as the store keeps it.
    row.result = JSON.parse(JSON.stringify(result)) as unknown;
  }
}

/** Records what it runs; `plan` decides each answer (default: ok with the command's type). */
export class RecordingExecutor implements ChannelCommandExecutor {
  readonly executed: ChannelCommand[] = [];
  readonly signals: AbortSignal[] = [];

  constructor(readonly plan: (command: ChannelCommand, signal: AbortSignal) => Promise<CommandResult> | CommandResult = (c) => ({ id: c.id, ok: true, data: { ran: c.type } })) {}

  async execute(command: ChannelCommand, signal: AbortSignal): Promise<CommandResult> {
    this.executed.push(command);
    this.signals.push(signal);
    return this.plan(command, signal);
  }
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
