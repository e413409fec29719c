/**
 * What the flows need from the outside, as narrow as they use it. The
 * composition root (src/main) passes in objects that satisfy these; nothing
 * here names a vendor, a transport or the agent. The code-source port is
 * shared with the vendors that implement it.
 */
export type { CodeSource, PulledCode } from '../shared/code-source.js';
