// The admin REST API (Authorization: Bearer <admin token>). Failures become AdminError with the
// server's stable code, so the page can explain them in the person's language.
export class AdminError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

export function createAdminApi({ getToken, fetchImpl = (...a) => globalThis.fetch(...a) }) {
  async function call(method, path, body, { raw = false } = {}) {
    const headers = { Authorization: `Bearer ${getToken()}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetchImpl(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
    } catch {
      throw new AdminError(0, 'network', '');
    }
    if (!res.ok) {
      let code = res.status === 401 ? 'unauthorized' : 'http';
      let message = '';
      try { const j = await res.json(); code = j.code || code; message = j.message || ''; } catch { /* not JSON */ }
      throw new AdminError(res.status, code, message);
    }
    if (raw) return res;
    if (res.status === 204) return null;
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  }
  const enc = encodeURIComponent;
  return {
    listRooms: async () => (await call('GET', '/api/rooms'))?.rooms ?? [],
    getRoom: (id) => call('GET', `/api/rooms/${enc(id)}`),
    createRoom: (fields) => call('POST', '/api/rooms', fields),
    closeRoom: (id) => call('POST', `/api/rooms/${enc(id)}/close`),
    listInvites: async (id) => (await call('GET', `/api/rooms/${enc(id)}/invites`))?.invites ?? [],
    createInvite: (id, fields) => call('POST', `/api/rooms/${enc(id)}/invites`, fields),
    revokeInvite: (id, inviteId) => call('DELETE', `/api/rooms/${enc(id)}/invites/${enc(inviteId)}`),
    transcript: (id, format, scope) => call('GET', `/api/rooms/${enc(id)}/transcript?format=${enc(format)}&scope=${enc(scope)}`, undefined, { raw: true }),
  };
}

/** The invite link to hand out: the server's url made absolute against this page. */
export function absoluteInviteUrl(url, token, origin) {
  if (url) return new URL(url, origin).href;
  return `${origin}/#token=${encodeURIComponent(token)}`;
}

export function exportFileName(room, format, scope) {
  const ext = { json: 'json', text: 'txt', html: 'html' }[format] ?? 'txt';
  const safe = String(room.title || room.id || 'room').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'room';
  return `kelisim-${safe}-${scope}.${ext}`;
}
