import { inputElement } from './page-elements.ts';

const KEY_STORAGE = 'stipple.apiKey';

/** The key in the form, trimmed. */
export const apiKey = () => inputElement('api-key').value.trim();

/**
 * The key in the form, kept for this tab only (sessionStorage), or in this browser (localStorage) when the user ticks
 * "Remember"; unticking forgets it there.
 */
export function storeKey(): void {
  const key = apiKey();
  sessionStorage.setItem(KEY_STORAGE, key);
  if (inputElement('remember-key').checked) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

export function restoreKey(): void {
  inputElement('remember-key').checked = localStorage.getItem(KEY_STORAGE) !== null;
  inputElement('api-key').value = sessionStorage.getItem(KEY_STORAGE) || localStorage.getItem(KEY_STORAGE) || '';
}

/**
 * A key handed over as #key=… (npm start prints such a link) replaces the stored one, then leaves the address bar;
 * also when the link is opened in a tab already showing the playground (only the hash changes: no reload).
 */
export function takeKeyFromLink(): boolean {
  const match = /[#&]key=([^&]+)/.exec(location.hash);
  if (!match) return false;
  inputElement('api-key').value = decodeURIComponent(match[1]);
  storeKey();
  history.replaceState(null, '', location.pathname + location.search);
  return true;
}
