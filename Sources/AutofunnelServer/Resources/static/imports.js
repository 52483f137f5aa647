// The import job page follows its job: the API is asked every second how far it got, the bar and the row count
// follow, and once it has ended the page loads again to show the result. Without this script the page's refresh
// link does the same by hand.
(() => {
  'use strict';
  const box = document.getElementById('import-job');
  if (!box || !['queued', 'running'].includes(box.dataset.status)) return;
  const bar = document.getElementById('import-progress');
  const rows = document.getElementById('import-rows');
  const total = document.getElementById('import-total');
  const status = document.getElementById('import-status');
  const show = (job) => {
    if (rows) rows.textContent = String(job.rows);
    if (bar && typeof job.total === 'number' && job.total > 0) {
      bar.max = job.total;
      bar.value = Math.min(job.rows, job.total);
      bar.textContent = job.rows + ' / ' + job.total;
    }
    if (total && typeof job.total === 'number') total.textContent = ' / ' + job.total;
    if (status && job.status === 'running' && box.dataset.status !== 'running') {
      box.dataset.status = 'running';
      status.textContent = box.dataset.runningText || job.status;
    }
  };
  const poll = async () => {
    try {
      const answer = await fetch('/api/v1/imports/' + encodeURIComponent(box.dataset.job), {
        headers: {Accept: 'application/json'}, credentials: 'same-origin', cache: 'no-store'});
      if (answer.ok) {
        const job = await answer.json();
        show(job);
        if (job.status === 'finished' || job.status === 'failed') {
          window.location.reload();
          return;
        }
      }
    } catch (e) {
      // A lost answer is asked again on the next tick.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
})();
