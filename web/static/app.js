// Small progressive touches; every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // Ask before actions that cannot be undone except by another reversal.
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (ev) => {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  }
  // After a form is sent, the message that answers it has the focus, so
  // that a screen reader reads it and the keyboard starts from it.
  const banner = document.querySelector('#refusal, #outcome, #form-error, #notice, #new-token-note');
  if (banner) banner.focus();
  // A schedule's table of rows: "Add a row" copies its last row, empty
  // and numbered on (the form's "Add more rows" does the same without
  // this file).
  for (const table of document.querySelectorAll('table.rows[data-prefix]')) {
    const add = document.createElement('button');
    const max = Number(table.dataset.max);
    add.type = 'button';
    add.className = 'secondary';
    add.textContent = `Add a ${table.dataset.noun.toLowerCase()}`;
    add.addEventListener('click', () => {
      const body = table.tBodies[0];
      const n = body.rows.length;
      const row = body.rows[n - 1].cloneNode(true);
      row.querySelector('th').textContent = String(n + 1);
      for (const msg of row.querySelectorAll('.field-error')) msg.remove();
      for (const input of row.querySelectorAll('input')) {
        input.name = input.name.replace(/_\d+$/, `_${n}`);
        input.id = `f-${input.name}`;
        input.value = '';
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
        input.setAttribute('aria-label', input.getAttribute('aria-label').replace(/\d+/, String(n + 1)));
      }
      body.appendChild(row);
      row.querySelector('input').focus();
      add.disabled = n + 1 >= max;
    });
    add.disabled = table.tBodies[0].rows.length >= max;
    table.after(add);
  }
  // The navigation says which page this is.
  for (const link of document.querySelectorAll('header.top nav a')) {
    if (link.getAttribute('href') === location.pathname) link.setAttribute('aria-current', 'page');
  }
});
