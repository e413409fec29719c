import type { VendorProbeResult } from '../../../cloud/index.js';
import { fail, info, pass, warn, type CheckResult } from '../check.js';

/** What one configured vendor answered (src/cloud/probe.ts): `credentials: 'not-checked'` where the vendor documents no signed call for it. */
export type VendorFacts = VendorProbeResult;

/** `vendor.<name>`: reachable, and credentials accepted where a signed probe exists. */
export function vendorChecks(vendors: readonly VendorFacts[]): CheckResult[] {
  if (vendors.length === 0) return [info('vendor.none', 'no vendor cloud configured (the cabinet works offline)')];
  return vendors.map((v) => {
    const id = `vendor.${v.name}`;
    if (!v.reachable) return fail(id, `${v.url} not reachable (${v.probe}): ${v.detail}`, 'check the network, DNS and any proxy or firewall between the cabinet and that host, and the URL in the config');
    switch (v.credentials) {
      case 'accepted':
        return pass(id, `${v.url} reachable, credentials accepted (${v.probe})`);
      case 'refused':
        return fail(id, `${v.url} refused our credentials (${v.probe}): ${v.detail}`, `copy the credentials of cloud.${v.name} again from the vendor's back office`);
      case 'not-checked':
        return v.detail ? warn(id, `${v.url} reachable, but: ${v.detail}`, 'check the URL in the config (an error page or a proxy answered)') : info(id, `${v.url} reachable (${v.probe}); credentials not checked: the vendor documents no harmless signed call`);
    }
  });
}
