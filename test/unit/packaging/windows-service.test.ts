import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The Windows installer follows the same split as the deb: the agent is a
 * service under its own account, the window starts at logon as a client,
 * and ProgramData\cabinet-kiosk is the service's and the administrators'
 * alone (Users read the screen's endpoint folder only). No NSIS compiler
 * runs here: these check what installer.nsh and the WinSW configuration say.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
const nsh = readFileSync(join(root, 'build/win/installer.nsh'), 'utf8');
const xml = readFileSync(join(root, 'build/win/cabinet-kiosk-agent.xml'), 'utf8');
const code = nsh.split('\n').filter((l) => !l.trim().startsWith(';')).join('\n');

describe('Windows: the agent as a service', () => {
  it('WinSW runs cabinet-kiosk.exe agent under a virtual service account, restarting on failure', () => {
    expect(xml).toMatch(/<id>cabinet-kiosk-agent<\/id>/);
    expect(xml).toMatch(/<executable>%BASE%\\\.\.\\\.\.\\cabinet-kiosk\.exe<\/executable>/);
    expect(xml).toMatch(/<arguments>agent --endpoint-file "%ProgramData%\\cabinet-kiosk\\screen\\screen-url"<\/arguments>/);
    expect(xml).toMatch(/<username>NT SERVICE\\cabinet-kiosk-agent<\/username>/);
    expect(xml).toMatch(/<onfailure action="restart"/);
    expect(xml).toMatch(/<startmode>Automatic<\/startmode>/);
  });

  it('the installer installs and starts the service, and stops it before an update replaces the files', () => {
    expect(code).toMatch(/nsExec::Exec '"\$\{CK_WRAPPER\}" install'/);
    expect(code).toMatch(/nsExec::Exec '"\$\{CK_WRAPPER\}" start'/);
    const uninstall = code.slice(code.indexOf('!macro customUnInstall'));
    expect(uninstall.indexOf('" stop\'')).toBeLessThan(uninstall.indexOf('${IfNot} ${isUpdated}'));
    expect(uninstall).toMatch(/" uninstall'/);
  });
});

describe('Windows: ProgramData ACL', () => {
  it('SYSTEM and Administrators full control, the service account modify, inheritance cut', () => {
    const acl = code.split('\n').find((l) => l.includes('/inheritance:r'));
    expect(acl).toBeDefined();
    expect(acl).toMatch(/\/grant:r \*S-1-5-18:\(OI\)\(CI\)F \*S-1-5-32-544:\(OI\)\(CI\)F "NT SERVICE\\\$\{CK_SERVICE\}:\(OI\)\(CI\)M"/);
  });

  it('Users get nothing on the data folder (an old modify grant is removed) and read on the screen folder only', () => {
    expect(code).toMatch(/icacls "\$R0" \/remove:g \*S-1-5-32-545/);
    const userGrants = code.split('\n').filter((l) => /icacls/.test(l) && /\/grant/.test(l) && /S-1-5-32-545/.test(l));
    expect(userGrants).toEqual([expect.stringMatching(/icacls "\$R0\\screen" \/grant \*S-1-5-32-545:\(OI\)\(CI\)R /)]);
    expect(code).not.toMatch(/S-1-5-32-545:\(OI\)\(CI\)M/);
  });

  it('starts the window (not the agent) at logon', () => {
    expect(code).toMatch(/WriteRegStr HKLM "\$\{CK_RUN_KEY\}" "\$\{CK_RUN_VALUE\}" '"\$INSTDIR\\\$\{APP_EXECUTABLE_FILENAME\}"'/);
  });
});
