// Small DOM helpers shared by the components. No framework: elements are made once and updated.
import { t } from './i18n.js';

/**
 * h('button', {class: 'x', 'data-testid': 'send', i18n: 'composer.send', onclick: fn}, ...children)
 * `i18n` sets data-i18n and the translated text; `text` sets plain text.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'i18n') { el.dataset.i18n = v; el.textContent = t(v); }
    else if (k === 'i18nLabel') { el.dataset.i18nAriaLabel = v; el.setAttribute('aria-label', t(v)); }
    else if (k === 'i18nPlaceholder') { el.dataset.i18nPlaceholder = v; el.setAttribute('placeholder', t(v)); }
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** Sets text only when it changed (keeps screen readers and selections calm). */
export function setText(el, text) {
  const s = String(text ?? '');
  if (el.textContent !== s) el.textContent = s;
}

export function show(el, visible) {
  el.hidden = !visible;
}

/**
 * Keyed list update: reuses the node of each key (so focus and input survive), creates new ones,
 * removes the rest, keeps order. create(item) → node; update(node, item).
 */
export function reconcile(container, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of Array.from(container.children)) existing.set(child.dataset.key, child);
  let prev = null;
  for (const item of items) {
    const key = String(keyOf(item));
    let node = existing.get(key);
    if (node) existing.delete(key);
    else { node = create(item); node.dataset.key = key; }
    update(node, item);
    const expected = prev ? prev.nextSibling : container.firstChild;
    if (node !== expected) container.insertBefore(node, expected);
    prev = node;
  }
  for (const node of existing.values()) node.remove();
}

/** A side's colour class; the label always goes with it (colour is never the only cue). */
export function sideClass(side) {
  if (!side) return 'side-none';
  const letter = String(side).trim().toLowerCase();
  if (/^[a-f]$/.test(letter)) return `side-${letter}`;
  let hash = 0;
  for (const ch of letter) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return `side-${'abcdef'[hash % 6]}`;
}

/** Two-step confirmation for destructive buttons: first press arms, second within 5 s confirms. */
export function armed(button, confirmKey, normalKey, action) {
  let timer = null;
  button.addEventListener('click', () => {
    if (button.dataset.armed === 'true') {
      clearTimeout(timer);
      button.dataset.armed = 'false';
      button.dataset.i18n = normalKey;
      button.textContent = t(normalKey);
      action();
      return;
    }
    button.dataset.armed = 'true';
    button.dataset.i18n = confirmKey;
    button.textContent = t(confirmKey);
    timer = setTimeout(() => {
      button.dataset.armed = 'false';
      button.dataset.i18n = normalKey;
      button.textContent = t(normalKey);
    }, 5000);
  });
}
