// i18n_core.js: the language logic the patient join page and the practice dashboard share
// (served flat as /i18n_core.js by the static fallback). The language comes from localStorage
// 'konsil.lang' if the user picked one, else navigator.languages, else German; t(key, vars)
// looks a text up in the current language, then German, then returns the key.

export function createI18n(texts) {
  let lang = pick(texts);
  const t = (key, vars = {}) => {
    const s = texts[lang][key] ?? texts.de[key] ?? key;
    return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
  };
  return {
    language: () => lang,
    setLanguage(l) {
      if (!texts[l]) return;
      lang = l;
      try { localStorage.setItem('konsil.lang', l); } catch { /* storage blocked */ }
    },
    t,
    // Sets <html lang> and fills textContent of [data-i18n] elements under root.
    fill(root) {
      document.documentElement.lang = lang;
      for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    },
  };
}

function pick(texts) {
  let stored = null;
  try { stored = localStorage.getItem('konsil.lang'); } catch { /* storage blocked */ }
  if (stored && texts[stored]) return stored;
  for (const l of navigator.languages || [navigator.language || 'de']) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (texts[base]) return base;
  }
  return 'de';
}
