import { fail, info, pass, warn, type CheckResult } from '../check.js';

export interface ShellFacts {
  shell: 'auto' | 'electron' | 'browser' | 'none';
  electron: { ok: true; binary: string; version: string } | { ok: false; reason: string };
  chromium: { path: string } | { reason: string };
}

/** `screen.shell`: the Electron binary, or Chromium for browser mode, as `ui.shell` asks. */
export function shellChecks(f: ShellFacts): CheckResult[] {
  if (f.shell === 'none') return [info('screen.shell', 'ui.shell is none: no screen shell needed')];
  const electron = f.electron.ok ? `Electron ${f.electron.version} (${f.electron.binary})` : null;
  const chromium = 'path' in f.chromium ? `Chromium (${f.chromium.path})` : null;
  const why = `${f.electron.ok ? '' : f.electron.reason}${f.electron.ok || chromium ? '' : '; '}${chromium ? '' : (f.chromium as { reason: string }).reason}`;
  const install = 'install the package with its Electron shell, or Chromium (`apt-get install chromium`) for browser mode';
  switch (f.shell) {
    case 'electron':
      return [electron ? pass('screen.shell', electron) : fail('screen.shell', `ui.shell is electron but ${why}`, 'reinstall the package (it carries Electron), or set ui.shell: browser')];
    case 'browser':
      return [chromium ? pass('screen.shell', chromium) : fail('screen.shell', `ui.shell is browser but ${why}`, 'install Chromium (`apt-get install chromium`) or set ui.browserPath')];
    case 'auto':
      if (electron) return [pass('screen.shell', electron)];
      if (chromium) return [pass('screen.shell', `${chromium}; no Electron binary, so browser mode`)];
      return [warn('screen.shell', `no screen shell: ${why}`, install)];
  }
}
