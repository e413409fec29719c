import { useEffect, useState } from 'preact/hooks';
import { secondsLeft } from '../logic/countdown.js';
import { idleWarnMs } from '../logic/door-wait.js';
import type { IdleTimer } from '../logic/idle-timer.js';
import { fill } from '../logic/format.js';
import { useMessages } from './context.js';

const TICK_MS = 250;

/**
 * "Back to the start in N s" with "Need more time?" for the last seconds of
 * a customer screen's idle wait. It reads the timer's deadline on its own
 * tick and re-renders only when the seconds it shows change, so a key press
 * elsewhere costs it nothing; the button (like any tap) starts the wait again.
 */
export function IdleCountdown({ idle }: { idle: IdleTimer }) {
  const m = useMessages();
  const [seconds, setSeconds] = useState<number | null>(null);
  useEffect(() => {
    const tick = (): void => {
      const deadline = idle.deadline;
      const now = Date.now();
      const show = deadline !== null && deadline - now <= idleWarnMs(idle.afterMs);
      setSeconds(show ? secondsLeft(deadline, now) : null);
    };
    tick();
    const timer = setInterval(tick, TICK_MS);
    return () => clearInterval(timer);
  }, [idle]);
  if (seconds === null) return null;
  return (
    <div class="idle-countdown" role="status" data-testid="idle-countdown">
      <span data-testid="idle-seconds" data-seconds={seconds}>
        {fill(m.idleCountdown, { seconds })}
      </span>
      <button
        type="button"
        class="btn btn-primary"
        data-testid="idle-more"
        onClick={() => {
          idle.touch();
          setSeconds(null);
        }}
      >
        {m.needMoreTime}
      </button>
    </div>
  );
}
