import type { ChannelCommand, ChannelCommandExecutor, CommandResult, HeartbeatFacts } from '../../cloud/index.js';
import { KioskError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Kiosk } from '../../core/kiosk.js';
import { uploadNewestLog } from './log-upload.js';

/** Who the audit log names for anything the operator's cloud asked for. */
export const CHANNEL_ACTOR = 'operator:channel';

export interface ChannelExecutorParts {
  kiosk: Kiosk;
  /** sync-now: drain every destination and pull every code source now. */
  syncNow: () => Promise<unknown>;
  /** status: the same facts the heartbeat carries. */
  facts: () => HeartbeatFacts;
  /** upload-logs: PUT the newest log file to the URL. Absent: `not-supported`. */
  uploadLogs?: (url: string) => Promise<unknown>;
  /** set-config: change runtime settings (the fleet link's). Absent: `not-supported`. */
  setConfig?: (settings: Record<string, string | number | boolean>) => Promise<unknown>;
  log: Logger;
}

/** What the agent gives every command link: its flows, its cloud and its data folder. */
export interface AgentCommandParts {
  kiosk: Kiosk;
  cloud: { wake(): void; pullCodes(): Promise<unknown> };
  config: { dataDir: string };
}

/** The executor both command links (the WebSocket channel, the fleet link) run: sync-now and upload-logs as the agent does them. */
export function agentCommandExecutor(parts: AgentCommandParts, link: Pick<ChannelExecutorParts, 'facts' | 'log' | 'setConfig'>): ChannelCommandExecutor {
  return channelExecutor({
    kiosk: parts.kiosk,
    syncNow: async () => {
      parts.cloud.wake();
      return { codePulls: await parts.cloud.pullCodes() };
    },
    uploadLogs: (url) => uploadNewestLog(parts.config.dataDir, url),
    ...link,
  });
}

/** A command refused by its own rules (a bad upload URL, settings that fail validation), with a code for the operator. */
export class CommandRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A command type this link cannot carry out (no runtime settings on the WebSocket channel, say). */
class NotSupported extends Error {
  readonly code = 'not-supported';
}

/**
 * Runs a verified, recorded channel command through the same Kiosk flows the
 * keypad and the CLI use. A flow's refusal comes back as its error code (the
 * KioskError codes a technician already knows from the CLI); anything else is
 * `internal` without its message (it could hold a path or a query).
 */
export function channelExecutor(parts: ChannelExecutorParts): ChannelCommandExecutor {
  const { kiosk } = parts;
  const run = async (command: ChannelCommand): Promise<unknown> => {
    switch (command.type) {
      case 'open':
        return kiosk.openCompartment(command.args.compartment, CHANNEL_ACTOR, 'remote');
      case 'remote-pickup':
        return kiosk.remotePickup(command.args.parcelId, CHANNEL_ACTOR);
      case 'cancel-parcel':
        return kiosk.cancelParcel(command.args.parcelId, command.args.reason ?? null, CHANNEL_ACTOR);
      case 'set-code':
        return kiosk.setParcelCode(
          { parcelId: command.args.parcelId, code: command.args.code, validUntil: command.args.validUntil ?? null, source: 'channel', externalId: command.id },
          CHANNEL_ACTOR,
        );
      case 'sync-now':
        return parts.syncNow();
      case 'status':
        return parts.facts();
      case 'upload-logs':
        if (parts.uploadLogs === undefined) throw new NotSupported('this link cannot upload logs');
        return parts.uploadLogs(command.args.url);
      case 'set-config':
        if (parts.setConfig === undefined) throw new NotSupported('this link has no runtime settings (use the fleet link)');
        return parts.setConfig(command.args.settings);
    }
  };
  return {
    async execute(command: ChannelCommand): Promise<CommandResult> {
      try {
        return { id: command.id, ok: true, data: (await run(command)) ?? null };
      } catch (err) {
        if (err instanceof KioskError) return { id: command.id, ok: false, code: err.code, message: err.message };
        if (err instanceof NotSupported || err instanceof CommandRefused) return { id: command.id, ok: false, code: err.code, message: err.message };
        parts.log.error({ err, commandId: command.id, type: command.type }, 'channel command failed');
        return { id: command.id, ok: false, code: 'internal', message: 'the cabinet could not carry out the command; see its log' };
      }
    },
  };
}
