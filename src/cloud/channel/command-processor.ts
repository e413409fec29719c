/**
 * What happens to one channel message, whatever socket it came on: verify,
 * record in the inbox, run once, answer. No I/O of its own: the inbox and the
 * executor are src/main's.
 */
import type { Logger } from '../../shared/logger.js';
import type { InboundCommand, InboxPort } from '../sync/ports.js';
import { commandResultSchema, verifyCommand, type ChannelCommand, type CommandFailure, type CommandResult } from './command.js';

/** The inbox `source` of channel commands; with the command id the dedupe key. */
export const CHANNEL_SOURCE = 'channel';

/**
 * Runs a verified command through the same flows as the keypad (src/main).
 * Resolves with the result to store and send; `id` must be the command's
 * (the processor overwrites it anyway). A throw becomes a failure result
 * with the error's string `code` when it has one, else `internal`, and its
 * message: so messages must carry no secret. `signal` aborts when the
 * channel stops; the command is then still recorded with what this returns.
 */
export interface ChannelCommandExecutor {
  execute(command: ChannelCommand, signal: AbortSignal): Promise<CommandResult>;
}

export interface CommandProcessorOptions {
  secret: string;
  /** Default DEFAULT_REPLAY_WINDOW_MS (5 min). */
  replayWindowMs: number;
  /** Messages waiting beyond this are answered `busy` and not stored. */
  maxQueued: number;
}

export interface CommandProcessorDeps {
  inbox: InboxPort;
  executor: ChannelCommandExecutor;
  now: () => number;
  logger: Logger;
}

/** Longest executor message we pass on: results are stored and sent. */
const MAX_MESSAGE_CHARS = 500;

/**
 * Messages are handled one at a time in arrival order (a second `open` never
 * races the first on the lock bus), across reconnects: the queue belongs to
 * the processor, not to a socket.
 */
export class CommandProcessor {
  readonly #options: CommandProcessorOptions;
  readonly #deps: CommandProcessorDeps;
  readonly #abort = new AbortController();
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;

  constructor(options: CommandProcessorOptions, deps: CommandProcessorDeps) {
    this.#options = options;
    this.#deps = deps;
  }

  /**
   * Queues `text`; `answer` gets its result once it is handled (a refusal,
   * a stored result for a duplicate, or the new result after it was stored).
   * After close() messages are dropped unanswered and unrecorded: the cloud
   * sends them again after the reconnect.
   */
  submit(text: string, answer: (result: CommandResult) => void): void {
    if (this.#abort.signal.aborted) return;
    if (this.#queued >= this.#options.maxQueued) {
      const verdict = verifyCommand(text, this.#options.secret, this.#deps.now(), this.#options.replayWindowMs);
      const id = verdict.ok ? verdict.command.id : verdict.id;
      this.#deps.logger.warn({ commandId: id, queued: this.#queued }, 'channel command refused: too many waiting');
      answer({ id, ok: false, code: 'busy', message: `${this.#queued} commands are waiting; send it again later` });
      return;
    }
    this.#queued++;
    this.#tail = this.#tail.then(async () => {
      try {
        if (this.#abort.signal.aborted) return;
        answer(await this.handle(text));
      } catch (err) {
        // handle() does not throw; an `answer` that does must not stop the queue.
        this.#deps.logger.error({ err: errorName(err) }, 'channel answer failed');
      } finally {
        this.#queued--;
      }
    });
  }

  /** Resolves when every queued message has been handled. */
  idle(): Promise<void> {
    return this.#tail;
  }

  /** Aborts the running command's signal and drops what is still queued. */
  close(): void {
    this.#abort.abort();
  }

  /** One message to its result. Never throws. Public for the queue and for tests. */
  async handle(text: string): Promise<CommandResult> {
    const { inbox, now, logger } = this.#deps;
    const verdict = verifyCommand(text, this.#options.secret, now(), this.#options.replayWindowMs);
    if (!verdict.ok) {
      // Neither the text nor the signature: the log says what kind of refusal, for whom.
      logger.warn({ commandId: verdict.id, code: verdict.code, reason: verdict.message }, 'channel command refused');
      return verdict;
    }
    const command = verdict.command;
    const inbound: InboundCommand = { commandId: command.id, source: CHANNEL_SOURCE, type: command.type, receivedAt: now() };
    const log = logger.child({ commandId: command.id, type: command.type });

    let recorded: ReturnType<InboxPort['record']>;
    try {
      // Recorded as `interrupted` first (InboxPort: recorded before acted on):
      // if the agent dies before setResult, a redelivery is told so and the door is not opened again.
      recorded = inbox.record(inbound, interrupted(command.id));
    } catch (err) {
      log.error({ err: errorName(err) }, 'channel command could not be recorded; not run');
      return { id: command.id, ok: false, code: 'internal', message: 'the command could not be recorded; it was not run' };
    }
    if (!recorded.fresh) {
      log.info('channel command already seen: answering its stored result');
      return storedResult(command.id, recorded.result);
    }

    const result = await this.#execute(command);
    try {
      inbox.setResult(inbound, result);
    } catch (err) {
      // The command ran; its row keeps `interrupted`, which is what a redelivery should hear: run, outcome not stored.
      log.error({ err: errorName(err) }, 'channel command result could not be stored');
    }
    log.info({ ok: result.ok, code: result.ok ? undefined : result.code }, 'channel command done');
    return result;
  }

  async #execute(command: ChannelCommand): Promise<CommandResult> {
    let returned: unknown;
    try {
      returned = await this.#deps.executor.execute(command, this.#abort.signal);
    } catch (err) {
      return { id: command.id, ok: false, code: errorCode(err), message: errorMessage(err) };
    }
    const parsed = commandResultSchema.safeParse(returned);
    if (!parsed.success) {
      this.#deps.logger.error({ commandId: command.id }, 'channel executor returned no valid result');
      return { id: command.id, ok: false, code: 'internal', message: 'the command ran but returned no valid result' };
    }
    return { ...parsed.data, id: command.id } as CommandResult;
  }
}

/** The result stored with a command before it runs, kept if the agent stops before it finishes. */
export function interrupted(id: string): CommandFailure {
  return { id, ok: false, code: 'interrupted', message: 'received before a restart cut it short; not run again, outcome unknown (send status)' };
}

function storedResult(id: string, stored: unknown): CommandResult {
  const parsed = commandResultSchema.safeParse(stored);
  return parsed.success ? ({ ...parsed.data, id } as CommandResult) : interrupted(id);
}

function errorCode(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'string' && /^[a-z][a-z0-9-]{0,63}$/.test(code) ? code : 'internal';
}

function errorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : 'the command failed';
  return message.slice(0, MAX_MESSAGE_CHARS);
}

function errorName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : typeof err;
}
