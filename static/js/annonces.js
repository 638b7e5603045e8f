// After a save, what the server says gets the focus (issue 13, item 7): the flashed confirmation, or the summary
// of what was refused. A screen reader reads it at once (a live region already on the page when it loads is not
// announced by every screen reader), and the next Tab goes on from the message, not from the top of the page.
// Only messages that follow an action: a warning shown on every visit of a page (role="alert" without
// alert-error) keeps the focus where it is.
(() => {
  const ANNONCES = "main .flashes, main .alert-error[role='alert'], main #modifie-entre-temps";

  const annoncer = () => {
    const message = document.querySelector(ANNONCES);
    if (!message || document.activeElement !== document.body) return;
    message.setAttribute("tabindex", "-1");
    message.focus();
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", annoncer);
  else annoncer();
})();
