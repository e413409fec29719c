import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ContractError, Language, PushedEvent, SessionInfo } from '../../shared/contract.js';
import { assertNever } from '../../shared/domain.js';
import type { KioskApi, KioskConnection } from '../api/kiosk-api.js';
import { MESSAGES } from '../i18n/messages.js';
import { backoffDelay } from '../logic/backoff.js';
import { lockedUntilFrom } from '../logic/countdown.js';
import { IdleTimer } from '../logic/idle-timer.js';
import { errorBackTarget, idlePolicy, isCustomerScreen, isDoorScreen, isStaffScreen, type Screen } from '../logic/screens.js';
import { KEYPAD_ACTIVITY_INTERVAL_MS, throttle } from '../logic/throttle.js';
import { screenPrompt, utterance } from '../logic/voice-script.js';
import { LanguageContext, MessagesContext, ServicesContext, useStore, type Nav, type Services, type Stores } from './context.js';
import { AttractScreen } from './screens/attract.js';
import { CheckScreen, DoorNotOpenedScreen } from './screens/check.js';
import { CodeScreen } from './screens/code.js';
import { DropoffCodeScreen, DropoffOpenScreen, DropoffSizeScreen } from './screens/dropoff.js';
import { ErrorScreen } from './screens/error.js';
import { OpeningScreen, OpenScreen, PickupOutcomeScreen, PickupUnknownScreen, ThanksScreen } from './screens/pickup.js';
import { ReturnListScreen, ReturnOpenScreen } from './screens/return.js';
import { CourierMenuScreen, StaffLoginScreen } from './screens/staff.js';
import { LazyServiceScreen } from './service/lazy-service.js';
import { createAudioOutput } from './audio-output.js';
import { createSound } from './sound.js';
import { createVoice, type Voice } from './voice.js';
import { VoiceToggle } from './voice-widgets.js';
import { IdleCountdown } from './idle-countdown.js';
import { OutageGate } from './outage.js';
import { ConnectionIndicator, HealthIndicator, UnavailableBanner } from './status.js';
import { LangToggle, Spinner } from './widgets.js';
import { DisplayButton, HelpButton, resetDisplayModes, useDisplayModesOnRoot } from './screen-help.js';

export interface AppProps {
  api: KioskApi;
  connection: KioskConnection;
  stores: Stores;
}

interface View {
  screen: Screen;
  /** Bumped on every navigation: the screen's subtree is keyed by it, so each visit starts fresh. */
  id: number;
}

const ATTRACT: Screen = { name: 'attract' };

/**
 * The screen state machine. It re-renders on navigation, language and
 * lock-out changes only: typed digits live in `CodeInput`, live data in
 * `stores`.
 */
export function App({ api, connection, stores }: AppProps) {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [lang, setLang] = useState<Language>('zh');
  const [view, setView] = useState<View>({ screen: ATTRACT, id: 0 });
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  // Which visit reported its door closed: a new screen starts with the door not known closed.
  const [closedOn, setClosedOn] = useState<number | null>(null);
  // While the screen is out of service nobody can touch it: no idle timeout runs down under it.
  const [outage, setOutage] = useState(false);
  const connectionState = useStore(stores.connection);
  useDisplayModesOnRoot();
  const viewRef = useRef(view);
  viewRef.current = view;
  const infoRef = useRef(info);
  infoRef.current = info;
  const voiceRef = useRef<Voice | null>(null);

  const nav = useMemo<Nav>(() => {
    let nextId = 1;
    const go = (screen: Screen): void => setView({ screen, id: nextId++ });
    const home = (fresh = false): void => {
      go(ATTRACT);
      const defaults = infoRef.current;
      if (fresh && defaults) setLang(defaults.defaultLanguage);
      // The next customer starts with the normal display too.
      if (fresh) resetDisplayModes();
      if (fresh) voiceRef.current?.reset();
    };
    return {
      go,
      home,
      fail(error: ContractError, back: Screen) {
        const until = lockedUntilFrom(error, Date.now());
        if (until !== null) setLockedUntil(until);
        go({ name: 'error', error, back: errorBackTarget(error, back) });
      },
      logout() {
        void api.call('staff.logout', {});
        home(true);
      },
      toggleLanguage: () => setLang((l) => (l === 'zh' ? 'en' : 'zh')),
    };
  }, [api]);

  // Boot: session info (retried until main answers), then health and doors; events and connection state.
  useEffect(() => {
    let alive = true;
    const onPushed = (e: PushedEvent): void => {
      if (e.type === 'cabinet') stores.overview.set(e.overview);
      else if (e.type === 'health') stores.health.set(e.health);
      // staff-ended: leave staff screens, except while a courier's door is open: the code still
      // arrives there (the call in flight outlives the login) and idle logs out after it.
      else if (e.type === 'staff-ended' && isStaffScreen(viewRef.current.screen) && viewRef.current.screen.name !== 'dropoff-open') nav.home(true);
      // door-opening is the opening screen's own (it listens while its pickup call runs).
    };
    const refreshLive = (): void => {
      void api.call('health.get', {}).then((r) => r.ok && stores.health.set(r.value));
      void api.call('cabinet.overview', {}).then((r) => r.ok && stores.overview.set(r.value));
    };
    const offStatus = connection.onStatus((s) => {
      const reconnected = s === 'open' && stores.connection.get() === 'reconnecting';
      stores.connection.set(s);
      if (!reconnected) return;
      // A new connection is a new session: no staff login, and events missed while away.
      refreshLive();
      if (isStaffScreen(viewRef.current.screen)) nav.home(true);
    });
    const offEvents = api.onEvent(onPushed);
    // Retries until main answers, on purpose without a cap: without session info the screen has
    // nothing to offer, and the loading screen (with its language toggle) says so meanwhile.
    const load = async (): Promise<void> => {
      for (let attempt = 0; alive; attempt++) {
        const result = await api.call('session.info', {});
        if (!alive) return;
        if (result.ok) {
          setInfo(result.value);
          setLang(result.value.defaultLanguage);
          refreshLive();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt)));
      }
    };
    void load();
    return () => {
      alive = false;
      offStatus();
      offEvents();
    };
  }, [api, connection, stores, nav]);

  // One audio device for the page's life: a new session.info must not open another.
  const audio = useMemo(() => createAudioOutput(), []);
  useEffect(() => {
    if (info && (info.sound || info.voice)) audio.warmUp();
  }, [info, audio]);
  const services = useMemo<Services | null>(() => {
    if (!info) return null;
    const sound = createSound(info.sound, audio);
    return {
      api,
      info,
      stores,
      sound,
      voice: createVoice(info.voice, audio),
      nav,
      activity: throttle(() => void api.call('keypad.activity', {}), KEYPAD_ACTIVITY_INTERVAL_MS),
      refreshOverview: () => void api.call('cabinet.overview', {}).then((r) => r.ok && stores.overview.set(r.value)),
      doorClosed: (closed: boolean) => setClosedOn(closed ? viewRef.current.id : null),
    };
  }, [api, info, stores, nav, audio]);

  // Idle: customer screens go home, staff screens log out; any tap or key restarts the wait.
  const idle = useMemo(() => new IdleTimer({ setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) }), []);
  useEffect(() => {
    const touch = (): void => idle.touch();
    document.addEventListener('pointerdown', touch, true);
    document.addEventListener('keydown', touch, true);
    return () => {
      document.removeEventListener('pointerdown', touch, true);
      document.removeEventListener('keydown', touch, true);
      idle.disarm();
    };
  }, [idle]);
  useEffect(() => {
    if (!info) return;
    const policy = idlePolicy(view.screen, info, closedOn === view.id);
    if (policy.action === 'none' || outage) idle.disarm();
    else idle.arm(policy.afterMs, policy.action === 'logout' ? () => nav.logout() : () => nav.home(true));
  }, [view, info, idle, nav, closedOn === view.id, outage]);

  voiceRef.current = services?.voice ?? null;
  // Each screen says its prompt when it appears, and again in the other language when toggled.
  useEffect(() => {
    services?.voice.say(utterance(screenPrompt(view.screen), lang, MESSAGES[lang]));
  }, [view, lang, services]);

  useLayoutEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    // The ui_ready benchmark and the end-to-end tests wait for this.
    if (info) document.documentElement.dataset['ready'] = 'true';
  }, [info]);

  const messages = MESSAGES[lang];
  const screen = view.screen;
  const shell = (name: string, body: ComponentChildren, errorCode?: string) => (
    <LanguageContext.Provider value={lang}>
      <MessagesContext.Provider value={messages}>
        <main id="app" class={`app screen-${name}`} data-screen={name} data-error-code={errorCode} lang={lang}>
          {body}
        </main>
      </MessagesContext.Provider>
    </LanguageContext.Provider>
  );

  if (connectionState === 'unauthorised') {
    return shell(
      'fatal',
      <>
        <header class="topbar">
          <span class="brand">{messages.brand}</span>
          <LangToggle onToggle={nav.toggleLanguage} />
        </header>
        <section class="status-screen fatal" role="alert" data-testid="fatal">
          <h1>{messages.fatalTitle}</h1>
          <p class="lead">{messages.fatalNext}</p>
        </section>
      </>,
    );
  }

  if (!services || !info) {
    return shell(
      'loading',
      <>
        <header class="topbar">
          <span class="brand">{messages.brand}</span>
          <LangToggle onToggle={nav.toggleLanguage} />
        </header>
        <section class="status-screen">
          <Spinner />
          <p class="lead">{messages.loading}</p>
        </section>
      </>,
    );
  }

  return (
    <ServicesContext.Provider value={services}>
      {shell(
        screen.name,
        <>
          <header class="topbar">
            <span class="brand">
              {info.cabinetName ?? messages.brand}
              <small class="cabinet-id">{info.cabinetId}</small>
            </span>
            <ConnectionIndicator />
            <HealthIndicator />
            <VoiceToggle />
            <DisplayButton />
            <HelpButton screen={screen.name} />
            <LangToggle onToggle={nav.toggleLanguage} />
          </header>
          {isCustomerScreen(screen) && !isDoorScreen(screen) ? <UnavailableBanner /> : null}
          <div class="screen" key={view.id}>
            {renderScreen(screen, lockedUntil)}
          </div>
          {isCustomerScreen(screen) ? <IdleCountdown idle={idle} key={view.id} /> : null}
          <OutageGate onChange={setOutage} />
        </>,
        screen.name === 'error' ? screen.error.code : undefined,
      )}
    </ServicesContext.Provider>
  );
}

function renderScreen(screen: Screen, lockedUntil: number | null) {
  switch (screen.name) {
    case 'attract':
      return <AttractScreen />;
    case 'code':
      return <CodeScreen initial={screen.initial} lockedUntil={lockedUntil} />;
    case 'opening':
      return <OpeningScreen code={screen.code} door={screen.door} />;
    case 'open':
      return <OpenScreen compartmentId={screen.compartmentId} reopened={screen.reopened} retryCode={screen.retryCode} />;
    case 'pickup-unknown':
      return <PickupUnknownScreen />;
    case 'pickup-outcome':
      return <PickupOutcomeScreen compartmentId={screen.compartmentId} outcome={screen.outcome} opensLeft={screen.opensLeft} />;
    case 'thanks':
      return <ThanksScreen />;
    case 'error':
      return <ErrorScreen error={screen.error} back={screen.back} lockedUntil={lockedUntil} />;
    case 'staff-login':
      return <StaffLoginScreen role={screen.role} />;
    case 'courier-menu':
      return <CourierMenuScreen />;
    case 'dropoff-size':
      return <DropoffSizeScreen />;
    case 'dropoff-open':
      return <DropoffOpenScreen compartmentId={screen.compartmentId} parcelId={screen.parcelId} />;
    case 'dropoff-code':
      return <DropoffCodeScreen compartmentId={screen.compartmentId} code={screen.code} expiresAt={screen.expiresAt} then={screen.then} />;
    case 'return-list':
      return <ReturnListScreen />;
    case 'return-open':
      return <ReturnOpenScreen compartmentId={screen.compartmentId} outcome={screen.outcome} />;
    case 'door-not-opened':
      return <DoorNotOpenedScreen compartmentId={screen.compartmentId} back={screen.back} />;
    case 'check':
      return <CheckScreen queue={screen.queue} liveId={screen.liveId} then={screen.then} />;
    case 'service':
      return <LazyServiceScreen />;
    default:
      return assertNever(screen, 'screen');
  }
}
