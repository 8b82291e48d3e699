// A yes/no question in a modal <dialog>: the browser keeps focus inside it and Esc cancels. Resolves
// true only when the learner chooses the confirming button; focus goes back where it was.
let dialog = null;

function build() {
  dialog = document.createElement("dialog");
  dialog.className = "dialog confirm-dialog";
  dialog.setAttribute("aria-labelledby", "confirm-title");
  dialog.setAttribute("aria-describedby", "confirm-body");
  const form = document.createElement("form");
  form.method = "dialog";
  const title = Object.assign(document.createElement("h2"), { id: "confirm-title" });
  const body = Object.assign(document.createElement("p"), { id: "confirm-body" });
  const row = Object.assign(document.createElement("div"), { className: "button-row" });
  const yes = Object.assign(document.createElement("button"), { type: "submit", value: "confirm", className: "button button-danger" });
  const no = Object.assign(document.createElement("button"), { type: "submit", value: "cancel", className: "button button-secondary" });
  row.append(yes, no);
  form.append(title, body, row);
  dialog.append(form);
  document.body.append(dialog);
}

export function confirmAction({ title, body, confirm, cancel = "Cancel" }) {
  if (!dialog) build();
  const opener = document.activeElement;
  dialog.querySelector("#confirm-title").textContent = title;
  dialog.querySelector("#confirm-body").textContent = body;
  dialog.querySelector('[value="confirm"]').textContent = confirm;
  const no = dialog.querySelector('[value="cancel"]');
  no.textContent = cancel;
  dialog.returnValue = "";
  dialog.showModal();
  no.focus();   // the safe choice first: Enter alone never destroys anything
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(dialog.returnValue === "confirm");
    }, { once: true });
  });
}
