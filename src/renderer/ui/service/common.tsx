import { useEffect, useRef, useState } from 'preact/hooks';
import type { CallName, CallOutput, CallResult, ContractError } from '../../../shared/contract.js';
import { useAlive, useMessages, useServices } from '../context.js';

/** `warn`: the call worked but the door did not open, or may have (service.open's outcome). */
export type Notice = { kind: 'ok' | 'warn'; text: string } | { kind: 'error'; error: ContractError };

/**
 * Runs service calls with one busy flag and one notice line. A lost staff
 * session (`not-authorised`) leaves service mode through the error screen;
 * any other failure stays on the tab as a notice.
 */
export function useServiceCalls() {
  const { nav } = useServices();
  const alive = useAlive();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const run = async <N extends CallName>(pending: Promise<CallResult<N>>, onOk: (value: CallOutput<N>) => void): Promise<void> => {
    setBusy(true);
    setNotice(null);
    const result = await pending;
    if (!alive.current) return;
    setBusy(false);
    if (result.ok) onOk(result.value);
    else if (result.error.code === 'not-authorised') nav.fail(result.error, { name: 'service' });
    else setNotice({ kind: 'error', error: result.error });
  };
  return { busy, notice, setNotice, run };
}

export function NoticeLine({ notice }: { notice: Notice | null }) {
  const m = useMessages();
  if (!notice) return null;
  if (notice.kind !== 'error') {
    return (
      <p class={`notice notice-${notice.kind}`} role="status" data-testid="svc-notice" data-kind={notice.kind}>
        {notice.text}
      </p>
    );
  }
  const text = m.errors[notice.error.code];
  return (
    <div class="notice notice-error" role="alert" data-testid="svc-error" data-error-code={notice.error.code}>
      <strong>{text.title}</strong>
      <span>{text.next}</span>
      {/* The technician screen may show main's message (plain text, never HTML). */}
      {notice.error.message ? <code class="notice-detail">{notice.error.message}</code> : null}
    </div>
  );
}

export function RefreshButton({ onClick, busy }: { onClick: () => void; busy: boolean }) {
  const m = useMessages();
  return (
    <button type="button" class="btn btn-secondary" data-testid="svc-refresh" disabled={busy} onClick={onClick}>
      {m.refresh}
    </button>
  );
}

/** Loads once on entering service mode (the tab still hidden) and again each time the tab is shown. */
export function useTabLoad(active: boolean, load: () => void): void {
  const loaded = useRef(false);
  useEffect(() => {
    if (!active && loaded.current) return;
    loaded.current = true;
    load();
  }, [active]);
}
