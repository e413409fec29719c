import { createContext } from 'preact';
import { useContext, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { CabinetOverview, ContractError, HealthView, Language, SessionInfo } from '../../shared/contract.js';
import type { ConnectionState, KioskApi } from '../api/kiosk-api.js';
import { MESSAGES, type Messages } from '../i18n/messages.js';
import type { Screen } from '../logic/screens.js';
import { createStore, type Store } from '../logic/store.js';
import type { Sound } from './sound.js';
import type { Voice } from './voice.js';

/** Live data pushed by main; components subscribe with `useStore`, so the app itself does not re-render. */
export interface Stores {
  health: Store<HealthView | null>;
  overview: Store<CabinetOverview | null>;
  connection: Store<ConnectionState>;
}

export function createStores(): Stores {
  return { health: createStore<HealthView | null>(null), overview: createStore<CabinetOverview | null>(null), connection: createStore<ConnectionState>('connecting') };
}

export interface Nav {
  /** Shows `screen` (a fresh instance: its state starts over). */
  go(screen: Screen): void;
  /** The error screen for `error`; its button leads to `back`. */
  fail(error: ContractError, back: Screen): void;
  /** Back to the attract screen; `fresh` also restores the default language (the next person). */
  home(fresh?: boolean): void;
  /** Ends the staff session (fire-and-forget) and goes home. */
  logout(): void;
  toggleLanguage(): void;
}

export interface Services {
  api: KioskApi;
  info: SessionInfo;
  stores: Stores;
  sound: Sound;
  /** Spoken prompts and the locator chime (ui/voice.ts). */
  voice: Voice;
  nav: Nav;
  /** `keypad.activity`, throttled to once a second. */
  activity(): void;
  /** Re-reads `cabinet.overview` into the store (pushed events keep it fresh between). */
  refreshOverview(): void;
  /** A pickup's door screen says whether its door is known closed: the idle timeout waits for it (screens.ts idlePolicy). */
  doorClosed(closed: boolean): void;
}

export const ServicesContext = createContext<Services | null>(null);
export const MessagesContext = createContext<Messages>(MESSAGES.zh);
export const LanguageContext = createContext<Language>('zh');

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside <ServicesContext.Provider>');
  return services;
}

export function useMessages(): Messages {
  return useContext(MessagesContext);
}

export function useLanguage(): Language {
  return useContext(LanguageContext);
}

export function useStore<T>(store: Store<T>): T {
  const [value, setValue] = useState<T>(() => store.get());
  useLayoutEffect(() => {
    setValue(() => store.get());
    return store.subscribe((next) => setValue(() => next));
  }, [store]);
  return value;
}

/** False once the component unmounted: an answer that arrives after navigation is ignored. */
export function useAlive(): { readonly current: boolean } {
  const alive = useRef(true);
  useLayoutEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  return alive;
}

/**
 * A `keydown` listener on the document while the component is mounted.
 * Attached in a layout effect, i.e. in the same task as the render: a
 * scanner's next key (one task later) already finds it.
 */
export function useDocumentKeys(handler: (e: KeyboardEvent) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useLayoutEffect(() => {
    const listener = (e: KeyboardEvent) => ref.current(e);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);
}
