// i18n.js: the join page's texts, German first and English second (same approach as the
// room client: language from navigator.languages unless picked and kept in localStorage;
// t(key, vars) looks a text up, apply(root) fills [data-i18n] and [data-i18n-label]; the
// language logic is /i18n_core.js).

import { createI18n } from '/i18n_core.js';

const texts = {
  de: {
    title: 'Videosprechstunde',
    lang_switch: 'English',
    form_heading: 'Willkommen zur Videosprechstunde',
    form_intro: 'Geben Sie Ihren Zugangscode aus der Einladung und Ihren Namen ein. Danach kommen Sie ins Wartezimmer.',
    code_label: 'Zugangscode',
    name_label: 'Ihr Name',
    name_hint: 'Ihr Name wird nur direkt an die Praxis übertragen (verschlüsselte Verbindung zwischen den Geräten) und nicht auf dem Server gespeichert.',
    terms_label: 'Ich habe die Nutzungsbedingungen und den Datenschutzhinweis gelesen und stimme zu.',
    start_button: 'Videosprechstunde starten',
    need_devices: 'Sie brauchen eine Kamera und ein Mikrofon.',
    need_browser: 'Nutzen Sie einen aktuellen Browser (Chrome, Edge, Firefox oder Safari).',
    need_net: 'Ihre Internetverbindung sollte mindestens 1 Mbit/s hoch und runter schaffen.',
    err_code_missing: 'Bitte geben Sie Ihren Zugangscode ein (10 Zeichen).',
    err_name_missing: 'Bitte geben Sie Ihren Namen ein.',
    err_terms: 'Bitte stimmen Sie den Nutzungsbedingungen und dem Datenschutzhinweis zu.',
    err_wrong_code: 'Der Zugangscode passt nicht zu diesem Link. Bitte prüfen Sie ihn.',
    err_too_many: 'Zu viele falsche Versuche. Bitte warten Sie 15 Minuten oder rufen Sie die Praxis an.',
    err_expired: 'Dieser Termin ist vorbei oder wurde abgesagt.',
    err_network: 'Der Server ist nicht erreichbar. Bitte prüfen Sie Ihre Internetverbindung.',
    err_draining: 'Der Server wird gerade aktualisiert. Bitte versuchen Sie es in einigen Minuten noch einmal.',
    wait_heading: 'Sie sind im Wartezimmer',
    wait_text: 'Bitte bleiben Sie auf dieser Seite. Die Praxis holt Sie herein, sobald sie bereit ist.',
    position: 'Sie sind an Position {n} der Warteschlange.',
    position_next: 'Sie sind als Nächstes an der Reihe.',
    called: 'Die Praxis ruft Sie jetzt an.',
    wait_hint: 'Sie hören einen Klingelton, wenn die Praxis Sie aufruft.',
    devices_ok: 'Kamera und Mikrofon sind bereit.',
    devices_checking: 'Kamera und Mikrofon werden geprüft …',
    devices_denied: 'Kamera oder Mikrofon sind nicht freigegeben. Bitte erlauben Sie den Zugriff in der Adresszeile.',
    devices_missing: 'Keine Kamera oder kein Mikrofon gefunden.',
    ring_heading: 'Die Praxis ruft Sie an',
    ring_accept: 'Anruf annehmen',
    ring_hint: 'Tippen oder klicken Sie auf den Hörer, um anzunehmen.',
    rejected_heading: 'Die Praxis kann Sie gerade nicht empfangen',
    rejected_text: 'Bitte melden Sie sich bei der Praxis, um einen neuen Termin zu vereinbaren.',
    ended_heading: 'Der Termin ist beendet',
    ended_text: 'Vielen Dank. Sie können diese Seite jetzt schließen.',
    lost_heading: 'Ihr Platz im Wartezimmer ist abgelaufen',
    lost_text: 'Bitte melden Sie sich erneut an.',
    again_button: 'Erneut anmelden',
  },
  en: {
    title: 'Video consultation',
    lang_switch: 'Deutsch',
    form_heading: 'Welcome to your video consultation',
    form_intro: 'Enter the access code from your invitation and your name. You will then enter the waiting room.',
    code_label: 'Access code',
    name_label: 'Your name',
    name_hint: 'Your name goes only directly to the practice (encrypted connection between the devices) and is not stored on the server.',
    terms_label: 'I have read and accept the terms of use and the privacy notice.',
    start_button: 'Start video consultation',
    need_devices: 'You need a camera and a microphone.',
    need_browser: 'Use a current browser (Chrome, Edge, Firefox or Safari).',
    need_net: 'Your internet connection should manage at least 1 Mbit/s up and down.',
    err_code_missing: 'Please enter your access code (10 characters).',
    err_name_missing: 'Please enter your name.',
    err_terms: 'Please accept the terms of use and the privacy notice.',
    err_wrong_code: 'The access code does not match this link. Please check it.',
    err_too_many: 'Too many wrong attempts. Please wait 15 minutes or call the practice.',
    err_expired: 'This appointment is over or was cancelled.',
    err_network: 'The server cannot be reached. Please check your internet connection.',
    err_draining: 'The server is being updated. Please try again in a few minutes.',
    wait_heading: 'You are in the waiting room',
    wait_text: 'Please stay on this page. The practice will call you in as soon as it is ready.',
    position: 'You are number {n} in the queue.',
    position_next: 'You are next.',
    called: 'The practice is calling you now.',
    wait_hint: 'You will hear a ring tone when the practice calls you.',
    devices_ok: 'Camera and microphone are ready.',
    devices_checking: 'Checking camera and microphone …',
    devices_denied: 'Camera or microphone are blocked. Please allow access in the address bar.',
    devices_missing: 'No camera or no microphone found.',
    ring_heading: 'The practice is calling you',
    ring_accept: 'Accept call',
    ring_hint: 'Tap or click the receiver to answer.',
    rejected_heading: 'The practice cannot see you right now',
    rejected_text: 'Please contact the practice to arrange a new appointment.',
    ended_heading: 'The appointment has ended',
    ended_text: 'Thank you. You can close this page now.',
    lost_heading: 'Your place in the waiting room has expired',
    lost_text: 'Please sign in again.',
    again_button: 'Sign in again',
  },
};

const i18n = createI18n(texts);

export const current = i18n.language;
export const setLang = i18n.setLanguage;
export const t = i18n.t;

export function apply(root = document) {
  i18n.fill(root);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}
