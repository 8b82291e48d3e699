// Fill a `.progress` block (role=progressbar inside) with a lesson's quiz counts.
export function showProgress(block, { answered, correct, total }) {
  const bar = block.querySelector('[role="progressbar"]');
  bar.setAttribute("aria-valuenow", String(correct));
  bar.setAttribute("aria-valuetext", `${correct} of ${total} correct`);
  block.querySelector(".progress-fill").style.width = `${total ? (100 * correct) / total : 0}%`;
  const text = block.querySelector(".progress-text");
  if (answered === 0) text.textContent = "Not started";
  else if (correct === total) text.textContent = `All ${total} correct · done`;
  else text.textContent = `${correct} of ${total} correct`;
  block.classList.toggle("is-done", total > 0 && correct === total);
}
