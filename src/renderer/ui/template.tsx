import { Fragment, type ComponentChildren } from 'preact';
import { splitTemplate } from '../logic/format.js';

/** A catalogue sentence with elements in its `{slots}` (a live countdown, the door number): text nodes only, never HTML. */
export function Template({ text, slots }: { text: string; slots: Readonly<Record<string, ComponentChildren>> }) {
  return (
    <>
      {splitTemplate(text).map((part, i) => ('slot' in part ? <Fragment key={i}>{slots[part.slot] ?? null}</Fragment> : <Fragment key={i}>{part.text}</Fragment>))}
    </>
  );
}
