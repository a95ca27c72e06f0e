// Passkeys in the browser: the few lines between the server's ceremony and the browser's
// navigator.credentials (plain script, so the WASM does not grow for them). A passkey cannot work
// without JavaScript; the pages say so in what this script hides.
//
// - [data-passkey-sign-in]: a button that signs in with a passkey of this site (no username);
//   on the login screen the username field also offers the browser's saved passkeys (autofill).
// - form[data-passkey-add]: adds a passkey to the signed-in account (its name, and the password
//   when the page asks for it).
// Each lives in a [data-passkeys] element, which names the origin passkeys belong to and holds
// the [data-passkey-status] element messages go to.

const supported = typeof window.PublicKeyCredential === "function" && !!navigator.credentials;

// The JSON options the server sends carry binary values as base64url; the browser wants bytes.
const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const text = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: bytes(json.challenge),
    user: { ...json.user, id: bytes(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })),
  };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return {
    ...json,
    challenge: bytes(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })),
  };
}

// The browser's answer as the JSON the server reads.
function answer(credential) {
  if (typeof credential.toJSON === "function") return JSON.stringify(credential.toJSON());
  const response = {};
  for (const key of ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"]) {
    if (credential.response[key]) response[key] = text(credential.response[key]);
  }
  return JSON.stringify({
    id: credential.id,
    rawId: text(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults(),
  });
}

// Calls a server function with form fields; its error's sentence comes in a header.
async function call(path, fields) {
  const response = await fetch(path, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
  if (!response.ok) {
    const message = response.headers.get("x-error-message");
    throw new Error(message ? decodeURIComponent(message.replace(/\+/g, " ")) : "Something went wrong. Try again.");
  }
  return response;
}

function say(place, message, isError) {
  const status = place.querySelector("[data-passkey-status]");
  if (!status) return;
  status.textContent = message;
  status.classList.toggle("field-error", isError);
}

// What a refused or abandoned browser dialog means for the person.
function dialogRefusal(error) {
  if (error.name === "NotAllowedError") return "The passkey request was cancelled or timed out.";
  if (error.name === "InvalidStateError") return "This passkey is on your account already.";
  if (error.name === "SecurityError") return "Passkeys do not work at this address.";
  return error.message || "The passkey did not work. Try again.";
}

async function signIn(place, mediation, signal) {
  const started = await (await call("/api/passkey/sign-in/start", {})).json();
  const options = { publicKey: requestOptions(JSON.parse(started.options).publicKey) };
  if (mediation) options.mediation = mediation;
  if (signal) options.signal = signal;
  const credential = await navigator.credentials.get(options);
  say(place, "Signing in…", false);
  const finished = await call("/api/passkey/sign-in/finish", { ceremony: started.ceremony, credential: answer(credential) });
  location.assign(finished.headers.get("Location") || "/");
}

async function add(place, form) {
  const fields = Object.fromEntries(new FormData(form));
  const started = await (await call("/api/account/passkeys/start", fields)).json();
  const options = { publicKey: creationOptions(JSON.parse(started.options).publicKey) };
  const credential = await navigator.credentials.create(options);
  say(place, "Saving the passkey…", false);
  const finished = await call("/api/account/passkeys/finish", { ceremony: started.ceremony, credential: answer(credential) });
  location.assign(finished.headers.get("Location") || "/account#second-factor");
}

// The browser's passkey autofill on the username field, while the login screen is open; a
// click on the button cancels it and asks at once. The server's ceremony lasts 5 minutes: when
// the browser gives up on it unused, a fresh one takes its place, quietly.
let autofill = null;
async function offerAutofill(place) {
  if (!document.querySelector('input[autocomplete~="webauthn"]')) return;
  if (!(await PublicKeyCredential.isConditionalMediationAvailable?.())) return;
  const started = Date.now();
  autofill = new AbortController();
  try {
    await signIn(place, "conditional", autofill.signal);
  } catch (error) {
    if (error.name === "AbortError") return;
    if (error.name === "NotAllowedError") {
      if (Date.now() - started > 60_000) offerAutofill(place);
      return;
    }
    say(place, error.name && error.name !== "Error" ? dialogRefusal(error) : error.message, true);
  }
}

for (const place of document.querySelectorAll("[data-passkeys]")) {
  for (const note of place.querySelectorAll("[data-passkey-needs-script]")) note.hidden = true;
  const origin = place.dataset.passkeys;
  if (!supported) {
    say(place, "This browser cannot use passkeys.", true);
    continue;
  }
  if (origin && origin !== location.origin) {
    say(place, `Passkeys work at ${origin}, not at this address.`, true);
    continue;
  }
  for (const control of place.querySelectorAll("[data-passkey-control]")) control.hidden = false;
  for (const button of place.querySelectorAll("button[data-passkey-sign-in]")) {
    button.addEventListener("click", async () => {
      autofill?.abort();
      button.disabled = true;
      say(place, "Follow your browser's passkey dialog…", false);
      try {
        await signIn(place);
      } catch (error) {
        say(place, error.name && error.name !== "Error" ? dialogRefusal(error) : error.message, true);
      } finally {
        button.disabled = false;
      }
    });
  }
  for (const form of place.querySelectorAll("form[data-passkey-add]")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      say(place, "Follow your browser's passkey dialog…", false);
      try {
        await add(place, form);
      } catch (error) {
        say(place, error.name && error.name !== "Error" ? dialogRefusal(error) : error.message, true);
      } finally {
        button.disabled = false;
      }
    });
  }
  if (place.querySelector("button[data-passkey-sign-in][data-autofill]")) offerAutofill(place);
}
