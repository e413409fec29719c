import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callbackRoutes } from '../../../../src/cloud/receiver/routes.js';
import { CallbackReceiver } from '../../../../src/cloud/receiver/server.js';
import { Alarms } from '../../../../src/main/alarms.js';
import { ReceiverKeeper } from '../../../../src/main/cloud/receiver-keeper.js';
import { silentLogger } from '../../../../src/shared/logger.js';
import { MemoryInbox, yopointOptions } from '../../cloud/receiver/helpers.js';
import { until } from '../../../helpers/cloud.js';

/** A real server holding a port on 127.0.0.1, as another process would. */
async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('ReceiverKeeper over a real CallbackReceiver', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('a taken port: start resolves, receiver-down is raised and kept; once free it binds, clears the alarm and leaks no listener', async () => {
    const { server, port } = await occupy();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    cleanup.push(async () => void process.off('warning', onWarning));
    const alarms = new Alarms();
    let failures = 0;
    const receiver = new CallbackReceiver({ host: '127.0.0.1', port, routes: callbackRoutes({ yopoint: yopointOptions }) }, { inbox: new MemoryInbox() });
    const keeper = new ReceiverKeeper(
      {
        start: () =>
          receiver.start().catch((err: unknown) => {
            failures++;
            throw err;
          }),
        stop: () => receiver.stop(),
      },
      { alarm: alarms, log: silentLogger, retryBaseMs: 1, retryCapMs: 5 },
    );
    cleanup.push(() => keeper.stop());

    await keeper.start();
    expect(keeper.address).toBeNull();
    expect(alarms.list()).toEqual([expect.objectContaining({ code: 'receiver-down', detail: expect.stringContaining('EADDRINUSE') })]);
    // More failed binds than Node's default of 10 listeners per event: a listener left per try would warn.
    await until('15 failed binds', () => (failures >= 15 ? true : undefined));
    expect(alarms.has('receiver-down')).toBe(true);

    await new Promise<void>((resolve) => server.close(() => resolve()));
    await until('the receiver to bind', () => keeper.address ?? undefined);
    expect(keeper.address?.port).toBe(port);
    expect(alarms.list()).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${port}/yopoint/notify`)).status).toBe(405);
    await new Promise((r) => setImmediate(r));
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('stop cancels the pending retry: the port freed afterwards is not taken', async () => {
    const { server, port } = await occupy();
    const alarms = new Alarms();
    const receiver = new CallbackReceiver({ host: '127.0.0.1', port, routes: callbackRoutes({ yopoint: yopointOptions }) }, { inbox: new MemoryInbox() });
    const keeper = new ReceiverKeeper(receiver, { alarm: alarms, log: silentLogger, retryBaseMs: 1, retryCapMs: 5 });
    await keeper.start();
    await keeper.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Free now; a leftover retry would grab it. The port is ours again to listen on.
    await new Promise((r) => setTimeout(r, 50));
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => again.close(() => resolve()));
    expect(keeper.address).toBeNull();
  });
});
