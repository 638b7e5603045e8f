/*
 * Autosave of the placement questionnaire (templates/positionnements/questionnaire.html).
 *
 * The page works fully without this script; it only saves the draft sooner, so a call that drops loses
 * nothing. A short pause after a change posts the whole form to the form's action, asking for JSON
 * (contract in evaluations/routes.py), and says the outcome in the aria-live status region. After the
 * first save of a new candidate, the form and the address switch to the draft's URL, so the candidate is
 * created once. Each save answers the new ``version`` of the draft (core.versions), put in the hidden field
 * so the next save compares with it. One request at a time; a submit button click waits for a save in
 * progress. When the page's CSRF token has expired, the server answers 400 with a French message and a fresh
 * token: the script takes the token and saves again, once; it says so when that fails too, or when the session
 * has ended.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var delay = Number(form.getAttribute("data-autosave-delay")) || 1200;
  var timer = null;
  var inFlight = null;
  var rerun = false;
  var submitting = false;
  var tokenRenewed = false;

  /* The save's progress, for tests and styles (not announced): waiting, pending, saving, saved, error. */
  function state(value) {
    form.setAttribute("data-autosave-state", value);
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function field(name) {
    return form.elements.namedItem(name);
  }

  function phoneDigits(value) {
    return value.replace(/\D/g, "").length;
  }

  /* Digits a whole number has at least: ten in the French national form (0692 12 34 56), nine with a country
     code (+508 41 23 45 is Saint-Pierre-et-Miquelon's shortest). */
  function phoneLength(value) {
    return /^\s*0(?!0)/.test(value) ? 10 : 9;
  }

  /* Why the draft cannot be saved yet (the server would refuse it), or null when it can. */
  function notReady() {
    if (!form.querySelector('input[name="mode"]:checked')) {
      return "Choisissez le mode (téléphone ou présentiel) : le brouillon s'enregistrera ensuite tout seul.";
    }
    if (form.hasAttribute("data-new-candidate")) {
      var prenom = field("prenom");
      var nom = field("nom");
      var telephone = field("telephone");
      if (!prenom.value.trim() || !nom.value.trim()) {
        return "Saisissez le prénom et le nom : le brouillon s'enregistrera ensuite tout seul.";
      }
      if (telephone && telephone.value.trim() && phoneDigits(telephone.value) < phoneLength(telephone.value)) {
        return "";  /* a number being typed: wait for it */
      }
    }
    return null;
  }

  function renewToken(token) {
    var input = field("csrf_token");
    if (input) {
      input.value = token;
    }
  }

  function switchTo(url) {
    if (!url) {
      return;
    }
    var target = new URL(url, window.location.href).pathname;
    if (new URL(form.action, window.location.href).pathname === target) {
      return;
    }
    form.setAttribute("action", target);
    window.history.replaceState(null, "", target);
    if (form.hasAttribute("data-new-candidate")) {
      form.removeAttribute("data-new-candidate");
      ["prenom", "nom", "telephone"].forEach(function (name) {
        var input = field(name);
        if (input) {
          input.readOnly = true;
        }
      });
      var confirm = field("confirmer_doublon");
      if (confirm) {
        confirm.disabled = true;
      }
      var note = document.getElementById("identite-enregistree");
      if (note) {
        note.hidden = false;
      }
    }
  }

  function answer(response) {
    return response.json().then(
      function (data) {
        return { response: response, data: data };
      },
      function () {
        return { response: response, data: null };
      }
    );
  }

  function save() {
    timer = null;
    if (submitting) {
      return;
    }
    if (inFlight) {
      rerun = true;
      return;
    }
    var problem = notReady();
    if (problem !== null) {
      state("waiting");
      if (problem) {
        say(problem);
      }
      return;
    }
    state("saving");
    inFlight = fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(answer)
      .then(function (result) {
        var data = result.data;
        if (result.response.ok && data && data.saved) {
          tokenRenewed = false;
          var version = field("version");
          if (version && data.version) {
            version.value = data.version;  /* what the page shows now: the next save compares with it */
          }
          switchTo(data.url);
          state(rerun || timer ? "pending" : "saved");
          say(data.message);
        } else if (data && data.csrf_token && !tokenRenewed) {
          /* The page's CSRF token had expired: the server sent a fresh one; try again once with it. */
          tokenRenewed = true;
          renewToken(data.csrf_token);
          state("pending");
          rerun = true;
        } else if (result.response.redirected && /\/connexion/.test(result.response.url)) {
          state("error");
          say("Brouillon non enregistré : votre session a pris fin. Vos réponses restent à l'écran : " +
              "reconnectez-vous dans un autre onglet, puis revenez ici et modifiez une réponse pour enregistrer.");
        } else if (data && data.message) {
          state("error");
          say(data.message);
        } else {
          state("error");
          say("Brouillon non enregistré (erreur " + result.response.status + ") : utilisez le bouton « Enregistrer le brouillon ».");
        }
      })
      .catch(function () {
        state("error");
        say("Brouillon non enregistré : la connexion a échoué. Utilisez le bouton « Enregistrer le brouillon ».");
      })
      .then(function () {
        inFlight = null;
        if (rerun && !submitting) {
          rerun = false;
          save();
        }
      });
  }

  function schedule() {
    state("pending");
    if (timer) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(save, delay);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);

  /* "Calculer le niveau" with no half-day ticked: show the confirmation the server would ask for, before the
     page is sent (the server asks too, without this script). Registered first: a submit stopped here leaves
     the autosave running. */
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var confirmBlock = document.getElementById("sans_disponibilite-bloc");
    var confirmBox = field("sans_disponibilite");
    if (!submitter || submitter.name !== "calculer" || !confirmBlock || !confirmBox) {
      return;
    }
    if (form.querySelector('input[name="disponibilites"]:checked') || confirmBox.checked) {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    confirmBlock.hidden = false;
    var first = form.querySelector('input[name="disponibilites"]');
    if (first) {
      first.focus();
    }
    say("Aucune demi-journée n'est cochée : cochez-en, ou confirmez l'enregistrement sans disponibilités.");
  });

  form.addEventListener("submit", function (event) {
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
    submitting = true;
    if (inFlight) {
      /* Post once the save in progress is done, to the draft's URL it may have switched to. */
      event.preventDefault();
      var submitter = event.submitter || null;
      inFlight.then(function () {
        form.requestSubmit(submitter);
      });
    }
  });

  /* A page shown after a refused "Calculer le niveau" for a new candidate already posts to the draft. */
  var draftUrl = form.getAttribute("data-draft-url");
  if (draftUrl && window.location.pathname !== draftUrl) {
    window.history.replaceState(null, "", draftUrl);
  }
})();
