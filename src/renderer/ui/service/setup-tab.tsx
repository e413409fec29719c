import type { ComponentChildren } from 'preact';
import { useEffect, useId, useReducer, useState } from 'preact/hooks';
import type { CommissionBus, ContractError, MappedDoorView } from '../../../shared/contract.js';
import { assertNever, COMPARTMENT_SIZES, type CompartmentSize } from '../../../shared/domain.js';
import { fill } from '../../logic/format.js';
import { idProblem, lockOrder, proposedDoor, pulseTone, SETUP_START, setupReducer, setupRunning, type IdProblem, type LockRef, type PulseOutcome, type SetupEvent, type SetupSaved, type SetupStart, type SetupState } from '../../logic/setup-flow.js';
import type { Messages } from '../../i18n/messages.js';
import { useMessages, useServices } from '../context.js';
import { ConfirmDialog, Icon, Spinner } from '../widgets.js';
import { useServiceCalls } from './common.js';

/**
 * Commissioning from the screen: start (which closes the cabinet to
 * customers), scan the line, walk the locks one by one (pulse, say which
 * compartment opened), review, write. Nothing is called on mount: only
 * "Start setup" begins. `onRunning` tells service mode whether setup holds
 * the cabinet, so leaving service mode can let it go.
 */
export function SetupTab({ onRunning }: { onRunning?: (running: boolean) => void }) {
  const { api } = useServices();
  const [state, dispatch] = useReducer(setupReducer, SETUP_START);
  const { busy, notice, setNotice, run } = useServiceCalls();
  const [scanning, setScanning] = useState(false);
  const [progress, setProgress] = useState<ScanProgress | null>(null);
  const [pulse, setPulse] = useState<{ at: LockRef; outcome: PulseOutcome | 'pulsing' } | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const running = setupRunning(state);
  useEffect(() => onRunning?.(running), [running]);

  const begin = (): void => void run(api.call('commission.begin', {}), (start) => dispatch({ type: 'begun', start }));
  const scan = (): void => {
    setScanning(true);
    setProgress(null);
    // Subscribed before the call leaves: the agent tells this screen each rate and protocol it tries, and each board that answers.
    const off = api.onEvent((e) => {
      if (e.type === 'commission-scan') setProgress((p) => ({ protocol: e.protocol, baudRate: e.baudRate, found: e.found ? [...(p?.found ?? []), e.found.address] : (p?.found ?? []) }));
    });
    void run(api.call('commission.scan', {}), (bus) => dispatch({ type: 'scanned', bus })).finally(() => {
      off();
      setScanning(false);
    });
  };
  const pulseLock = (at: LockRef): void => {
    setPulse({ at, outcome: 'pulsing' });
    // A failed pulse says why in the error line; its spinner goes.
    void run(api.call('commission.pulse', at), (v) => setPulse({ at, outcome: v.outcome })).finally(() => setPulse((p) => (p?.outcome === 'pulsing' ? null : p)));
  };
  const save = (): void => void run(api.call('commission.save', { doors: state.mapped }), (saved) => dispatch({ type: 'saved', saved }));
  const cancel = (): void => {
    setConfirmCancel(false);
    void run(api.call('commission.cancel', {}), () => dispatch({ type: 'left' }));
  };
  const askCancel = (): void => (state.mapped.length ? setConfirmCancel(true) : cancel());
  const step = (event: SetupEvent): void => {
    setNotice(null);
    dispatch(event);
  };

  return (
    <div class="svc-tab setup" data-testid="setup" data-step={state.step}>
      {running ? (
        <SetupToolbar busy={busy} onCancel={askCancel}>
          <SetupHeading state={state} />
        </SetupToolbar>
      ) : null}
      {notice?.kind === 'error' ? <SetupFailure error={notice.error} /> : null}
      <SetupStepView state={state} busy={busy} scanning={scanning} progress={progress} pulse={pulse} onBegin={begin} onScan={scan} onPulse={pulseLock} onSave={save} onStep={step} />
      {confirmCancel ? <CancelDialog count={state.mapped.length} onYes={cancel} onNo={() => setConfirmCancel(false)} /> : null}
    </div>
  );
}

interface StepProps {
  state: SetupState;
  busy: boolean;
  scanning: boolean;
  progress: ScanProgress | null;
  pulse: { at: LockRef; outcome: PulseOutcome | 'pulsing' } | null;
  onBegin(): void;
  onScan(): void;
  onPulse(at: LockRef): void;
  onSave(): void;
  onStep(event: SetupEvent): void;
}

/** The step showing now: the story reads top to bottom here. */
function SetupStepView({ state, busy, scanning, progress, pulse, onBegin, onScan, onPulse, onSave, onStep }: StepProps) {
  const m = useMessages();
  const locks = lockOrder(state.bus);
  switch (state.step) {
    case 'intro':
      return <SetupIntro busy={busy} onStart={onBegin} />;
    case 'line':
      return <LineStep bus={state.bus} scanning={scanning} progress={progress} busy={busy} onScan={onScan} onMap={() => onStep({ type: 'map' })} />;
    case 'mapping': {
      const at = locks[state.at];
      if (!at || !state.start) return null;
      return (
        <>
          <MapLock
            key={`${at.board}/${at.lock}`}
            at={at}
            proposal={proposedDoor(at, state.start.current, state.mapped)}
            mapped={state.mapped}
            outcome={pulse && pulse.at.board === at.board && pulse.at.lock === at.lock ? pulse.outcome : null}
            busy={busy}
            onPulse={() => onPulse(at)}
            onDoor={(door) => onStep({ type: 'door', door })}
            onSkip={() => onStep({ type: 'skip' })}
            onFinish={() => onStep({ type: 'finish' })}
          />
          <MappedDoors doors={state.mapped} compact />
        </>
      );
    }
    case 'review':
      return <ReviewStep doors={state.mapped} canWrite={state.start?.configFile != null} busy={busy} onWrite={onSave} onBack={() => onStep({ type: 'back-to-mapping' })} />;
    case 'saved':
      return state.saved ? <SetupEnd text={savedText(m, state.saved)} /> : null;
    case 'left':
      return <SetupEnd text={m.setupLeaving} />;
    default:
      return assertNever(state.step, 'setup step');
  }
}

/** 1. What setup does and what it costs: the cabinet closes for customers until the agent restarts. */
function SetupIntro({ busy, onStart }: { busy: boolean; onStart(): void }) {
  const m = useMessages();
  return (
    <div class="setup-step setup-intro">
      <h2>{m.setupIntroTitle}</h2>
      <p>{m.setupIntroText}</p>
      <p class="notice notice-warn" data-testid="setup-warning">
        {m.setupIntroWarning}
      </p>
      <div class="actions">
        <button type="button" class="btn btn-warning" data-testid="setup-start" disabled={busy} onClick={onStart}>
          {m.setupStart}
        </button>
      </div>
    </div>
  );
}

/** The way out, on every step until setup ends, beside what the step is about. */
function SetupToolbar({ busy, onCancel, children }: { busy: boolean; onCancel(): void; children: ComponentChildren }) {
  const m = useMessages();
  return (
    <div class="setup-toolbar">
      <div class="setup-heading">{children}</div>
      <button type="button" class="btn btn-secondary" data-testid="setup-cancel" disabled={busy} onClick={onCancel}>
        {m.setupCancel}
      </button>
    </div>
  );
}

/** Mapping: the lock and how far along; otherwise where setup works (port, file). */
function SetupHeading({ state }: { state: SetupState }) {
  const m = useMessages();
  const locks = lockOrder(state.bus);
  const at = state.step === 'mapping' ? locks[state.at] : undefined;
  if (at) {
    return (
      <>
        <h2 class="setup-lock-title">{fill(m.boardLock, { board: at.board, lock: at.lock })}</h2>
        <p class="muted" data-testid="setup-progress">
          {fill(m.setupProgress, { n: state.at + 1, total: locks.length, mapped: state.mapped.length })}
        </p>
      </>
    );
  }
  return state.start ? <StartFacts start={state.start} /> : null;
}

function StartFacts({ start }: { start: SetupStart }) {
  const m = useMessages();
  return (
    <div class="setup-facts" data-testid="setup-facts" data-simulator={start.simulator ? 'true' : 'false'}>
      <dl class="facts">
        <dt>{m.setupPort}</dt>
        <dd class="mono wrap" data-testid="setup-port">
          {start.simulator ? fill(m.setupPortSimulator, { port: start.port }) : start.port}
        </dd>
        {start.configFile ? (
          <>
            <dt>{m.setupConfigFile}</dt>
            <dd class="mono wrap" data-testid="setup-config-file">
              {start.configFile}
            </dd>
          </>
        ) : null}
      </dl>
      {start.configFile ? null : (
        <p class="notice notice-warn" data-testid="setup-no-config">
          {m.setupNoConfigFile}
        </p>
      )}
    </div>
  );
}

/** 2. Scan the line (a status read on every protocol, rate and address), then what answered. */
/** Where a running scan is: the protocol and rate being tried, the board addresses that answered so far. */
interface ScanProgress {
  protocol: string;
  baudRate: number;
  found: number[];
}

function LineStep({ bus, scanning, progress, busy, onScan, onMap }: { bus: CommissionBus | null; scanning: boolean; progress: ScanProgress | null; busy: boolean; onScan(): void; onMap(): void }) {
  const m = useMessages();
  const [tried, setTried] = useState(false);
  return (
    <div class="setup-step">
      <div class="actions">
        <button
          type="button"
          class={`btn ${bus ? 'btn-secondary' : 'btn-primary'}`}
          data-testid="setup-scan"
          disabled={busy}
          onClick={() => {
            setTried(true);
            onScan();
          }}
        >
          {tried || bus ? m.setupScanAgain : m.setupScan}
        </button>
        {bus && !scanning ? (
          <button type="button" class="btn btn-primary" data-testid="setup-map" disabled={busy || lockOrder(bus).length === 0} onClick={onMap}>
            {m.setupMapStart}
          </button>
        ) : null}
      </div>
      {scanning ? (
        <p class="setup-waiting" role="status" data-testid="setup-scanning">
          <Spinner />
          <span>{m.setupScanning}</span>
          {progress ? (
            <span class="muted" data-testid="setup-scan-progress" data-found={progress.found.join(',')}>
              {fill(m.setupScanTrying, { protocol: progress.protocol, baud: progress.baudRate })}
              {progress.found.length ? ` · ${fill(m.setupScanFound, { boards: progress.found.join(', ') })}` : ''}
            </span>
          ) : null}
        </p>
      ) : bus ? (
        <BusSummary bus={bus} />
      ) : null}
    </div>
  );
}

function BusSummary({ bus }: { bus: CommissionBus }) {
  const m = useMessages();
  return (
    <div class="setup-bus" data-testid="setup-bus" data-protocol={bus.protocol} data-baud={bus.baudRate}>
      <h2 class="mono">{fill(m.setupLine, { protocol: bus.protocol, baud: bus.baudRate })}</h2>
      <ul class="setup-boards">
        {bus.boards.map((b) => (
          <li key={b.address} data-testid="setup-board" data-address={b.address} data-locks={b.locks}>
            {fill(m.setupBoard, { board: b.address, locks: b.locks })}
          </li>
        ))}
      </ul>
      {bus.leftOut.map((b) => (
        <p key={b.address} class="notice notice-warn" data-testid="setup-left-out" data-address={b.address}>
          {fill(m.setupLeftOut, { board: b.address, rates: b.baudRates.join('/') })}
        </p>
      ))}
    </div>
  );
}

interface MapLockProps {
  at: LockRef;
  proposal: { compartment: string; size: CompartmentSize };
  mapped: readonly MappedDoorView[];
  outcome: PulseOutcome | 'pulsing' | null;
  busy: boolean;
  onPulse(): void;
  onDoor(door: MappedDoorView): void;
  onSkip(): void;
  onFinish(): void;
}

/** 3. One lock: pulse it, see what it did, say which compartment it is (keyed by lock, so each starts fresh). */
function MapLock({ at, proposal, mapped, outcome, busy, onPulse, onDoor, onSkip, onFinish }: MapLockProps) {
  const m = useMessages();
  const [id, setId] = useState(proposal.compartment);
  const [size, setSize] = useState<CompartmentSize>(proposal.size);
  const [problem, setProblem] = useState<IdProblem | null>(null);
  const submit = (e?: Event): void => {
    e?.preventDefault();
    if (busy) return;
    const found = idProblem(id, at, mapped);
    setProblem(found);
    if (!found) onDoor({ board: at.board, lock: at.lock, compartment: id.trim(), size });
  };
  return (
    <form class="setup-step setup-map" data-testid="setup-lock" data-board={at.board} data-lock={at.lock} onSubmit={submit}>
      <div class="setup-map-lock">
        <div class="actions">
          <button type="button" class="btn btn-primary" data-testid="setup-pulse" disabled={busy} onClick={onPulse}>
            {outcome === null ? m.setupPulse : m.setupPulseAgain}
          </button>
        </div>
        <PulseOutcomeLine outcome={outcome} />
        <p class="muted">{m.setupMapHint}</p>
      </div>
      <div class="setup-map-door">
        <IdField
          value={id}
          problem={problem}
          onChange={(next) => {
            setId(next);
            setProblem(null);
          }}
        />
        <SizePicker value={size} onChange={setSize} />
        <div class="actions setup-map-actions">
          <button type="submit" class="btn btn-primary" data-testid="setup-next" disabled={busy}>
            {m.setupSaveNext}
          </button>
          <button type="button" class="btn btn-secondary" data-testid="setup-skip" disabled={busy} onClick={onSkip}>
            {m.setupSkip}
          </button>
          <button type="button" class="btn btn-secondary" data-testid="setup-finish" disabled={busy} onClick={onFinish}>
            {m.setupFinish}
          </button>
        </div>
      </div>
    </form>
  );
}

function PulseOutcomeLine({ outcome }: { outcome: PulseOutcome | 'pulsing' | null }) {
  const m = useMessages();
  if (outcome === null) return null;
  if (outcome === 'pulsing') {
    return (
      <p class="setup-waiting" role="status" data-testid="setup-outcome" data-outcome="pulsing">
        <Spinner />
        <span>{m.setupPulsing}</span>
      </p>
    );
  }
  return (
    <p class={`notice notice-${pulseTone(outcome)}`} role="status" data-testid="setup-outcome" data-outcome={outcome}>
      {m.pulseOutcomes[outcome]}
    </p>
  );
}

const ID_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'] as const;

/** The id written on the door: typed (a USB keyboard), or with the digit keys on a screen without one. */
function IdField({ value, problem, onChange }: { value: string; problem: IdProblem | null; onChange(next: string): void }) {
  const m = useMessages();
  const inputId = useId();
  const errorId = useId();
  return (
    <div class="setup-id">
      <label for={inputId}>{m.setupIdLabel}</label>
      <input
        id={inputId}
        class="setup-id-input mono"
        data-testid="setup-id"
        type="text"
        autocomplete="off"
        autocapitalize="characters"
        spellcheck={false}
        value={value}
        aria-invalid={problem ? 'true' : 'false'}
        aria-describedby={problem ? errorId : undefined}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
      <div class="setup-id-keys">
        {ID_KEYS.map((k) => (
          <button key={k} type="button" class="key setup-key" data-testid={`setup-key-${k}`} onClick={() => onChange(value + k)}>
            {k}
          </button>
        ))}
        <button type="button" class="key key-fn setup-key" data-testid="setup-key-back" aria-label={m.keyBack} onClick={() => onChange(value.slice(0, -1))}>
          <Icon name="backspace" />
        </button>
      </div>
      {problem ? (
        <p class="notice notice-error" role="alert" id={errorId} data-testid="setup-id-error" data-problem={problem.kind}>
          {idProblemText(m, problem, value)}
        </p>
      ) : null}
    </div>
  );
}

function SizePicker({ value, onChange }: { value: CompartmentSize; onChange(size: CompartmentSize): void }) {
  const m = useMessages();
  return (
    <fieldset class="reasons setup-sizes">
      <legend>{m.setupSizeLabel}</legend>
      {COMPARTMENT_SIZES.map((s) => (
        <button key={s} type="button" class={`chip setup-size${s === value ? ' is-on' : ''}`} data-testid={`setup-size-${s}`} aria-pressed={s === value ? 'true' : 'false'} title={m.sizes[s]} onClick={() => onChange(s)}>
          <strong>{s}</strong> <span>{m.sizes[s]}</span>
        </button>
      ))}
    </fieldset>
  );
}

/** The doors given an id so far: a running count while mapping, the full table to review. */
function MappedDoors({ doors, compact = false }: { doors: readonly MappedDoorView[]; compact?: boolean }) {
  const m = useMessages();
  if (compact) {
    return (
      <div class="setup-mapped" data-testid="setup-mapped" data-count={doors.length}>
        <p class="muted">{doors.length ? fill(m.setupMappedCount, { count: doors.length }) : m.setupNoneMapped}</p>
        {doors.length ? (
          <ul class="setup-mapped-ids mono">
            {doors.map((d) => (
              <li key={`${d.board}/${d.lock}`}>{fill(m.setupMappedItem, { id: d.compartment, board: d.board, lock: d.lock, size: d.size })}</li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  }
  return (
    <table class="data-table" data-testid="setup-mapped" data-count={doors.length}>
      <thead>
        <tr>
          <th class="num">{m.colAddress}</th>
          <th class="num">{m.colLock}</th>
          <th>{m.colCompartment}</th>
          <th>{m.colSize}</th>
        </tr>
      </thead>
      <tbody>
        {doors.map((d) => (
          <tr key={`${d.board}/${d.lock}`} data-testid="setup-mapped-door" data-board={d.board} data-lock={d.lock} data-compartment={d.compartment} data-size={d.size}>
            <td class="num">{d.board}</td>
            <td class="num">{d.lock}</td>
            <td class="cell-strong">{d.compartment}</td>
            <td>{m.sizes[d.size]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** 4. The door map that will be written, and Write (refused up front when there is no file to write). */
function ReviewStep({ doors, canWrite, busy, onWrite, onBack }: { doors: readonly MappedDoorView[]; canWrite: boolean; busy: boolean; onWrite(): void; onBack(): void }) {
  const m = useMessages();
  return (
    <div class="setup-step setup-review">
      <h2>{m.setupReviewTitle}</h2>
      {doors.length ? (
        <>
          <p class="muted">{m.setupReviewHint}</p>
          <MappedDoors doors={doors} />
        </>
      ) : (
        <p class="muted">{m.setupNoneMapped}</p>
      )}
      <div class="actions">
        <button type="button" class="btn btn-primary" data-testid="setup-write" disabled={busy || !canWrite || doors.length === 0} onClick={onWrite}>
          {m.setupWrite}
        </button>
        <button type="button" class="btn btn-secondary" data-testid="setup-back" disabled={busy} onClick={onBack}>
          {m.setupBackToMapping}
        </button>
      </div>
    </div>
  );
}

/** 5. Written or left: the agent restarts, and the screen reconnects by itself. */
function SetupEnd({ text }: { text: string }) {
  return (
    <p class="notice notice-ok setup-end" role="status" data-testid="setup-result">
      {text}
    </p>
  );
}

/** A failed step: its title in the screen's language, then the agent's own words and the one thing to do (technical English is fine here). */
function SetupFailure({ error }: { error: ContractError }) {
  const m = useMessages();
  const text = m.errors[error.code];
  const hint = typeof error.meta?.['hint'] === 'string' ? error.meta['hint'] : null;
  const reason = typeof error.meta?.['reason'] === 'string' ? error.meta['reason'] : undefined;
  return (
    <div class="notice notice-error" role="alert" data-testid="setup-error" data-error-code={error.code} data-reason={reason}>
      <strong>{text.title}</strong>
      {error.message ? <code class="notice-detail">{error.message}</code> : null}
      {hint ? <span data-testid="setup-hint">{fill(m.setupHint, { hint })}</span> : <span>{text.next}</span>}
    </div>
  );
}

function CancelDialog({ count, onYes, onNo }: { count: number; onYes(): void; onNo(): void }) {
  const m = useMessages();
  return <ConfirmDialog text={fill(m.setupCancelConfirm, { count })} yes={m.setupCancelYes} no={m.setupCancelNo} onYes={onYes} onNo={onNo} />;
}

function idProblemText(m: Messages, problem: IdProblem, id: string): string {
  switch (problem.kind) {
    case 'empty':
      return m.setupIdEmpty;
    case 'too-long':
      return m.setupIdTooLong;
    case 'taken':
      return fill(m.setupIdTaken, { id: id.trim(), board: problem.board, lock: problem.lock });
    default:
      return assertNever(problem, 'id problem');
  }
}

function savedText(m: Messages, saved: SetupSaved): string {
  if (saved.applied === 'handed-over') return fill(m.setupHandedOver, { file: saved.file });
  return saved.backup ? fill(m.setupWritten, { file: saved.file, backup: saved.backup }) : fill(m.setupWrittenNoBackup, { file: saved.file });
}
