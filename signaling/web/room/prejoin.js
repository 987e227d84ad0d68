// prejoin.js: the join page with the pre-call device check: camera preview, microphone
// level meter, speaker test tone, device selection and German-first guidance when access
// is denied, no device exists or the camera is busy. Resolves with the chosen stream (or
// null to join without media) and the typed name.

import { openMedia, listDevices, levelMeter, playTestTone, stopStream, errorKey } from './devices.js';
import { t, onLanguage } from './i18n.js';

const $ = (id) => document.getElementById(id);

export function runPrejoin({ name, role }) {
  return new Promise((resolve) => {
    let stream = null;
    let meter = null;
    let lastError = null;
    $('name').value = name || '';
    const listener = role === 'listener';

    const fill = (sel, devs, current) => {
      sel.replaceChildren();
      if (!devs.length) { sel.append(new Option(t('no_device_option'), '')); sel.disabled = true; return; }
      sel.disabled = false;
      devs.forEach((d, i) => sel.append(new Option(d.label || `${t('default_device')} ${i + 1}`, d.deviceId)));
      if (current && devs.some((d) => d.deviceId === current)) sel.value = current;
    };

    // err: null, or {kind, device} (device set when only the camera or only the
    // microphone failed: the join button then says what the call will have).
    const showError = (err) => {
      lastError = err;
      $('device-error').hidden = !err;
      if (err) $('device-error-text').textContent = t(errorKey(err.kind, err.device));
      $('device-status').textContent = err ? '' : t('devices_ok');
      const key = !err ? 'join_button' : err.device === 'camera' ? 'join_audio_only' : err.device === 'mic' ? 'join_without_mic' : 'join_button';
      $('join').dataset.i18n = key;
      $('join').textContent = t(key);
      $('join').hidden = !!err && !err.device; // nothing works: only "without camera and microphone"
    };

    const start = async () => {
      if (meter) meter.stop();
      stopStream(stream);
      stream = null;
      $('device-status').textContent = t('checking_devices');
      try {
        stream = await openMedia({ cameraId: $('camera').value || undefined, micId: $('mic').value || undefined });
        showError(stream.missing || null);
      } catch (e) {
        showError({ kind: e.kind || 'other' });
      }
      $('preview').srcObject = stream;
      $('preview-off').hidden = !!(stream && stream.getVideoTracks().length);
      if (stream) meter = levelMeter(stream, (l) => { $('meter-bar').style.width = `${Math.round(l * 100)}%`; });
      const devs = await listDevices().catch(() => ({ cameras: [], mics: [], speakers: [] }));
      const cur = (kind) => { const tr = stream && stream.getTracks().find((x) => x.kind === kind); return tr ? tr.getSettings().deviceId : null; };
      fill($('camera'), devs.cameras, cur('video'));
      fill($('mic'), devs.mics, cur('audio'));
      fill($('speaker'), devs.speakers, null);
      if (!devs.speakers.length) { $('speaker').replaceChildren(new Option(t('default_device'), '')); $('speaker').disabled = true; }
    };

    onLanguage(() => { showError(lastError); });
    $('camera').onchange = start;
    $('mic').onchange = start;
    $('retry-devices').onclick = start;
    $('tone').onclick = () => playTestTone($('speaker').value || undefined);
    const finish = (withMedia) => {
      if (meter) meter.stop();
      $('preview').srcObject = null;
      if (!withMedia) { stopStream(stream); stream = null; }
      resolve({ stream, name: $('name').value.trim().slice(0, 64), speakerId: $('speaker').value || null });
    };
    $('join').onclick = () => finish(true);
    $('join-nomedia').onclick = () => finish(false);
    if (listener) { $('join').focus(); resolve({ stream: null, name: $('name').value.trim(), speakerId: null }); return; }
    start();
  });
}
