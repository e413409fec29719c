import { fail, info, pass, warn, type CheckResult } from '../check.js';

export type ServiceFacts =
  | { systemd: false; reason: string }
  | { systemd: true; units: Array<{ unit: string; active: string; enabled: string }> };

/** `service.<unit>`: the agent and screen units running (systemctl), or "not under systemd". */
export function serviceChecks(f: ServiceFacts, opts: { headless: boolean }): CheckResult[] {
  if (!f.systemd) return [info('service.systemd', `not under systemd (${f.reason}): services not checked`)];
  return f.units.map(({ unit, active, enabled }) => {
    const id = `service.${unit.replace(/\.service$/, '')}`;
    if (active === 'active') return enabled === 'enabled' ? pass(id, `${unit} is running`) : warn(id, `${unit} is running but not enabled (${enabled}): it will not start at boot`, `\`systemctl enable ${unit}\``);
    if (enabled === 'not-found') return opts.headless && unit.includes('screen') ? info(id, `${unit} not installed (headless)`) : fail(id, `${unit} is not installed`, 'install the cabinet-kiosk package (docs/INSTALL.md)');
    if (opts.headless && unit.includes('screen')) return info(id, `${unit} is ${active} (headless)`);
    return fail(id, `${unit} is ${active}`, `\`systemctl enable --now ${unit}\`, then \`journalctl -u ${unit}\` if it stops again`);
  });
}
