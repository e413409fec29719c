import type { KioskErrorCode } from '../../shared/errors.js';

/** What a technician should do next, for each error code the CLI can print. */
export const ERROR_HINTS: Record<KioskErrorCode | 'config' | 'agent-already-running', string> = {
  'code-invalid': 'check the code and type it again',
  'code-expired': 'the parcel is past its pickup time; ask the operator to return or re-issue it',
  'code-used': 'this parcel was already collected',
  'locked-out': 'too many wrong codes: wait the seconds shown, then try again',
  'door-did-not-open': 'try once more; if it stays shut, run `cabinet-kiosk status` and check the lock and its wiring',
  'door-still-open': 'close the door; the parcel is stored and its code sent to the operator when it closes',
  'compartment-out-of-service': 'use another compartment, or bring it back with `cabinet-kiosk service <id> --on`',
  'compartment-not-found': 'run `cabinet-kiosk status` to list the compartment ids',
  'compartment-occupied': 'choose a free compartment, or ask for a size with `--size`',
  'no-free-compartment': 'no compartment of that size or larger is free; try a larger size or return expired parcels',
  'parcel-not-found': 'that compartment holds no parcel',
  'parcel-not-returnable': 'only stored, expired or cancelled parcels can be returned',
  'parcel-not-stored': 'only a parcel waiting in its compartment can be picked up, cancelled or given a new code; `cabinet-kiosk status` shows each parcel',
  'code-in-use': 'another parcel in this cabinet has that code; choose a different one',
  'hardware-unavailable': 'check the serial adapter and cable and `serial.path` in the config; `cabinet-kiosk status` shows the port',
  'offline-action': 'this needs the cloud; try again when the cabinet is online',
  'pin-invalid': 'the staff PIN is wrong; PINs are set under `staff` in the config',
  'not-authorised': 'log in with the courier or technician PIN first',
  'bad-request': 'see `cabinet-kiosk --help` for the command',
  'agent-busy': 'the agent is starting or stopping; try again in a few seconds',
  internal: 'see the log in the data folder (logs/kiosk.*.log) and report it',
  config: 'fix the configuration file and try again (`cabinet-kiosk config check`)',
  'agent-already-running': 'stop the running agent first (systemctl stop cabinet-kiosk), or use the CLI against it',
};
