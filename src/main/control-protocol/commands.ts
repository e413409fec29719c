/**
 * The local control API as both ends know it: the command names (the agent's
 * control server implements each, src/main/control/commands.ts) and their
 * path on the socket. The CLI speaks it without knowing the server.
 */
export const CONTROL_COMMANDS = ['status', 'open', 'pickup', 'deposit', 'return', 'service', 'outbox', 'codes-cancel', 'outbox-retry'] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export function isControlCommand(name: string): name is ControlCommand {
  return (CONTROL_COMMANDS as readonly string[]).includes(name);
}

/** The HTTP path of a command on the control socket. */
export function commandPath(command: ControlCommand): string {
  return `/v1/${command}`;
}
