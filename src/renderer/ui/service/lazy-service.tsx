import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * Service mode is a technician's, never a customer's first screen: its code
 * (five tabs, the Setup wizard) is its own chunk, fetched when the technician
 * PIN screen opens, so it is not in the way of the keypad.
 */
let loaded: FunctionComponent | null = null;
let loading: Promise<FunctionComponent> | null = null;

export function prefetchServiceScreen(): Promise<FunctionComponent> {
  loading ??= import('./service-screen.js').then((m) => (loaded = m.ServiceScreen));
  return loading;
}

export function LazyServiceScreen() {
  const [Screen, setScreen] = useState<FunctionComponent | null>(() => loaded);
  useEffect(() => {
    if (Screen === null) void prefetchServiceScreen().then((s) => setScreen(() => s));
  }, [Screen]);
  return Screen === null ? <section class="service" aria-busy="true" data-testid="service-loading" /> : <Screen />;
}
