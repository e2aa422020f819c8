// The reset and activation forms: the criteria turn green as one types, computed in the page
// by the WebAssembly build of the core's `evaluate_password` (the very function the server
// applies on submit), so no keystroke leaves the browser.
import init, { evaluatePassword } from '/static/wasm/dealer_portal_wasm.js';

const password = document.getElementById('password');
const confirmation = document.getElementById('confirmation');
const list = document.getElementById('criteria');

await init();

let pending = Promise.resolve();

async function redraw() {
  const options = confirmation.value === '' ? {} : { confirmation: confirmation.value };
  const chars = [...password.value].length;
  const confChars = [...confirmation.value].length;
  const evaluation = await evaluatePassword(password.value, options);
  list.replaceChildren(...evaluation.checks.map((check) => {
    const li = document.createElement('li');
    li.dataset.criterion = check.criterion;
    li.dataset.met = String(check.met);
    li.className = check.met ? 'met' : 'unmet';
    li.textContent = check.labelFr;
    return li;
  }));
  list.dataset.acceptable = String(evaluation.acceptable);
  // What the list was drawn for (lengths only, never the text): lets a test wait for it.
  list.dataset.chars = String(chars);
  list.dataset.confirmationChars = String(confChars);
}

for (const field of [password, confirmation]) {
  field.addEventListener('input', () => { pending = pending.then(redraw); });
}
pending = pending.then(redraw);
document.documentElement.dataset.criteriaLive = 'true';
