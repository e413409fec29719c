/**
 * The fallback face for text outside the catalogue (an operator's cabinet
 * name): all of Noto Sans SC 400 as unicode-range slices. Its stylesheet is
 * large (a range list per slice) and no catalogue string needs it, so it is
 * loaded after the first screen (main.tsx), not in its way; text it covers
 * swaps in when it arrives (font-display: swap).
 */
import './fonts/fallback.css';

document.documentElement.dataset['fallbackFonts'] = 'loaded';
