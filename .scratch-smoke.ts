import { CabinetHardware, startSimulator } from './src/drivers/index.js';
import { silentLogger } from './src/shared/logger.js';
for (const transport of ['pty', 'mock'] as const) {
  for (const protocol of ['xor-8a', 'kerong-cu', 'modbus-relay'] as const) {
    const first = protocol === 'kerong-cu' ? 0 : 1;
    const sim = await startSimulator({ boards: 2, protocol, locks: 8, transport, autoCloseMs: 500 });
    const hw = await CabinetHardware.start({ serial: { path: sim.agentPath, baudRate: 9600, binding: sim.binding }, boards: [0, 1].map((i) => ({ address: first + i, protocol, locks: 8 })), logger: silentLogger, supervision: { pollIntervalMs: 100 } });
    const events: string[] = [];
    hw.on('door-opened', (e) => events.push(`opened ${e.board}/${e.lock} ${e.commanded}`));
    hw.on('door-closed', (e) => events.push(`closed ${e.board}/${e.lock} ${e.openMs}`));
    const t0 = performance.now();
    const o = await hw.open(first + 1, 3);
    const t1 = performance.now();
    const all = await hw.readAll();
    const t2 = performance.now();
    const d = await hw.readDoor(first, 1);
    const t3 = performance.now();
    await new Promise((r) => setTimeout(r, 900));
    console.log(transport, protocol, o, 'open ms', (t1 - t0).toFixed(2), 'readAll ms', (t2 - t1).toFixed(2), 'read ms', (t3 - t2).toFixed(2), all.filter((x) => x.door === 'open'), d, events, hw.diagnostics().stats);
    await hw.close();
    await sim.close();
  }
}
