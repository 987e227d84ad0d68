// i18n.js: the practice dashboard's texts, German first and English second (language from
// navigator.languages unless picked with the switch; kept in localStorage like the
// patient pages; the logic is /i18n_core.js). t(key, vars) looks a text up; apply(root) fills
// [data-i18n] elements.

import { createI18n } from '/i18n_core.js';

const texts = {
  de: {
    title: 'Praxis', lang_switch: 'English', logout: 'Abmelden', logout_all: 'Überall abmelden',
    login_heading: 'Anmelden', email: 'E-Mail', password: 'Passwort', totp_label: 'Code aus der Authenticator-App',
    login_button: 'Anmelden', err_totp: 'Bitte den Code aus der App eingeben.',
    err_locked: 'Zu viele Fehlversuche: Konto für 15 Minuten gesperrt.', err_login: 'E-Mail oder Passwort falsch.',
    waiting_heading: 'Wartezimmer', col_who: 'Teilnehmer', col_role: 'Rolle', col_state: 'Status', col_since: 'Wartet seit',
    nobody_waiting: 'Niemand wartet.', today_heading: 'Heutige Termine', new_heading: 'Neuer Termin',
    date: 'Datum', time: 'Uhrzeit', duration: 'Dauer (Min.)', type: 'Art',
    type_one_to_one: '1:1', type_with_companion: 'mit Dolmetscher/Angehörigen', type_group: 'Gruppe (bis 8)',
    add_invitee: '+ Teilnehmer', create: 'Termin anlegen und einladen', role: 'Rolle', phone: 'Handy (+49…)',
    role_patient: 'Patient/in', role_interpreter: 'Dolmetscher/in', role_relative: 'Angehörige/r',
    state_waiting: 'wartet', state_absent: 'nicht da', state_rejected: 'abgewiesen', state_ended: 'beendet', state_called: 'wird angerufen', state_admitted: 'eingelassen', state_in_room: 'im Raum',
    appt_scheduled: 'geplant', appt_active: 'läuft', appt_ended: 'beendet', appt_cancelled: 'abgesagt',
    act_call: 'Aufrufen', act_admit: 'Einlassen', act_reject: 'Abweisen', act_end: 'Beenden',
    add_interpreter: '+ Dolmetscher/in', add_relative: '+ Angehörige/r',
    err_no_more: 'Keine weiteren Teilnehmer für diese Terminart möglich.', err_add: 'Fehler beim Hinzufügen.',
    issued_once: 'Nur jetzt sichtbar – bitte bei Bedarf weitergeben:', code: 'Code', link: 'Link',
    err_new: 'Termin ungültig (Datum, Uhrzeit, Dauer 5–480 min, Teilnehmer passend zur Art).',
    draining: 'Der Server wird gerade aktualisiert: laufende Sprechstunden gehen weiter, neue können erst in einigen Minuten beginnen.',
  },
  en: {
    title: 'Practice', lang_switch: 'Deutsch', logout: 'Log out', logout_all: 'Log out everywhere',
    login_heading: 'Log in', email: 'E-mail', password: 'Password', totp_label: 'Code from the authenticator app',
    login_button: 'Log in', err_totp: 'Please enter the code from the app.',
    err_locked: 'Too many failed attempts: account locked for 15 minutes.', err_login: 'Wrong e-mail or password.',
    waiting_heading: 'Waiting room', col_who: 'Participant', col_role: 'Role', col_state: 'State', col_since: 'Waiting for',
    nobody_waiting: 'Nobody is waiting.', today_heading: "Today's appointments", new_heading: 'New appointment',
    date: 'Date', time: 'Time', duration: 'Duration (min)', type: 'Type',
    type_one_to_one: '1:1', type_with_companion: 'with interpreter/relative', type_group: 'Group (up to 8)',
    add_invitee: '+ Participant', create: 'Create appointment and invite', role: 'Role', phone: 'Mobile (+49…)',
    role_patient: 'Patient', role_interpreter: 'Interpreter', role_relative: 'Relative',
    state_waiting: 'waiting', state_absent: 'not here', state_rejected: 'rejected', state_ended: 'ended', state_called: 'being called', state_admitted: 'admitted', state_in_room: 'in the room',
    appt_scheduled: 'scheduled', appt_active: 'running', appt_ended: 'ended', appt_cancelled: 'cancelled',
    act_call: 'Call in', act_admit: 'Admit', act_reject: 'Reject', act_end: 'End',
    add_interpreter: '+ Interpreter', add_relative: '+ Relative',
    err_no_more: 'No more participants possible for this type of appointment.', err_add: 'Could not add the participant.',
    issued_once: 'Shown only now – pass on if needed:', code: 'Code', link: 'Link',
    err_new: 'Invalid appointment (date, time, duration 5–480 min, participants matching the type).',
    draining: 'The server is being updated: running consultations continue, new ones can start only in a few minutes.',
  },
};

const i18n = createI18n(texts);

export const language = i18n.language;
export const setLanguage = i18n.setLanguage;
export const t = i18n.t;

export function apply(root = document) {
  i18n.fill(root);
  document.title = `Konsil – ${t('title')}`;
}
