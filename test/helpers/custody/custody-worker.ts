/**
 * Child process of the custody SIGKILL cases: the real Agent (store → lock
 * bus on the test's socat PTY → recover()) driven over IPC, one agent at a
 * time, until the test asks it to die at a step of a door flow.
 *
 *   node --import tsx test/helpers/custody/custody-worker.ts   (spawned with an IPC channel)
 *
 * The kill is exact because the worker does it itself:
 *   after-intent  the flow called the doors port: the intent is committed, no byte written yet
 *   after-write   the open frame reached the board, which will never reply: the test, which
 *                 hosts the board, kills the worker on that frame (only it can see the moment)
 *   after-reply   the doors port has its answer; the flow has not committed the result
 *   after-commit  the Kiosk call resolved (result committed); nobody has seen the answer
 * The doors port is wrapped in test code (open-hook.ts): src/ carries no test hooks.
 */
import { pino } from 'pino';
import { Agent } from '../../../src/main/agent.js';
import { loadConfig } from '../../../src/main/config/load-config.js';
import { callKiosk, type KillStep } from './agent-handle.js';
import { hookOpens } from './open-hook.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is not deliverable-later: nothing below runs.
  throw new Error('unreachable');
};

let armed: KillStep | undefined;
hookOpens({
  before: () => void (armed === 'after-intent' && die()),
  after: () => void (armed === 'after-reply' && die()),
});

async function main(): Promise<void> {
  if (!process.send) throw new Error('custody-worker must be spawned with an IPC channel');
  const send = (m: WorkerReply): void => void process.send!(m);
  let agent: Agent | undefined;
  const logger = pino({ level: 'silent' });
  process.on('message', (m: WorkerRequest) => {
    void (async () => {
      switch (m.t) {
        case 'start':
          try {
            if (agent) throw new Error('an agent is already running in this worker');
            agent = await Agent.start({ config: loadConfig({ file: m.configPath }), logger });
            send({ t: 'started', id: m.id });
          } catch (err) {
            send({ t: 'started', id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
          }
          return;
        case 'call': {
          if (!agent) throw new Error('call before start');
          armed = m.killAt;
          const result = await callKiosk(agent.kiosk, m.method, m.args, () => {
            if (armed === 'after-commit') die();
          });
          armed = undefined;
          send({ t: 'result', id: m.id, result });
          return;
        }
        case 'stop':
          await agent?.stop();
          agent = undefined;
          send({ t: 'stopped', id: m.id });
          return;
      }
    })().catch((err: unknown) => {
      process.stderr.write(`custody-worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
  });
  process.on('disconnect', () => process.exit(0));
  send({ t: 'booted' });
}

main().catch((err: unknown) => {
  process.stderr.write(`custody-worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
