// Small progressive touches; every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // Ask before actions that cannot be undone except by another reversal.
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (ev) => {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  }
  // Agency search filters the visible rows while typing.
  const filter = document.querySelector('input[data-filter]');
  if (filter) {
    const rows = document.querySelectorAll(filter.dataset.filter);
    filter.addEventListener('input', () => {
      const q = filter.value.toLowerCase();
      for (const row of rows) row.hidden = !row.textContent.toLowerCase().includes(q);
    });
  }
});
