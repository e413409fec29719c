import { describe, expect, it } from 'vitest';
import type { CheckView } from '../../../src/shared/contract.js';
import { CHECK_KINDS, DOOR_OUTCOMES } from '../../../src/shared/domain.js';
import { MESSAGES } from '../../../src/renderer/i18n/messages.js';
import {
  checkQuestion,
  checkQueue,
  doorHelp,
  notOpenedNext,
  pickupOutcomeText,
  screenAfterCheck,
  screenAfterDropoffStart,
  screenAfterPickup,
  screenAfterPickupFailure,
  screenAfterReturnOpen,
  screenForChecks,
  serviceOpenNotice,
} from '../../../src/renderer/logic/door-outcome.js';

const check = (compartmentId: string, kind: CheckView['kind'] = 'dropoff'): CheckView => ({ compartmentId, board: 1, lock: Number(compartmentId), kind, parcelExpected: true, since: 1_000 });

describe('pickup outcomes', () => {
  it('an opened door shows the open door; not-opened and unknown get their own screen with the opens left', () => {
    expect(screenAfterPickup({ outcome: 'opened', compartmentId: '7', reopened: true, opensLeft: 0 }, '123456')).toEqual({ name: 'open', compartmentId: '7', reopened: true, retryCode: null });
    // The code is kept on the open screen only while it has an open left ("Door didn't open?").
    expect(screenAfterPickup({ outcome: 'opened', compartmentId: '7', reopened: false, opensLeft: 1 }, '123456')).toEqual({ name: 'open', compartmentId: '7', reopened: false, retryCode: '123456' });
    expect(screenAfterPickup({ outcome: 'unknown', compartmentId: '7', reopened: false, opensLeft: 1 })).toEqual({ name: 'pickup-outcome', compartmentId: '7', outcome: 'unknown', opensLeft: 1 });
    expect(screenAfterPickup({ outcome: 'not-opened', compartmentId: '7', reopened: false, opensLeft: 0 })).toEqual({ name: 'pickup-outcome', compartmentId: '7', outcome: 'not-opened', opensLeft: 0 });
  });

  it('a pickup whose answer was lost with the link may have opened a door; an answer the agent gave is an error as before', () => {
    expect(screenAfterPickupFailure({ code: 'agent-busy', meta: { linkLost: true } })).toEqual({ name: 'pickup-unknown' });
    expect(screenAfterPickupFailure({ code: 'agent-busy' })).toBeNull();
    expect(screenAfterPickupFailure({ code: 'code-invalid' })).toBeNull();
    expect(screenAfterPickupFailure({ code: 'hardware-unavailable', meta: { linkLost: true } })).toBeNull();
  });

  it('"Door didn\'t open?": a door read open is said to be open; else the grace re-open while the code has one; else staff', () => {
    expect(doorHelp('open', '123456')).toBe('reads-open');
    expect(doorHelp('open', null)).toBe('reads-open');
    expect(doorHelp('closed', '123456')).toBe('reopen');
    expect(doorHelp('unknown', '123456')).toBe('reopen');
    expect(doorHelp('closed', null)).toBe('staff');
    expect(doorHelp('unknown', null)).toBe('staff');
  });

  it('with an open left, the keypad again; with none, the staff contact', () => {
    expect(pickupOutcomeText('unknown', 1)).toEqual({ title: 'doorMaybeTitle', next: 'pickupMaybeRetry', retry: true, support: false });
    expect(pickupOutcomeText('unknown', 0)).toEqual({ title: 'doorMaybeTitle', next: 'pickupMaybeStaff', retry: false, support: true });
    expect(pickupOutcomeText('not-opened', 1)).toEqual({ title: 'doorNotOpenedTitle', next: 'pickupNotOpenedRetry', retry: true, support: false });
    expect(pickupOutcomeText('not-opened', 0)).toEqual({ title: 'doorNotOpenedTitle', next: 'pickupNotOpenedStaff', retry: false, support: true });
  });

  it('never says "failed" for a door that may have opened, names the door, and asks to check it (both languages)', () => {
    for (const opensLeft of [0, 1]) {
      const t = pickupOutcomeText('unknown', opensLeft);
      expect(MESSAGES.en[t.title]).toContain('{door}');
      expect(MESSAGES.zh[t.title]).toContain('{door}');
      expect(`${MESSAGES.en[t.title]} ${MESSAGES.en[t.next]}`).not.toMatch(/fail/i);
      expect(`${MESSAGES.zh[t.title]} ${MESSAGES.zh[t.next]}`).not.toMatch(/失败/);
      expect(MESSAGES.en[t.title]).toMatch(/may have opened: please check/);
    }
    expect(MESSAGES.en[pickupOutcomeText('unknown', 1).next]).toMatch(/type your code again/i);
    expect(MESSAGES.en[pickupOutcomeText('unknown', 0).next]).toMatch(/contact staff/i);
  });
});

describe('courier and technician door outcomes', () => {
  const started = { compartmentId: '7', parcelId: 'p1', board: 1, lock: 7 };

  it('a drop-off door that opened waits for the close; one that stayed shut goes back to the sizes', () => {
    expect(screenAfterDropoffStart({ ...started, outcome: 'opened' }, 5)).toEqual({ name: 'dropoff-open', compartmentId: '7', parcelId: 'p1' });
    expect(screenAfterDropoffStart({ ...started, outcome: 'not-opened' }, 5)).toEqual({ name: 'door-not-opened', compartmentId: '7', back: { name: 'dropoff-size' } });
    expect(notOpenedNext({ name: 'dropoff-size' })).toBe('dropoffNotOpenedNext');
    expect(notOpenedNext({ name: 'return-list' })).toBe('returnNotOpenedNext');
  });

  it('a drop-off door that may have opened asks at once whether a parcel is inside that compartment', () => {
    expect(screenAfterDropoffStart({ ...started, outcome: 'unknown' }, 5)).toEqual({
      name: 'check',
      queue: [{ compartmentId: '7', board: 1, lock: 7, kind: 'dropoff', parcelExpected: false, since: 5 }],
      liveId: '7',
      then: { name: 'dropoff-size' },
    });
  });

  it('a return door shows its outcome; one that stayed shut goes back to the list', () => {
    expect(screenAfterReturnOpen({ outcome: 'opened', compartmentId: '4' })).toEqual({ name: 'return-open', compartmentId: '4', outcome: 'opened' });
    expect(screenAfterReturnOpen({ outcome: 'unknown', compartmentId: '4' })).toEqual({ name: 'return-open', compartmentId: '4', outcome: 'unknown' });
    expect(screenAfterReturnOpen({ outcome: 'not-opened', compartmentId: '4' })).toEqual({ name: 'door-not-opened', compartmentId: '4', back: { name: 'return-list' } });
  });

  it('the technician notice says each outcome, a warning unless the door opened', () => {
    expect(DOOR_OUTCOMES.map((o) => serviceOpenNotice(o))).toEqual([
      { kind: 'ok', text: 'svcOpened' },
      { kind: 'warn', text: 'svcNotOpened' },
      { kind: 'warn', text: 'svcMaybeOpened' },
    ]);
  });
});

describe('refusals a second try cannot change', () => {
  it('"storage full" reads to a customer as a cabinet out of service, and the open limit sends them to staff', () => {
    expect(MESSAGES.en.errors['storage-full'].title).toMatch(/temporarily out of service/i);
    expect(MESSAGES.zh.errors['storage-full'].title).toContain('暂停服务');
    expect(MESSAGES.en.errors['code-open-limit'].next).toMatch(/contact staff/i);
  });
});

describe('needs-check questions', () => {
  it('each kind has its own question naming the door, in both languages', () => {
    const keys = CHECK_KINDS.map((k) => checkQuestion(k, false));
    expect(keys).toEqual(['checkDropoff', 'checkReturn', 'checkOpened', 'checkOpened']);
    expect(checkQuestion('dropoff', true)).toBe('checkLive');
    for (const key of [...keys, 'checkLive' as const]) {
      expect(MESSAGES.en[key]).toContain('{door}');
      expect(MESSAGES.zh[key]).toContain('{door}');
    }
    expect(MESSAGES.en.checkReturn).toMatch(/return was interrupted.*still inside\?/);
  });

  it('orders the queue: the compartment asked about first, each once', () => {
    const listed = [check('3'), check('7'), check('9')];
    expect(checkQueue(listed).map((c) => c.compartmentId)).toEqual(['3', '7', '9']);
    expect(checkQueue(listed, '9').map((c) => c.compartmentId)).toEqual(['9', '3', '7']);
    expect(checkQueue(listed, '5').map((c) => c.compartmentId)).toEqual(['3', '7', '9']);
    const live = check('7', 'technician');
    expect(checkQueue(listed, live)).toEqual([live, check('3'), check('9')]);
  });

  it('no check waiting leads straight to the staff home', () => {
    expect(screenForChecks([], { name: 'courier-menu' })).toEqual({ name: 'courier-menu' });
    expect(screenForChecks([check('3')], { name: 'service' })).toEqual({ name: 'check', queue: [check('3')], liveId: null, then: { name: 'service' } });
  });

  it('"stored" shows the issued code, then the next question, then home; other answers go straight on', () => {
    const home = { name: 'courier-menu' } as const;
    const stored = { compartmentId: '3', resolution: 'stored' as const, code: '123456', expiresAt: 9_000 };
    expect(screenAfterCheck(stored, [check('7')], home)).toEqual({
      name: 'dropoff-code',
      compartmentId: '3',
      code: '123456',
      expiresAt: 9_000,
      then: { name: 'check', queue: [check('7')], liveId: null, then: home },
    });
    expect(screenAfterCheck(stored, [], home)).toEqual({ name: 'dropoff-code', compartmentId: '3', code: '123456', expiresAt: 9_000, then: home });
    for (const resolution of ['freed', 'kept', 'removed'] as const) {
      expect(screenAfterCheck({ compartmentId: '3', resolution, code: null, expiresAt: null }, [], home)).toEqual(home);
    }
  });
});
