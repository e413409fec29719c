import { existsSync, readFileSync } from 'node:fs';

/**
 * The app version from package.json: the first one up from this module's
 * folder (src/main, dist/main, or dist/main/cli where the agent bundle runs).
 */
export const APP_VERSION: string = (() => {
  try {
    for (const up of ['../package.json', '../../package.json', '../../../package.json']) {
      const url = new URL(up, import.meta.url);
      if (!existsSync(url)) continue;
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cabinet-kiosk') return pkg.version ?? '0.0.0';
    }
    return '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
