/** What stops commissioning, each with the one thing to do (docs/architecture.md, style rule 12). */
export const COMMISSION_ERROR_CODES = [
  /** Boards of two protocols answered on one line: one bus carries one protocol (src/main/doctor/checks/boards.ts). */
  'bus-mixed-protocols',
  /** Nothing answered at any protocol, rate and address tried. */
  'bus-silent',
  /** The serial device is not there, or may not be opened. */
  'port-missing',
  'port-permission',
  'port-unknown',
  /** An agent holds the line; setup needs it. */
  'agent-running',
  /** The answers file, or an answer, is not usable. */
  'answers-invalid',
  /** The configuration setup would write does not validate. */
  'config-invalid',
] as const;
export type CommissionErrorCode = (typeof COMMISSION_ERROR_CODES)[number];

export class CommissionError extends Error {
  override readonly name = 'CommissionError';
  constructor(
    readonly code: CommissionErrorCode,
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Exit code: 2 for what the technician typed or wrote, 1 refused (an agent runs), 3 for the hardware. */
export function exitCodeOf(code: CommissionErrorCode): 1 | 2 | 3 {
  switch (code) {
    case 'answers-invalid':
    case 'config-invalid':
      return 2;
    case 'agent-running':
      return 1;
    case 'bus-mixed-protocols':
    case 'bus-silent':
    case 'port-missing':
    case 'port-permission':
    case 'port-unknown':
      return 3;
  }
}
