import { render } from 'preact';
import { createApi } from './api/create-api.js';
import { App } from './ui/app.js';
import { createStores } from './ui/context.js';
import './styles.css';

// A long press on a touch screen must not bring up the browser's menu.
document.addEventListener('contextmenu', (e) => e.preventDefault());

const api = createApi();
const root = document.getElementById('root');
if (root) render(<App api={api} connection={api} stores={createStores()} />, root);

// After the first screen: the fallback face's stylesheet (fonts-fallback.ts).
const loadFallbackFonts = (): void => void import('./fonts-fallback.js');
if ('requestIdleCallback' in window) requestIdleCallback(loadFallbackFonts, { timeout: 2000 });
else setTimeout(loadFallbackFonts, 500);
