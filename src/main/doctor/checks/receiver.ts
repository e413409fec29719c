import { fail, info, pass, type CheckResult } from '../check.js';

export type ReceiverFacts =
  | { configured: false }
  | { configured: true; host: string; port: number; bind: 'free' }
  | { configured: true; host: string; port: number; bind: 'in-use'; heldByAgent: boolean }
  | { configured: true; host: string; port: number; bind: 'error'; error: string };

/** `receiver.port`: the vendor-callback port is free, or held by our own running agent. */
export function receiverChecks(f: ReceiverFacts): CheckResult[] {
  if (!f.configured) return [info('receiver.port', 'cloud.receiver not configured: no vendor callbacks')];
  const where = `${f.host}:${f.port}`;
  switch (f.bind) {
    case 'free':
      return [pass('receiver.port', `${where} is free for the callback receiver`)];
    case 'in-use':
      return f.heldByAgent
        ? [pass('receiver.port', `${where} is held by our running agent's receiver`)]
        : [fail('receiver.port', `${where} is taken by another process`, `find it with \`ss -ltnp 'sport = :${f.port}'\` and stop it, or set cloud.receiver.port to a free port`)];
    case 'error':
      return [fail('receiver.port', `${where} cannot be bound: ${f.error}`, 'set cloud.receiver.host to an address of this machine (127.0.0.1 behind a reverse proxy)')];
  }
}
