// Short messages for the learner at the top of the page (storage problems, imports, errors).
// An optional action (e.g. "Undo") is a button in the message; running it closes the message.
export function notify(message, kind = "info", { action = null } = {}) {
  const box = document.getElementById("notices");
  if (!box) return null;
  const note = document.createElement("p");
  note.className = `notice notice-${kind}`;
  const text = document.createElement("span");
  text.textContent = message;
  note.append(text);
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary notice-action";
    button.textContent = action.label;
    button.addEventListener("click", () => {
      note.remove();
      action.run();
    });
    note.append(button);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "notice-close";
  close.setAttribute("aria-label", "Dismiss this message");
  close.textContent = "×";
  close.addEventListener("click", () => note.remove());
  note.append(close);
  box.append(note);
  return note;
}
