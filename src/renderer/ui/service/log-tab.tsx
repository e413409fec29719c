import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { CallOutput } from '../../../shared/contract.js';
import { fill } from '../../logic/format.js';
import { useMessages, useServices } from '../context.js';
import { NoticeLine, RefreshButton, useServiceCalls, useTabLoad } from './common.js';

/** Lines fetched from `service.logTail`. */
export const LOG_TAIL_LINES = 200;

/** The last lines of the agent's log, newest at the bottom (scrolled into view). */
export function LogTab({ active }: { active: boolean }) {
  const { api } = useServices();
  const m = useMessages();
  const [tail, setTail] = useState<CallOutput<'service.logTail'> | null>(null);
  const { busy, notice, run } = useServiceCalls();
  const pre = useRef<HTMLPreElement>(null);
  const load = (): void => void run(api.call('service.logTail', { lines: LOG_TAIL_LINES }), setTail);
  useTabLoad(active, load);
  useLayoutEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [tail]);

  return (
    <div class="svc-tab svc-log">
      <div class="svc-toolbar">
        <span class="muted mono">{tail ? (tail.file ? fill(m.logFile, { file: tail.file }) : m.logNoFile) : ''}</span>
        {active ? <RefreshButton onClick={load} busy={busy} /> : null}
      </div>
      {active ? <NoticeLine notice={notice} /> : null}
      {tail ? (
        // Focusable, so the log scrolls from a keyboard too (axe: scrollable-region-focusable).
        <pre class="log" ref={pre} data-testid="svc-log" tabIndex={0} role="region" aria-label={m.tabLog}>
          {tail.lines.length === 0 ? m.logEmpty : tail.lines.join('\n')}
        </pre>
      ) : null}
    </div>
  );
}
