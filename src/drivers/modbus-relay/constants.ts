/** Protocol C, Modbus-RTU relay boards used as lock boards (docs/lock-boards.md §C, Waveshare "Modbus RTU Relay (D)"). */

export const FC_READ_COILS = 0x01;
export const FC_READ_DISCRETE_INPUTS = 0x02;
export const FC_WRITE_SINGLE_COIL = 0x05;
/** Set on the function code of an exception reply. */
export const EXCEPTION_FLAG = 0x80;
export const EXCEPTION_ILLEGAL_FUNCTION = 0x01;
export const EXCEPTION_ILLEGAL_ADDRESS = 0x02;

export const COIL_ON = 0xff00;
export const COIL_OFF = 0x0000;
/** Waveshare extension (§C.2 [CONFIRMED]): FC05 at 0x0200 + relay (0-based) pulses it; value = duration in 100 ms steps. */
export const FLASH_ON_BASE = 0x0200;
/** §C.2 [ONE SOURCE]. */
export const FLASH_OFF_BASE = 0x0400;
export const FLASH_UNIT_MS = 100;
/** FC05 to 0x00FF switches every relay (Waveshare); sent off at start-up as a failsafe (§C.3). */
export const ALL_RELAYS_ADDRESS = 0x00ff;

export const DEFAULT_PULSE_MS = 200;
export const SLAVE_MIN = 1;
export const SLAVE_MAX = 247;
export const DEFAULT_BAUD_RATE = 9600;
/** FC05 request/reply and FC01/FC02 requests are 8 bytes; an exception reply is 5. */
export const FIXED_FRAME_LENGTH = 8;
export const EXCEPTION_FRAME_LENGTH = 5;
