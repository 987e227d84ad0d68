// call_ui.js: the call view's chat panel and host controls (wired by main.js through
// attachCallUi), the screens a participant sees when the host removed them or ended the
// session (endScreen), and the texts for all of it, German first (registered with i18n.js).

import { t, addTexts } from './i18n.js';
import { ChatPanel } from './chat.js';

addTexts({
  de: {
    chat: 'Chat',
    chat_heading: 'Chat und Dateien',
    chat_close: 'Schließen',
    chat_note: 'Nachrichten und Dateien gehen direkt an die anderen Teilnehmenden und werden nicht gespeichert.',
    chat_placeholder: 'Nachricht schreiben …',
    chat_send: 'Senden',
    chat_file: 'Datei senden',
    chat_nobody: 'Noch niemand verbunden – die Nachricht wurde nicht gesendet.',
    chat_file_too_big: 'Die Datei ist zu groß (höchstens {max} MB).',
    chat_file_sending: 'wird gesendet … {pct} %',
    chat_file_receiving: 'wird empfangen … {pct} %',
    chat_file_sent: 'gesendet',
    chat_file_received: 'empfangen – zum Speichern anklicken',
    chat_file_failed: 'Übertragung fehlgeschlagen',
    chat_file_refused: 'abgelehnt (zu groß)',
    host_mute: 'Stumm schalten',
    host_muted: 'Stumm geschaltet',
    host_remove: 'Entfernen',
    host_remove_confirm: 'Wirklich entfernen?',
    host_action_failed: 'Nicht möglich',
    end_all: 'Für alle beenden',
    end_all_confirm: 'Wirklich für alle beenden?',
    muted_by_host: 'Die Praxis hat Ihr Mikrofon stumm geschaltet. Sie können es mit „Mikrofon an“ wieder einschalten.',
    ended_heading: 'Die Sprechstunde wurde beendet.',
    ended_text: 'Die Praxis hat die Videosprechstunde für alle beendet. Sie können dieses Fenster jetzt schließen. Bei Fragen wenden Sie sich bitte telefonisch an Ihre Praxis.',
    removed_heading: 'Sie wurden aus der Sprechstunde entfernt.',
    removed_text: 'Die Praxis hat Sie aus dieser Videosprechstunde entfernt. Mit diesem Link ist kein erneuter Beitritt möglich. Wenn das ein Versehen war, rufen Sie bitte Ihre Praxis an.',
  },
  en: {
    chat: 'Chat',
    chat_heading: 'Chat and files',
    chat_close: 'Close',
    chat_note: 'Messages and files go directly to the other participants and are not stored.',
    chat_placeholder: 'Write a message …',
    chat_send: 'Send',
    chat_file: 'Send a file',
    chat_nobody: 'Nobody is connected yet – the message was not sent.',
    chat_file_too_big: 'The file is too large (at most {max} MB).',
    chat_file_sending: 'sending … {pct} %',
    chat_file_receiving: 'receiving … {pct} %',
    chat_file_sent: 'sent',
    chat_file_received: 'received – click to save',
    chat_file_failed: 'transfer failed',
    chat_file_refused: 'refused (too large)',
    host_mute: 'Mute',
    host_muted: 'Muted',
    host_remove: 'Remove',
    host_remove_confirm: 'Really remove?',
    host_action_failed: 'Not possible',
    end_all: 'End for all',
    end_all_confirm: 'Really end for all?',
    muted_by_host: 'The practice muted your microphone. You can switch it on again with "Unmute".',
    ended_heading: 'The consultation has ended.',
    ended_text: 'The practice ended the video consultation for everyone. You can close this window now. If you have questions, please call your practice.',
    removed_heading: 'You were removed from the consultation.',
    removed_text: 'The practice removed you from this video consultation. This link cannot be used to join again. If this was a mistake, please call your practice.',
  },
});

// Chat panel for everyone; "end for all" (asked twice) for a host.
export function attachCallUi(call, $) {
  const panel = new ChatPanel(call.chat, $);
  const end = $('btn-end');
  const paintEnd = () => { end.textContent = t(end.dataset.armed ? 'end_all_confirm' : 'end_all'); };
  end.onclick = () => {
    if (!end.dataset.armed) {
      end.dataset.armed = '1';
      paintEnd();
      setTimeout(() => { delete end.dataset.armed; paintEnd(); }, 4000);
      return;
    }
    call.endForAll();
  };
  const role = () => { end.hidden = !(call.self && call.self.role === 'host'); };
  call.sig.addEventListener('message', (ev) => { if (ev.detail.type === 'joined') role(); });
  return panel;
}

// The screen for a fatal error that means "you are out for good": {title, text} or null.
// The message elements get data-i18n keys, so the language switch re-translates them.
export function endScreen(m) {
  if (m.code !== 'forbidden') return null;
  const keys = { ended: ['ended_heading', 'ended_text'], kicked: ['removed_heading', 'removed_text'] }[m.reason];
  if (!keys) return null;
  document.getElementById('message-title').dataset.i18n = keys[0];
  document.getElementById('message-text').dataset.i18n = keys[1];
  return { title: t(keys[0]), text: t(keys[1]) };
}
