// A definition file chosen from disk is read into the text box, so it is previewed and applied like pasted text.
(() => {
  'use strict';
  const file = document.getElementById('definition-file');
  const text = document.getElementById('definition-text');
  if (!file || !text) return;
  file.hidden = false;
  file.previousElementSibling.hidden = false;
  file.addEventListener('change', async () => {
    const chosen = file.files && file.files[0];
    if (chosen) text.value = await chosen.text();
  });
})();
