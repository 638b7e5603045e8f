// Proposal page: moving a person with a select re-checks the groups at once (the server does the checks).
// Without JavaScript the "Vérifier mes modifications" button does the same.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("proposition");
  const verify = document.getElementById("verifier");
  if (!form || !verify) return;
  form.querySelectorAll("select.move").forEach((select) => {
    select.addEventListener("change", () => {
      sessionStorage.setItem("groupes-focus", select.id);
      form.requestSubmit(verify);
    });
  });
  const focusId = sessionStorage.getItem("groupes-focus");
  if (focusId) {
    sessionStorage.removeItem("groupes-focus");
    const again = document.getElementById(focusId);
    if (again) again.focus();
  }
});
