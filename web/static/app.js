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
  // The navigation says which page this is.
  for (const link of document.querySelectorAll('header.top nav a')) {
    if (link.getAttribute('href') === location.pathname) link.setAttribute('aria-current', 'page');
  }
});
