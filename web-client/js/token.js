// The invite token: read from the URL fragment (never sent to the server in a URL, never logged),
// kept in this tab's sessionStorage so a reload works, and wiped from the visible address.
export const TOKEN_KEY = 'kelisim.token';

/** The token in a fragment like "#token=abc" (other fragment parameters are ignored). */
export function tokenFromFragment(hash) {
  if (!hash || hash.length < 2) return null;
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token');
  return token && token.trim() ? token.trim() : null;
}

/**
 * Takes the token out of the address bar into storage. Returns {token, fresh} where fresh means it
 * came from the URL now (a different invite than the stored one starts a clean slate).
 */
export function claimToken(loc, storage, history) {
  const fromUrl = tokenFromFragment(loc.hash);
  if (fromUrl) {
    const previous = storage.getItem(TOKEN_KEY);
    storage.setItem(TOKEN_KEY, fromUrl);
    history.replaceState(null, '', loc.pathname + loc.search);
    return { token: fromUrl, fresh: previous !== fromUrl };
  }
  return { token: storage.getItem(TOKEN_KEY), fresh: false };
}
