import type { ComponentChildren } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Messages } from '../i18n/messages.js';
import type { ScreenName } from '../logic/screens.js';
import { createStore } from '../logic/store.js';
import { useMessages, useServices, useStore } from './context.js';
import { Support } from './widgets.js';

/**
 * The two display modes a customer may need: high contrast (black on white,
 * heavy outlines) and large text (a quarter larger, the layouts reflow). Set
 * from the "Display" button on every screen, shown as `data-contrast` and
 * `data-text` on <html>; the next customer starts with neither: they reset
 * when the screen goes back to the start on its own or after a finished visit
 * (`resetDisplayModes` in the app's `home(fresh)`).
 */
export interface DisplayModes {
  highContrast: boolean;
  largeText: boolean;
}

const DEFAULT_MODES: DisplayModes = { highContrast: false, largeText: false };
export const displayModes = createStore<DisplayModes>(DEFAULT_MODES);

export function resetDisplayModes(): void {
  displayModes.set(DEFAULT_MODES);
}

/** Mirrors the modes on the root element, where the stylesheet reads them. */
export function useDisplayModesOnRoot(): void {
  const modes = useStore(displayModes);
  useLayoutEffect(() => {
    const root = document.documentElement;
    if (modes.highContrast) root.dataset['contrast'] = 'high';
    else delete root.dataset['contrast'];
    if (modes.largeText) root.dataset['text'] = 'large';
    else delete root.dataset['text'];
  }, [modes]);
}

/** A titled modal with one Close button; focus moves into it and back to the button that opened it. */
function Dialog({ title, testId, onClose, children }: { title: string; testId: string; onClose: () => void; children: ComponentChildren }) {
  const m = useMessages();
  const titleId = useId();
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    close.current?.focus();
    return () => opener?.focus();
  }, []);
  return (
    <div class="modal" role="presentation" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog chrome-dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={testId}>
        <h2 id={titleId}>{title}</h2>
        <div class="chrome-dialog-body">{children}</div>
        <div class="dialog-actions">
          <button type="button" class="btn btn-primary" data-testid={`${testId}-close`} ref={close} onClick={onClose}>
            {m.helpClose}
          </button>
        </div>
      </div>
    </div>
  );
}

function helpFor(m: Messages, screen: ScreenName): string {
  return (m.help as Partial<Record<ScreenName, string>>)[screen] ?? m.helpOther;
}

/** "Help": what this screen is for and what to do, and the support contact. */
export function HelpButton({ screen }: { screen: ScreenName }) {
  const { info } = useServices();
  const m = useMessages();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" class="chrome-button" data-testid="help" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <span class="chrome-icon" aria-hidden="true">
          ?
        </span>
        {m.helpButton}
      </button>
      {open ? (
        <Dialog title={m.helpTitle} testId="help-dialog" onClose={() => setOpen(false)}>
          <p class="help-text" data-testid="help-text" data-screen={screen}>
            {helpFor(m, screen)}
          </p>
          {info.supportPhone || info.supportQr ? <Support /> : <p class="muted">{m.helpNoSupport}</p>}
        </Dialog>
      ) : null}
    </>
  );
}

/** "Display": high contrast and large text, each a pressed/unpressed button. */
export function DisplayButton() {
  const m = useMessages();
  const modes = useStore(displayModes);
  const [open, setOpen] = useState(false);
  const toggle = (key: keyof DisplayModes) => displayModes.set({ ...displayModes.get(), [key]: !displayModes.get()[key] });
  return (
    <>
      <button type="button" class="chrome-button" data-testid="display-modes" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <span class="chrome-icon" aria-hidden="true">
          {m.displayIcon}
        </span>
        {m.displayButton}
      </button>
      {open ? (
        <Dialog title={m.displayTitle} testId="display-dialog" onClose={() => setOpen(false)}>
          <div class="mode-toggles">
            <button type="button" class="btn btn-secondary mode-toggle" data-testid="mode-contrast" aria-pressed={modes.highContrast ? 'true' : 'false'} onClick={() => toggle('highContrast')}>
              {m.displayContrast}
            </button>
            <button type="button" class="btn btn-secondary mode-toggle" data-testid="mode-large-text" aria-pressed={modes.largeText ? 'true' : 'false'} onClick={() => toggle('largeText')}>
              {m.displayLargeText}
            </button>
          </div>
          <p class="muted">{m.displayResetNote}</p>
        </Dialog>
      ) : null}
    </>
  );
}
