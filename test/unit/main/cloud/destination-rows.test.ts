import { describe, expect, it } from 'vitest';
import { destinationRows } from '../../../../src/main/ui/contract-handlers.js';

describe('service-mode outbox rows', () => {
  it('puts configured destinations first with their connection, then queues no sender drains', () => {
    const rows = destinationRows(
      { 'webhook-acme': { pending: 3, dead: 1, skipped: 0 }, export: { pending: 9, dead: 0, skipped: 2 } },
      [
        { name: 'dingshang', state: 'online', lastError: null },
        { name: 'webhook-acme', state: 'paused', lastError: 'HTTP 401' },
      ],
    );
    expect(rows).toEqual([
      { destination: 'dingshang', pending: 0, dead: 0, skipped: 0, state: 'online', lastError: null },
      { destination: 'webhook-acme', pending: 3, dead: 1, skipped: 0, state: 'paused', lastError: 'HTTP 401' },
      { destination: 'export', pending: 9, dead: 0, skipped: 2, state: 'queue-only', lastError: null },
    ]);
  });
});
