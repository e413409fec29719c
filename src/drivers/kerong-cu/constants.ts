/** Protocol B, Kerong "CU" (KR-CU16 / CU12) lock control units (docs/lock-boards.md §B). */

export const STX = 0x02;
export const ETX = 0x03;

export const CMD_STATUS = 0x30;
export const CMD_UNLOCK = 0x31;
export const CMD_STATUS_ALL_BOARDS = 0x32;
/** §B.4 [ONE SOURCE]. */
export const CMD_UNLOCK_ALL = 0x33;
export const REPLY_STATUS = 0x35;
export const REPLY_SCAN = 0x36;
/** §B.4 [ONE SOURCE]: set/query coil time (16-bit, 10 ms units) and its reply. */
export const CMD_UNLOCK_TIME = 0x37;
export const REPLY_UNLOCK_TIME = 0x38;
/** §B.4 [ONE SOURCE]: delayed unlock, one data byte (0–250 s). */
export const CMD_DELAYED_UNLOCK = 0x39;
/** §B.4 [ONE SOURCE]: set baud, one data byte (0=9600, 1=19200, 2=57600, 3=115200). */
export const CMD_SET_BAUD = 0x40;

/** ADDR byte of "every CU on the bus" (§B.3, with 0x32). */
export const ADDR_ALL_BOARDS = 0xf0;

/**
 * Frame length by command byte. The frame has no length field, so the command
 * decides it (§B.2, §B.5); the 0x38 reply layout is not documented and is taken
 * to mirror 0x37.
 */
export const FRAME_LENGTH_BY_CMD: ReadonlyMap<number, number> = new Map([
  [CMD_STATUS, 5],
  [CMD_UNLOCK, 5],
  [CMD_STATUS_ALL_BOARDS, 5],
  [CMD_UNLOCK_ALL, 5],
  [REPLY_STATUS, 9],
  [REPLY_SCAN, 9],
  [CMD_UNLOCK_TIME, 7],
  [REPLY_UNLOCK_TIME, 7],
  [CMD_DELAYED_UNLOCK, 6],
  [CMD_SET_BAUD, 6],
]);

/** High nibble = CU address (§B.3): 16 boards × 16 locks. CartWise's 0x00–0x9F is [CONFLICT]. */
export const BOARD_MAX = 15;
export const LOCKS_PER_BOARD = 16;
/** §B.1 [CONFLICT]: 19200 in three sources, 9600 in one; try 19200 first. */
export const DEFAULT_BAUD_RATE = 19_200;
