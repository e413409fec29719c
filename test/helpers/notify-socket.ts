import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * A real $NOTIFY_SOCKET: an AF_UNIX SOCK_DGRAM socket bound by a small
 * python3 receiver (Node cannot bind one), which plays systemd's part of
 * sd_notify(3): one JSON line per datagram, and every descriptor passed with
 * a message (systemd-notify's BARRIER=1) closed at once, as systemd does.
 */
const RECEIVER = String.raw`
import array, json, os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps({"listening": sys.argv[1]}), flush=True)
size = array.array("i").itemsize
while True:
    data, anc, flags, _ = s.recvmsg(4096, socket.CMSG_SPACE(16 * size))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - (len(payload) % size)])
            for fd in fds:
                os.close(fd)
    print(json.dumps({"at": time.time() * 1000, "message": data.decode("utf-8", "replace")}), flush=True)
`;

export interface NotifyMessage {
  at: number;
  fields: Record<string, string>;
}

function requireTool(name: string, hint: string): void {
  if (spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0) throw new Error(`${name} is missing: ${hint}; the sd_notify test cannot be skipped`);
}

export class NotifySocket {
  readonly messages: NotifyMessage[] = [];
  readonly #child: ChildProcess;
  #stderr = '';

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  static async listen(path: string): Promise<NotifySocket> {
    requireTool('python3', 'apt-get install python3');
    requireTool('systemd-notify', 'apt-get install systemd');
    const child = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    const socket = new NotifySocket(child);
    let buf = '';
    let listening: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    child.stderr!.on('data', (d: Buffer) => (socket.#stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as { listening?: string; at?: number; message?: string };
        buf = buf.slice(nl + 1);
        if (line.listening !== undefined) listening();
        else if (line.message !== undefined && line.at !== undefined) socket.messages.push({ at: line.at, fields: parseFields(line.message) });
      }
    });
    await Promise.race([ready, once(child, 'exit').then(() => { throw new Error(`the notify receiver exited: ${socket.#stderr}`); })]);
    return socket;
  }

  /** Messages holding `key` (e.g. WATCHDOG), optionally after a time. */
  with(key: string, after = 0): NotifyMessage[] {
    return this.messages.filter((m) => m.fields[key] !== undefined && m.at > after);
  }

  async waitFor(key: string, count: number, timeoutMs: number, after = 0): Promise<NotifyMessage[]> {
    const until = Date.now() + timeoutMs;
    while (this.with(key, after).length < count) {
      if (Date.now() > until) throw new Error(`waited ${timeoutMs} ms for ${count} × ${key}; got ${JSON.stringify(this.messages.map((m) => m.fields))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.with(key, after);
  }

  close(): void {
    this.#child.kill('SIGTERM');
  }
}

function parseFields(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of message.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
