/** Where a page keeps the session token browser mode handed it, for its reconnects and reloads. */
export interface SessionStore {
  read(): string | null;
  write(token: string): void;
}

const KEY = 'cabinet-kiosk.session';

/** The part of `sessionStorage` used here (DOM-free for tests). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * sessionStorage: it lives as long as the tab, survives a reload (the ticket
 * does not: it is spent and gone from the address bar) and is not shared with
 * other tabs or kept on disk. Where storage is refused (a locked-down profile)
 * the token is kept in memory, which still covers reconnects.
 */
export function sessionStoreOver(storage: StorageLike | null): SessionStore {
  let memory: string | null = null;
  return {
    read: () => {
      try {
        return storage?.getItem(KEY) ?? memory;
      } catch {
        return memory;
      }
    },
    write: (token) => {
      memory = token;
      try {
        storage?.setItem(KEY, token);
      } catch {
        // Memory only.
      }
    },
  };
}
