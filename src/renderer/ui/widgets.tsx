import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { fill } from '../logic/format.js';
import { useLanguage, useMessages, useServices } from './context.js';
import { QrCode } from './qr-code.js';

/**
 * On every screen: shows the other language's name, in that language. The
 * spoken name starts with "Switch language" (hidden text) and holds the
 * visible name, so a voice user can say what they see.
 */
export function LangToggle({ onToggle }: { onToggle: () => void }) {
  const m = useMessages();
  const other = useLanguage() === 'zh' ? 'en' : 'zh';
  return (
    <button type="button" class="lang-toggle" data-testid="lang-toggle" onClick={onToggle}>
      <span class="sr-only">{m.langToggleLabel}: </span>
      <span lang={other}>{m.langToggle}</span>
    </button>
  );
}

/** The support phone and QR code from `session.info`, when configured. */
export function Support() {
  const { info } = useServices();
  const m = useMessages();
  if (!info.supportPhone && !info.supportQr) return null;
  return (
    <aside class="support" data-testid="support">
      <div class="support-text">
        <strong>{m.supportTitle}</strong>
        {info.supportPhone ? (
          <span class="support-phone" data-testid="support-phone">
            {fill(m.supportPhone, { phone: info.supportPhone })}
          </span>
        ) : null}
        {info.supportQr ? <span>{m.supportQr}</span> : null}
      </div>
      {info.supportQr ? <QrCode text={info.supportQr} label={m.supportQr} /> : null}
    </aside>
  );
}

/**
 * A modal yes/no. `swapped` puts "yes" where "no" was: the second of two
 * confirmations cannot be passed by an accidental double tap.
 */
export function ConfirmDialog({ text, onYes, onNo, yes, no, swapped = false }: { text: string; onYes: () => void; onNo: () => void; yes: string; no: string; swapped?: boolean }) {
  // The question is the dialog's name: a screen reader says it as the dialog opens.
  const textId = useId();
  return (
    <div class="modal" role="presentation">
      <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby={textId}>
        <p class="dialog-text" id={textId}>
          {text}
        </p>
        <div class={`dialog-actions${swapped ? ' is-swapped' : ''}`}>
          <button type="button" class="btn btn-secondary" data-testid="confirm-no" onClick={onNo}>
            {no}
          </button>
          <button type="button" class="btn btn-danger" data-testid="confirm-yes" onClick={onYes}>
            {yes}
          </button>
        </div>
      </div>
    </div>
  );
}

export function Spinner() {
  return <i class="spinner" aria-hidden="true" />;
}

/** A big door number inside a catalogue sentence ("Door {door} is open"). */
export function DoorNumber({ id }: { id: string }) {
  return (
    <span class="door-number" data-testid="door-number">
      {id}
    </span>
  );
}

export function Icon({ name }: { name: 'parcel' | 'backspace' | 'eye' | 'eye-off' | 'alert' | 'check' | 'door' }) {
  return (
    <svg class={`icon icon-${name}`} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      {ICONS[name]}
    </svg>
  );
}

const ICONS: Record<string, ComponentChildren> = {
  parcel: (
    <>
      <path d="M3 7.5 12 3l9 4.5v9L12 21l-9-4.5z" />
      <path d="M3 7.5 12 12l9-4.5M12 12v9M7.5 5.25l9 4.5" />
    </>
  ),
  backspace: (
    <>
      <path d="M21 5H8.5L2 12l6.5 7H21z" />
      <path d="m11 9 6 6m0-6-6 6" />
    </>
  ),
  eye: (
    <>
      <path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z" />
      <circle cx="12" cy="12" r="3" />
    </>
  ),
  'eye-off': (
    <>
      <path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z" />
      <path d="M3 3l18 18" />
    </>
  ),
  alert: (
    <>
      <circle cx="12" cy="12" r="9.5" />
      <path d="M12 7v6m0 3.5v.5" />
    </>
  ),
  check: (
    <>
      <circle cx="12" cy="12" r="9.5" />
      <path d="m7.5 12.5 3 3 6-6.5" />
    </>
  ),
  door: (
    <>
      <rect x="5" y="3" width="14" height="18" rx="1" />
      <path d="M15 12h.01" />
    </>
  ),
};
