// i18n.js: the consultation room's texts, German first and English second. The language
// comes from the browser (navigator.languages) unless the user picked one (kept in
// localStorage); t(key, vars) looks a text up, apply(root) fills [data-i18n] elements.

const texts = {
  de: {
    title: 'Videosprechstunde',
    lang_switch: 'English',
    join_heading: 'Bereit für die Sprechstunde?',
    join_intro: 'Prüfen Sie Kamera, Mikrofon und Lautsprecher, bevor Sie beitreten.',
    name_label: 'Ihr Name (nur für die anderen Teilnehmenden sichtbar)',
    name_placeholder: 'z. B. Maria Muster',
    camera_label: 'Kamera',
    mic_label: 'Mikrofon',
    speaker_label: 'Lautsprecher',
    mic_level: 'Mikrofonpegel',
    preview_off: 'Kein Kamerabild',
    speaker_test: 'Ton abspielen',
    speaker_hint: 'Hören Sie einen kurzen Ton? Dann funktioniert Ihr Lautsprecher.',
    join_button: 'Jetzt beitreten',
    join_without_media: 'Ohne Kamera und Mikrofon beitreten',
    retry_devices: 'Erneut versuchen',
    no_device_option: 'Kein Gerät gefunden',
    default_device: 'Standardgerät',
    checking_devices: 'Kamera und Mikrofon werden gestartet …',
    devices_ok: 'Kamera und Mikrofon funktionieren.',
    err_denied: 'Sie haben den Zugriff auf Kamera oder Mikrofon nicht erlaubt. Klicken Sie in der Adresszeile auf das Kamera- oder Schloss-Symbol, wählen Sie „Erlauben“ und laden Sie die Seite neu.',
    err_notfound: 'Es wurde keine Kamera und kein Mikrofon gefunden. Schließen Sie ein Gerät an oder treten Sie ohne Bild und Ton bei und nutzen Sie den Chat der Praxis.',
    err_busy: 'Die Kamera oder das Mikrofon wird gerade von einem anderen Programm benutzt (z. B. einer anderen Videokonferenz). Schließen Sie dieses Programm und versuchen Sie es erneut.',
    err_insecure: 'Diese Seite wurde nicht sicher (HTTPS) geöffnet, daher sind Kamera und Mikrofon gesperrt.',
    err_media_other: 'Kamera oder Mikrofon konnten nicht gestartet werden.',
    err_no_token: 'Dieser Link ist unvollständig: Es fehlt der Zugangsschlüssel. Bitte öffnen Sie den Link aus Ihrer Einladung erneut.',
    err_unreachable: 'Der Server ist nicht erreichbar. Prüfen Sie Ihre Internetverbindung. Wir versuchen es automatisch weiter.',
    err_token: 'Ihr Zugangslink ist ungültig oder abgelaufen. Bitte fordern Sie bei der Praxis einen neuen Link an.',
    err_room_full: 'Der Raum ist voll.',
    err_generic: 'Es ist ein Fehler aufgetreten: {msg}',
    err_ice: 'Die Verbindung zu {name} ist gestört. Wir versuchen einen anderen Weg …',
    err_session_lost: 'Die Verbindung wurde getrennt.',
    reconnecting: 'Verbindung unterbrochen – wird wiederhergestellt …',
    reconnect_now: 'Jetzt neu verbinden',
    rejoin: 'Erneut beitreten',
    left_heading: 'Sie haben die Sprechstunde verlassen.',
    mute: 'Mikrofon aus',
    unmute: 'Mikrofon an',
    camera_off: 'Kamera aus',
    camera_on: 'Kamera an',
    leave: 'Verlassen',
    you: 'Sie',
    role_host: 'Ärztin/Arzt',
    role_guest: 'Gast',
    role_listener: 'Zuhörer/in',
    mode_p2p: 'Direktverbindung (P2P)',
    mode_sfu: 'Über Server (SFU)',
    quality_good: 'Verbindung gut',
    quality_fair: 'Verbindung mäßig',
    quality_poor: 'Verbindung schlecht',
    quality_unknown: 'Verbindung wird geprüft',
    waiting_others: 'Warten auf weitere Teilnehmende …',
    muted_badge: 'stumm',
    connecting: 'Verbinden …',
  },
  en: {
    title: 'Video consultation',
    lang_switch: 'Deutsch',
    join_heading: 'Ready for your consultation?',
    join_intro: 'Check your camera, microphone and speaker before you join.',
    name_label: 'Your name (shown only to the other participants)',
    name_placeholder: 'e.g. Maria Smith',
    camera_label: 'Camera',
    mic_label: 'Microphone',
    speaker_label: 'Speaker',
    mic_level: 'Microphone level',
    preview_off: 'No camera picture',
    speaker_test: 'Play a tone',
    speaker_hint: 'Do you hear a short tone? Then your speaker works.',
    join_button: 'Join now',
    join_without_media: 'Join without camera and microphone',
    retry_devices: 'Try again',
    no_device_option: 'No device found',
    default_device: 'Default device',
    checking_devices: 'Starting camera and microphone …',
    devices_ok: 'Camera and microphone work.',
    err_denied: 'You did not allow access to the camera or microphone. Click the camera or lock icon in the address bar, choose "Allow" and reload the page.',
    err_notfound: 'No camera and no microphone were found. Connect a device, or join without picture and sound.',
    err_busy: 'The camera or microphone is in use by another program (for example another video call). Close that program and try again.',
    err_insecure: 'This page was not opened securely (HTTPS), so camera and microphone are blocked.',
    err_media_other: 'The camera or microphone could not be started.',
    err_no_token: 'This link is incomplete: the access key is missing. Please open the link from your invitation again.',
    err_unreachable: 'The server cannot be reached. Check your internet connection. We keep trying automatically.',
    err_token: 'Your access link is invalid or has expired. Please ask the practice for a new link.',
    err_room_full: 'The room is full.',
    err_generic: 'An error occurred: {msg}',
    err_ice: 'The connection to {name} is disturbed. Trying another route …',
    err_session_lost: 'The connection was closed.',
    reconnecting: 'Connection lost – reconnecting …',
    reconnect_now: 'Reconnect now',
    rejoin: 'Join again',
    left_heading: 'You have left the consultation.',
    mute: 'Mute',
    unmute: 'Unmute',
    camera_off: 'Camera off',
    camera_on: 'Camera on',
    leave: 'Leave',
    you: 'You',
    role_host: 'Doctor',
    role_guest: 'Guest',
    role_listener: 'Listener',
    mode_p2p: 'Direct connection (P2P)',
    mode_sfu: 'Via server (SFU)',
    quality_good: 'Connection good',
    quality_fair: 'Connection fair',
    quality_poor: 'Connection poor',
    quality_unknown: 'Checking connection',
    waiting_others: 'Waiting for others to join …',
    muted_badge: 'muted',
    connecting: 'Connecting …',
  },
};

const listeners = new Set();
let lang = pickLanguage();

function pickLanguage() {
  let stored = null;
  try { stored = localStorage.getItem('konsil.lang'); } catch { /* storage blocked */ }
  if (stored === 'de' || stored === 'en') return stored;
  for (const l of navigator.languages || [navigator.language || 'de']) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (base === 'de') return 'de';
    if (base === 'en') return 'en';
  }
  return 'de';
}

export function language() { return lang; }

export function setLanguage(l) {
  if (l !== 'de' && l !== 'en') return;
  lang = l;
  try { localStorage.setItem('konsil.lang', l); } catch { /* storage blocked */ }
  document.documentElement.lang = l;
  apply(document);
  for (const fn of listeners) fn(l);
}

export function onLanguage(fn) { listeners.add(fn); }

// More texts from another module (call_ui.js), merged per language.
export function addTexts(extra) { for (const l of Object.keys(extra)) Object.assign(texts[l], extra[l]); }

export function t(key, vars = {}) {
  const s = texts[lang][key] ?? texts.de[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

// Fills textContent of [data-i18n], placeholder of [data-i18n-placeholder], aria-label
// and title of [data-i18n-label].
export function apply(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
    el.title = t(el.dataset.i18nLabel);
  }
  document.title = `Konsil – ${t('title')}`;
}
