// Short messages for the learner at the top of the page (storage problems, imports, errors).
export function notify(message, kind = "info") {
  const box = document.getElementById("notices");
  if (!box) return;
  const note = document.createElement("p");
  note.className = `notice notice-${kind}`;
  note.textContent = message;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "notice-close";
  close.setAttribute("aria-label", "Dismiss this message");
  close.textContent = "×";
  close.addEventListener("click", () => note.remove());
  note.append(close);
  box.append(note);
}
