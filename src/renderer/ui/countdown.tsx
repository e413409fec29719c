import { useEffect, useState } from 'preact/hooks';
import { secondsLeft } from '../logic/countdown.js';

const TICK_MS = 250;

/** Seconds left until `until`, counting down live; only this span re-renders each tick. */
export function Countdown({ until, onDone }: { until: number; onDone?: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  const seconds = secondsLeft(until, now);
  useEffect(() => {
    if (seconds === 0) return undefined;
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [seconds === 0]);
  useEffect(() => {
    if (seconds === 0) onDone?.();
  }, [seconds === 0]);
  return (
    <span class="countdown" data-testid="lockout-seconds">
      {seconds}
    </span>
  );
}
