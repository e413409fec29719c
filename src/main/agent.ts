import type { Logger as PinoLogger } from 'pino';
import * as store from '../store/index.js';
import { Alarms } from './alarms.js';
import type { Config } from './config/schema.js';
import { ensurePrivateFile } from './data-dir.js';
import { startHardware, type Hardware } from './hardware.js';
import { Kiosk } from '../core/kiosk.js';
import { createFlowContext } from '../core/flow-context.js';
import { flowPolicy } from '../core/policy.js';
import { loadCabinetSecret } from './secrets.js';
import { createChannel } from './cloud/channel-wiring.js';
import { CloudLink } from './cloud/cloud-link.js';
import { buildIntegrations, reservedCompartments, routeTable } from './cloud/integrations.js';
import { buildFleet, FleetAgent } from './cloud/fleet-wiring.js';
import { freeBytesOf } from './storage.js';
import { RuntimeHealth } from './health/runtime-health.js';
import { ScreenCommissioning } from './commission/screen-session.js';

export interface AgentOptions {
  config: Config;
  logger: PinoLogger;
  clock?: () => number;
  /** An Electron-ABI better-sqlite3 binding (src/main/launch/electron-runtime.ts); Node's own when absent. */
  sqliteBinding?: string | undefined;
}

/**
 * The running cabinet: the one owner of the database and the serial port.
 * Boot order follows docs/architecture.md, style rule 14: store → drivers → flows; each step is
 * its own small function, and `stop()` undoes them in reverse.
 */
export class Agent {
  readonly startedAt = Date.now();
  /** Commissioning from the screen (service mode, Setup); it ends with a restart. */
  readonly commissioning: ScreenCommissioning;
  /** Resolves with the reason when the agent asks to be started again (on a new configuration). */
  readonly restartRequested: Promise<string>;
  private constructor(
    readonly config: Config,
    readonly log: PinoLogger,
    readonly db: store.Db,
    readonly hardware: Hardware,
    readonly kiosk: Kiosk,
    readonly quickCheck: { ok: boolean; detail: string[] },
    readonly cloud: CloudLink,
    readonly alarms: Alarms,
    readonly fleet: FleetAgent | null,
    /** Starts, crashes, RSS trend (src/main/health/runtime-health.ts): status, heartbeat, fleet. */
    readonly health: RuntimeHealth,
  ) {
    let restart!: (why: string) => void;
    this.restartRequested = new Promise((resolve) => (restart = resolve));
    this.commissioning = new ScreenCommissioning({
      config,
      hardware,
      suspendDoors: () => kiosk.suspendForSetup(),
      requestRestart: (why) => {
        log.warn({ why }, 'restart requested');
        restart(why);
      },
      log: log.child({ module: 'main/commission' }),
    });
  }

  static async start({ config, logger, clock = Date.now, sqliteBinding }: AgentOptions): Promise<Agent> {
    const log = logger.child({ module: 'main/agent' });
    const alarms = new Alarms(clock);
    const secret = loadCabinetSecret(config.cabinet.secret, config.dataDir);
    const db = openStore(config, logger, sqliteBinding);
    const quickCheck = store.quickCheck(db);
    if (config.staff.courierPin === null || config.staff.technicianPin === null) {
      log.warn({ courierPin: config.staff.courierPin !== null, technicianPin: config.staff.technicianPin !== null }, 'a staff PIN is not configured: that staff screen cannot be opened (set staff.courierPin / staff.technicianPin)');
    }
    log[quickCheck.ok ? 'info' : 'error']({ quickCheck }, 'database quick_check');
    let hardware: Hardware | undefined;
    let cloud: CloudLink | undefined;
    let fleet: FleetAgent | null = null;
    let health: RuntimeHealth | undefined;
    try {
      // Built before the flows: a destination refusing its settings stops the boot with the reason.
      const integrations = buildIntegrations(config, { secret, logger, db });
      // The fleet broker is one more destination, drained like the vendors (docs/fleet.md §4).
      const fleetBuild = buildFleet(config, logger);
      if (fleetBuild) integrations.routed.push(fleetBuild.routed);
      cloud = new CloudLink(config, db, { ...integrations, secret, alarms }, logger);
      hardware = await startHardware(config, logger);
      const destinations = routeTable(integrations.routed, config.outbox.destinations);
      const ctx = createFlowContext({
        db,
        doors: hardware.cabinet,
        secret,
        policy: flowPolicy(config),
        destinations,
        eventQueued: () => cloud?.wake(),
        clock,
        log: logger.child({ module: 'main/kiosk' }),
        alarm: (code, up, detail) => alarms.set(code, up, detail),
        freeBytes: () => freeBytesOf(config.database === ':memory:' ? config.dataDir : config.database),
      });
      watchHardware(hardware, logger.child({ module: 'main/hardware' }));
      const kiosk = new Kiosk(ctx, hardware.cabinet);
      // Counts this start and reports a crash record the last run left (agent.crashed).
      health = RuntimeHealth.start({ db, dataDir: config.dataDir, destinations, eventQueued: () => cloud?.wake(), log, clock });
      const reconciled = await kiosk.recover();
      if (reconciled.length) log.warn({ reconciled }, 'settled open intents left by the last run');
      // After recovery, so the events it queued go out with the backlog.
      await cloud.start();
      const channel = createChannel({ config, db, hardware, kiosk, cloud, quickCheck, health, log: logger });
      if (channel) cloud.attachChannel(channel);
      if (fleetBuild) {
        const runtime = health;
        fleet = new FleetAgent(fleetBuild, { config, db, hardware, kiosk, cloud, alarms, quickCheck, health: () => runtime.summary(), log: logger });
        fleet.start();
      }
      return new Agent(config, logger, db, hardware, kiosk, quickCheck, cloud, alarms, fleet, health);
    } catch (err) {
      health?.stop();
      await fleet?.stop().catch(() => undefined);
      await cloud?.stop().catch(() => undefined);
      await hardware?.close().catch(() => undefined);
      store.closeDatabase(db);
      throw err;
    }
  }

  async stop(): Promise<void> {
    // First: an attempt in flight is aborted and its row stays pending for the next run.
    await this.cloud.stop();
    await this.fleet?.stop();
    this.kiosk.close();
    this.health.stop();
    await this.commissioning.close();
    await this.hardware.close();
    store.closeDatabase(this.db);
  }
}

function openStore(config: Config, logger: PinoLogger, nativeBinding: string | undefined): store.Db {
  // Before SQLite creates it: its -wal and -shm take the database file's mode, whatever the umask.
  if (config.database !== ':memory:') for (const note of ensurePrivateFile(config.database)) logger.warn({ module: 'main/agent' }, `database not fully private: ${note}`);
  const db = store.openDatabase(config.database, { logger, ...(nativeBinding ? { nativeBinding } : {}) });
  store.syncCompartments(db, config.compartments);
  store.setReservedCompartments(db, reservedCompartments(config));
  return db;
}

/** A technician reads the log when a cabinet misbehaves: every bus-level fault lands there. */
function watchHardware(hardware: Hardware, log: PinoLogger): void {
  const cabinet = hardware.cabinet;
  cabinet.on('disconnected', (e) => log.warn(e, 'lock bus disconnected: waiting for the adapter to come back'));
  cabinet.on('reconnected', (e) => log.info(e, 'lock bus connected'));
  cabinet.on('fault', (fault) => log.warn({ fault }, 'lock bus fault'));
  cabinet.on('open-failed', (e) => log.warn(e, 'a door did not open'));
  cabinet.on('door-forced', (e) => log.warn(e, 'door opened without a command'));
  cabinet.on('door-left-open', (e) => log.warn(e, 'door left open'));
}
