/** Protocol A, "8A/80" XOR-BCC lock boards (docs/lock-boards.md §A). */

export const HEAD_OPEN = 0x8a;
export const HEAD_STATUS = 0x80;
export const HEAD_BATCH = 0x90;
export const HEAD_HOLD = 0x9a;
export const HEAD_RELEASE = 0x9b;
/** Push frames some firmware sends unasked; heads differ between sources (§A.5 [CONFLICT] 81 vs 82). Never relied on. */
export const HEAD_PUSH = [0x81, 0x82] as const;

export const FN_OPEN = 0x11;
export const FN_STATUS = 0x33;
/** §A.4 [CONFLICT]: ROS2 doc sends 9A/9B with function 0x11, mxwiser with 0x10. Default: 0x11 (the doc with vectors). */
export const FN_HOLD_DEFAULT = 0x11;

/** Channel byte 0 addresses every channel (open-all, read-all). */
export const CHANNEL_ALL = 0x00;
/** Single status byte: 0x11 = feedback contact made, 0x00 = not (§A.5). */
export const STATUS_ACTIVE = 0x11;
export const STATUS_INACTIVE = 0x00;

export const SHORT_FRAME_LENGTH = 5;
/** 24-ch batch open carries three bitmap bytes (§A.4); the 50-ch form (7 bytes) is [ONE SOURCE]. */
export const BATCH_BITMAP_BYTES = 3;

/**
 * Read-all replies are `80 AA Sn … S1 33 BCC` with 3, 4 or 7 status bytes seen
 * (§A.5, §A.8.3); never derive the length from the channel count. The codec
 * tries every length in this range.
 */
export const READ_ALL_MIN_LENGTH = 6;
export const READ_ALL_MAX_STATUS_BYTES = 7;

/** DIP switches 1,2,4,8,16 → 1–31 (§A.2). Address 0 and 32: UNKNOWN, accepted with a warning. */
export const ADDRESS_MIN = 1;
export const ADDRESS_MAX = 31;
export const DEFAULT_BAUD_RATE = 9600;
